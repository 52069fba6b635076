import type { StateDescriptor } from '../../compiler/graph/job-graph.js';
import { CommittableSchema, type Committable, type SinkWriter } from '../connectors/sink-connector.js';
import type { RecordBatch } from '../record-batch.js';
import type { OperatorListState } from '../state/operator-state.js';
import { BaseOperator, type OperatorContext } from './operator.js';

/** The operator state every sink has: output pre-committed at a checkpoint, committed once it completes. */
export const SINK_PENDING_STATE: StateDescriptor = {
  name: 'pending-commits',
  scope: 'operator',
  kind: 'list',
  valueType: [
    { name: 'tmpPath', type: { name: 'STRING' }, nullable: false },
    { name: 'finalPath', type: { name: 'STRING' }, nullable: false },
    { name: 'checkpointId', type: { name: 'BIGINT' }, nullable: false },
  ],
  redistribution: 'split',
  // The value type is the file sink's committable (a sink with another shape stores its own, Committable).
  description: 'output written before a checkpoint and committed when it completes',
};

/** Rows between two flushes of the writer: bounds what a writer buffers without a promise per batch. */
const FLUSH_EVERY_ROWS = 8192;

/**
 * Writes rows into a SinkWriter (a connector's, or a callback's) in the two-phase-commit shape: rows are buffered
 * and flushed in the background of the task (`ctx.defer`); `snapshotState` pre-commits and keeps the
 * committables in operator state; `notifyCheckpointComplete` commits those of checkpoints up to the completed
 * one; a restored sink first recovers what its checkpoint recorded (committing it, and discarding output of
 * runs after it). At the end of input the writer is flushed and, without checkpoints, closed (publishing its
 * output); with checkpoints the job's final checkpoint publishes it. On failure or cancellation whatever no
 * checkpoint claimed is aborted.
 */
export class SinkOperator extends BaseOperator {
  private pending!: OperatorListState<Committable>;
  private unflushedRows = 0;
  private finished = false;

  constructor(private readonly writer: SinkWriter) {
    super();
  }

  override async open(ctx: OperatorContext): Promise<void> {
    this.ctx = ctx;
    this.pending = ctx.getOperatorListState<Committable>(SINK_PENDING_STATE.name);
    if (!ctx.isRestored) return;
    const schema = this.writer.committableSchema ?? CommittableSchema;
    const restored = this.pending.get().map((item, i) => {
      const parsed = schema.safeParse(item);
      if (!parsed.success) throw new Error(`the restored checkpoint's pending commit ${i + 1} of this sink is malformed: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
      return parsed.data;
    });
    await this.writer.recover(restored, ctx.restoredCheckpointId);
  }

  processBatch(batch: RecordBatch): void {
    this.writer.write(batch.rows, batch.kinds);
    this.unflushedRows += batch.rows.length;
    if (this.unflushedRows >= FLUSH_EVERY_ROWS || this.writer.flushEachBatch === true) {
      this.unflushedRows = 0;
      this.ctx.defer(this.writer.flush());
    }
  }

  override async snapshotState(checkpointId: number): Promise<void> {
    this.unflushedRows = 0;
    this.pending.addAll(await this.writer.preCommit(checkpointId));
  }

  override async notifyCheckpointComplete(checkpointId: number): Promise<void> {
    const ready = this.pending.get().filter((c) => c.checkpointId <= checkpointId);
    if (ready.length === 0) return;
    await this.writer.commit(ready);
    this.pending.update(this.pending.get().filter((c) => c.checkpointId > checkpointId));
  }

  /** With checkpoints, the final checkpoint pre-commits and commits the rest; without, closing publishes it. */
  override async endInput(): Promise<void> {
    await this.writer.flush();
    if (this.ctx.isCheckpointing) return;
    await this.writer.close();
    this.finished = true;
  }

  override async close(): Promise<void> {
    if (!this.finished) await this.writer.abort();
  }
}

import type { InputGate } from '../channels/input-gate.js';
import { AdaptiveBatchSize, STEP_BUDGET_MS } from '../operators/adaptive-batch-size.js';
import { makeBatch, type RecordBatch } from '../record-batch.js';
import type { OperatorHost } from './operator-host.js';

/** Rows of the first slice; later ones follow the measured cost per row. */
const FIRST_SLICE_ROWS = 64;

/** A batch of an input channel that is not processed to its end yet: rows from `offset` on are still to go. */
interface Remainder {
  readonly batch: RecordBatch;
  readonly channel: number;
  offset: number;
}

/**
 * A task's input batches processed in slices bounded by time (AdaptiveBatchSize with the step budget), so that a
 * costly operator behind a network channel does not hold the task's loop for a whole batch: between slices the
 * task takes mail, fires timers, yields the event loop to snapshot I/O and polls its other channels (barriers
 * among them). A channel whose batch is not finished is held at the gate, so nothing after the batch on that
 * channel (its barrier, its watermark) is seen before the batch's last row: per channel, order is kept.
 *
 * A batch that fits the current slice size goes to the operator as it is; a larger one is cut into slices
 * (a copy of the rows array per slice, the kinds as views): nothing is allocated per row.
 */
export class SlicedInput {
  private readonly size = new AdaptiveBatchSize(Number.MAX_SAFE_INTEGER, STEP_BUDGET_MS, FIRST_SLICE_ROWS);
  /** Unfinished batches, served round robin; each one's channel is held until it is done. */
  private readonly remainders: Remainder[] = [];
  /** Slices processed that were not a whole batch: for tests and metrics. */
  partialSlices = 0;

  constructor(
    private readonly gate: InputGate,
    private readonly head: OperatorHost,
  ) {}

  /** Whether a batch is still being processed. */
  get pending(): boolean {
    return this.remainders.length > 0;
  }

  /** `batch` arrived on `channel`: processes its first slice, and holds the channel if rows remain. */
  begin(batch: RecordBatch, channel: number): void {
    const rest = this.process(batch, 0, channel);
    if (rest === batch.rows.length) return;
    this.gate.hold(channel);
    this.remainders.push({ batch, channel, offset: rest });
  }

  /**
   * The rows of `channel`'s unfinished batch not processed yet: an unaligned snapshot taken between two slices
   * holds them as in-flight input of that channel, since its barrier comes after them.
   */
  unprocessed(channel: number): RecordBatch | undefined {
    const remainder = this.remainders.find((r) => r.channel === channel);
    if (remainder === undefined) return undefined;
    const { batch, offset } = remainder;
    return makeBatch(batch.rows.slice(offset), batch.kinds?.subarray(offset));
  }

  /** Processes the next slice of the unfinished batch whose turn it is. */
  next(): void {
    const remainder = this.remainders.shift()!;
    remainder.offset = this.process(remainder.batch, remainder.offset, remainder.channel);
    if (remainder.offset < remainder.batch.rows.length) this.remainders.push(remainder);
    else this.gate.release(remainder.channel);
  }

  /** Processes a slice of `batch` from `offset`; returns where the next slice starts. */
  private process(batch: RecordBatch, offset: number, channel: number): number {
    const total = batch.rows.length;
    const end = Math.min(total, offset + this.size.current);
    let slice = batch;
    if (offset > 0 || end < total) {
      slice = makeBatch(batch.rows.slice(offset, end), batch.kinds?.subarray(offset, end));
      this.partialSlices++;
    }
    const start = performance.now();
    this.head.processInput(slice, this.gate.channels[channel]!.input);
    this.size.record(end - offset, performance.now() - start);
    return end;
  }
}

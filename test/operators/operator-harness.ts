import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Operator } from '../../compiler/graph/job-graph.js';
import { OperatorHost } from '../../runtime/execution/operator-host.js';
import type { UdfImplementation } from '../../runtime/expressions/compile-expr.js';
import type { SourceOperator, StreamOperator } from '../../runtime/operators/operator.js';
import { ConnectorRuntimes } from '../../connectors/runtime-registry.js';
import { operatorFactories } from '../../runtime/operators/registry.js';
import { RowKind } from '../../runtime/record-batch.js';
import type { StateBackendType, StateEntry } from '../../runtime/state/keyed-state-backend.js';
import type { OperatorStateList } from '../../runtime/state/operator-state.js';
import { keyedStateFromText, keyedStateToText } from '../../runtime/state/snapshot-format.js';
import { ManualClock } from '../../runtime/time/clock.js';
import type { SinkOutput } from './run-pipe.js';

/**
 * One operator subtask of a compiled graph driven by hand, through the runtime's own OperatorHost (the same
 * context, state, timers and snapshot path a job uses): feed batches and watermarks, take a snapshot midway,
 * and restore it into a fresh subtask, as a checkpoint → restore would. For the state an operator keeps and for
 * snapshot/restore tests, where a whole job cannot be stopped at a chosen point.
 */

/** A subtask's state as a checkpoint keeps it: keyed state in its text form, operator state as lists. */
export interface HarnessSnapshot {
  readonly keyed: string | undefined;
  readonly operatorState: readonly OperatorStateList[];
}

export interface HarnessOptions {
  readonly processFunctions?: Readonly<Record<string, unknown>>;
  readonly udfs?: Readonly<Record<string, UdfImplementation>>;
  readonly clock?: ManualClock;
  readonly backend?: StateBackendType;
  readonly subtask?: number;
  readonly parallelism?: number;
  readonly restore?: HarnessSnapshot;
}

export class OperatorHarness {
  readonly output: SinkOutput = { rows: [], kinds: [] };
  /** The size of every batch the operator emitted, in order. */
  readonly batchSizes: number[] = [];
  /** Watermarks the operator forwarded. */
  readonly watermarks: number[] = [];
  private closed = false;

  private constructor(
    readonly host: OperatorHost,
    private readonly clock: ManualClock,
    private readonly stateDir: string,
  ) {
    host.downstream = {
      pushBatch: (batch) => {
        this.batchSizes.push(batch.rows.length);
        batch.rows.forEach((row, i) => {
          this.output.rows.push([...row]);
          this.output.kinds.push(batch.kinds === undefined ? RowKind.INSERT : (batch.kinds[i] as RowKind));
        });
      },
      pushWatermark: (timestamp) => this.watermarks.push(timestamp),
      pushIdle: () => {},
    };
  }

  static async open(operator: Operator, options: HarnessOptions = {}): Promise<OperatorHarness> {
    const subtask = options.subtask ?? 0;
    const parallelism = options.parallelism ?? 1;
    const clock = options.clock ?? new ManualClock();
    const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-harness-'));
    const impl: StreamOperator | SourceOperator = operatorFactories[operator.spec.kind](operator, {
      jobId: 'harness',
      lineage: 'harness',
      runId: 'harness',
      subtask,
      parallelism,
      udfs: new Map(Object.entries(options.udfs ?? {})),
      clock,
      batchSize: 1024,
      sourceFeeds: new Map(),
      sinkCallbacks: new Map(),
      sinkEnvironment: {},
      connectors: await ConnectorRuntimes.load(operator.spec.kind === 'source' || operator.spec.kind === 'sink' ? [operator.spec.connector] : []),
      warn: () => {},
      processFunctions: new Map(Object.entries(options.processFunctions ?? {})),
    });
    const restore = options.restore;
    const host = new OperatorHost(operator, impl, {
      subtask,
      parallelism,
      maxParallelism: 128,
      clock,
      backendType: options.backend ?? 'memory',
      localStateDir: stateDir,
      // Small, so that operator tests on the disk backend go through its evictions and write-backs too.
      diskCacheCells: 16,
      restore:
        restore === undefined
          ? undefined
          : { keyed: restore.keyed === undefined ? [] : [keyedStateFromText(restore.keyed)], operatorState: restore.operatorState },
      defer: () => {},
      recordOrigin: undefined,
    });
    const harness = new OperatorHarness(host, clock, stateDir);
    await host.call((op) => op.open(host));
    return harness;
  }

  /** One batch of rows (inserts unless `kinds` says otherwise) into input `input`. */
  process(rows: readonly (readonly unknown[])[], input = 0, kinds?: readonly RowKind[]): void {
    this.host.processInput(kinds === undefined ? { rows } : { rows, kinds: Uint8Array.from(kinds) }, input);
  }

  watermark(timestamp: number): void {
    this.host.pushWatermark(timestamp);
  }

  /** Moves processing time to `now` and fires the processing-time timers that became due. */
  advanceProcessingTime(now: number): void {
    this.clock.set(now);
    this.host.fireProcessingTimers(now);
  }

  async snapshot(): Promise<HarnessSnapshot> {
    const snapshot = await this.host.snapshot(1);
    const keyed = snapshot.keyed === undefined ? undefined : keyedStateToText(snapshot.keyed);
    snapshot.keyed?.release();
    return { keyed, operatorState: snapshot.operatorState };
  }

  /** Every keyed state entry held now (timers included: their state names start with `__timers`). */
  async keyedEntries(): Promise<StateEntry[]> {
    const snapshot = await this.host.snapshot(1);
    if (snapshot.keyed === undefined) return [];
    const entries = [...snapshot.keyed.entries()];
    snapshot.keyed.release();
    return entries;
  }

  /** End of input as a job ends it: the +Infinity watermark, end of every input, then close. */
  async finish(inputs = 1): Promise<void> {
    this.watermark(Infinity);
    for (let input = 0; input < inputs; input++) await this.host.call((op) => op.endInput(input));
    await this.close();
  }

  /** Closes the operator and frees its state (a subtask that is abandoned, e.g. after a snapshot); once. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.host.call((op) => op.close());
    } finally {
      this.host.dispose();
      fs.rmSync(this.stateDir, { recursive: true, force: true });
    }
  }
}

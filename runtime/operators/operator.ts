import type { Operator } from '../../compiler/graph/job-graph.js';
import type { RecordBatch } from '../record-batch.js';
import type { KeyGroupRange } from '../state/key-groups.js';
import type { KeyedStateDescriptor, StateFor } from '../state/keyed-state.js';
import type { OperatorListState } from '../state/operator-state.js';
import type { RawState } from '../state/raw-state.js';
import type { AlignmentAnnouncement } from '../time/alignment-messages.js';
import type { Clock } from '../time/clock.js';
import type { Timer, Timers } from '../time/timer-service.js';
import type { WindowTimerState } from '../time/window-timer-states.js';
import type { OperatorMetrics } from './operator-metrics.js';

/**
 * What an operator sees of the runtime (one per operator subtask). Deliberately small: operators emit batches,
 * use keyed and operator state, register timers and read time; checkpointing, channels and threads stay out
 * of sight. Everything an operator keeps across records must live in state reached through this context, so
 * checkpoints, savepoints and the compatibility check see it.
 */
export interface OperatorContext {
  /** The job-graph node: id, uid, name, spec, input and output schemas, declared state, origin. */
  readonly operator: Operator;
  readonly subtask: number;
  readonly parallelism: number;
  readonly maxParallelism: number;
  /** The key groups this subtask owns. */
  readonly keyGroupRange: KeyGroupRange;
  readonly clock: Clock;
  /** Records in/out are counted by the runtime; operators add late rows they drop. */
  readonly metrics: OperatorMetrics;
  /** The last watermark this operator received (-Infinity before the first). */
  readonly currentWatermark: number;
  /** Whether this run started from a checkpoint or savepoint (so first-start work must not be redone). */
  readonly isRestored: boolean;
  /** The checkpoint (or savepoint) id this subtask was restored from, if any. */
  readonly restoredCheckpointId: number | undefined;
  /**
   * Whether the job takes checkpoints. A transactional sink then publishes output only when a checkpoint
   * completes: at the end of bounded input the runtime takes a final checkpoint, so `endInput` only flushes.
   */
  readonly isCheckpointing: boolean;

  /** Emits a batch downstream, synchronously. The batch must not be modified afterwards. */
  output(batch: RecordBatch): void;

  /**
   * Scopes keyed state and timers to `key` (the values of the key columns). `encoded`, when the caller has it
   * already, must be `encodeKey(key)` (state/key-codec.ts): it saves encoding the key again; `keyGroup`, when
   * known (from the batch's `keyGroups`; -1 when not), must be the key's key group: it saves hashing it.
   */
  setCurrentKey(key: readonly unknown[], encoded?: string, keyGroup?: number): void;
  readonly currentKey: readonly unknown[] | undefined;
  /**
   * Visits every key that has a cell of keyed state `state`, with the current key set to it (Flink's
   * `applyToAllKeys`): for an operator to rebuild what it derives from its state after a restore. The keys are
   * collected first, so `visit` may change state.
   */
  forEachKey(state: string, visit: (key: readonly unknown[], encoded: string) => void): void;
  /** Keyed state, which the operator must declare in the job graph (`operator.state`, scope `keyed`). */
  getState<D extends KeyedStateDescriptor>(descriptor: D): StateFor<D>;
  /** Operator list state, declared in the job graph (scope `operator`); built-in sources and sinks have theirs. */
  getOperatorListState<T>(name: string): OperatorListState<T>;
  /** Raw state (bytes per subtask), declared in the job graph (scope `operator`, kind `raw`). */
  getRawState(name: string): RawState;
  /** Timers for the current key (keyed operators only). */
  readonly timers: Timers;

  /**
   * Hands the runtime asynchronous work (a sink's flush): the task finishes it before its next input event, so
   * it back-pressures like a full channel. A rejection fails the job, naming this operator.
   */
  defer(work: Promise<unknown>): void;

  /** Sources only: the subtask's watermark advanced to `timestamp`. */
  emitWatermark(timestamp: number): void;
  /** Sources only: the subtask became idle (no splits producing) or active again. */
  emitIdle(idle: boolean): void;
  /** Sources only: where the rows of the batches emitted next come from (a split and position), for error messages. */
  setRecordOrigin(origin: string | undefined): void;
}

/**
 * A streaming operator, in Arroyo's shape: `processBatch` is the one required method; every lifecycle hook has
 * a default. The runtime calls them on one subtask's single thread, never concurrently:
 *
 * - `open(ctx)` once before anything else (restored state is already in place);
 * - `processBatch(batch, input)` for records of input `input` (0 = only/left, 1 = right, n = union input n);
 * - `onTimer(timer)` for each due timer (the current key is set to the timer's), then `onWatermark(wm)`; the
 *   runtime forwards the watermark downstream afterwards, so rows emitted here precede it;
 * - `snapshotState(checkpointId)` just before the runtime snapshots this operator's state: put anything held
 *   elsewhere into state (a sink pre-commits here);
 * - `notifyCheckpointComplete(checkpointId)` once a checkpoint is complete everywhere (a sink commits here);
 * - `endInput(input)` when input `input` has ended for good (after the final +Infinity watermark): emit what is
 *   left and flush;
 * - `close()` last, on success and on failure or cancellation alike: release resources.
 */
export interface StreamOperator {
  /**
   * How far behind the input watermark the rows this operator emits may be timed (an interval join's rows carry
   * the left row's time): the runtime forwards the watermark minus this, so downstream never sees them as late.
   */
  readonly watermarkHoldbackMs?: number;
  /**
   * Map states whose entries are windows (map key `[start, end]`, or as the state's declared decoder reads them),
   * each window with its event-time timer pending exactly while it is stored (runtime/time/window-timer-states.ts).
   * Read before state is restored: a checkpoint's base leaves those timers out, and a restore registers them from
   * the entries.
   */
  readonly windowTimerStates?: readonly WindowTimerState[];
  open(ctx: OperatorContext): void | Promise<void>;
  processBatch(batch: RecordBatch, input: number): void;
  onWatermark(watermark: number): void;
  onTimer(timer: Timer): void;
  snapshotState(checkpointId: number): void | Promise<void>;
  notifyCheckpointComplete(checkpointId: number): void | Promise<void>;
  endInput(input: number): void | Promise<void>;
  close(): void | Promise<void>;
}

/** Defaults for every hook but `processBatch`; `this.ctx` is set by `open`. */
export abstract class BaseOperator implements StreamOperator {
  protected ctx!: OperatorContext;

  open(ctx: OperatorContext): void | Promise<void> {
    this.ctx = ctx;
  }
  abstract processBatch(batch: RecordBatch, input: number): void;
  onWatermark(_watermark: number): void {}
  onTimer(_timer: Timer): void {}
  snapshotState(_checkpointId: number): void | Promise<void> {}
  notifyCheckpointComplete(_checkpointId: number): void | Promise<void> {}
  endInput(_input: number): void | Promise<void> {}
  close(): void | Promise<void> {}
}

/**
 * A source: no inputs; the task calls `pollNext()` in a loop (between its other work, e.g. checkpoints), and the
 * source emits batches and watermarks through its context.
 * - `more`: call again soon;
 * - `idle`: nothing to read now; call again after `idleWaitMs`;
 * - `end`: every split is finished (bounded input).
 * The task emits the final +Infinity watermark and end-of-input after `end`.
 */
export type SourcePollResult = 'more' | 'idle' | 'end';

export interface SourceOperator {
  readonly isSource: true;
  open(ctx: OperatorContext): void | Promise<void>;
  pollNext(): SourcePollResult | Promise<SourcePollResult>;
  /** After `idle`: how long to wait before polling again. */
  readonly idleWaitMs: number;
  /** A source in a watermark alignment group: the group's minimum watermark moved (runtime/time/alignment-messages.ts). */
  onAlignmentAnnouncement?(announcement: AlignmentAnnouncement): void;
  snapshotState(checkpointId: number): void | Promise<void>;
  notifyCheckpointComplete(checkpointId: number): void | Promise<void>;
  close(): void | Promise<void>;
}

export function isSourceOperator(operator: StreamOperator | SourceOperator): operator is SourceOperator {
  return 'isSource' in operator && operator.isSource;
}

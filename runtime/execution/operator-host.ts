import type { Operator, StateDescriptor } from '../../compiler/graph/job-graph.js';
import { makeBatch, type RecordBatch } from '../record-batch.js';
import { isSourceOperator, type OperatorContext, type SourceOperator, type StreamOperator } from '../operators/operator.js';
import { OperatorMetrics } from '../operators/operator-metrics.js';
import { SINK_PENDING_STATE } from '../operators/sink.js';
import { SOURCE_SPLITS_STATE } from '../operators/source.js';
import { createKeyedStateBackend } from '../state/create-backend.js';
import { CurrentKey } from '../state/current-key.js';
import { decodeKey } from '../state/key-codec.js';
import { keyGroupRangeForSubtask, rangesIntersect, type KeyGroupRange } from '../state/key-groups.js';
import { createKeyedState, type KeyedStateDescriptor, type StateFor } from '../state/keyed-state.js';
import type { KeyedStateBackend, KeyedStateDelta, KeyedStateSnapshot, StateBackendType } from '../state/keyed-state-backend.js';
import { OperatorStateStore, type OperatorListState, type OperatorStateList } from '../state/operator-state.js';
import { RawStateStore, type RawState, type RawStateSnapshot, type RestoredRawState } from '../state/raw-state.js';
import type { ParsedKeyedState } from '../state/snapshot-format.js';
import { TTL_ELEMENT_TIMES, TTL_ENTRY_TIMES, TTL_STATE } from '../state/state-ttl.js';
import type { Clock } from '../time/clock.js';
import { snapshotChangesWithTimers, snapshotWithTimers } from '../time/keyed-snapshot-with-timers.js';
import { TimerService, type Timer, type Timers } from '../time/timer-service.js';
import { OperatorFailure } from './operator-failure.js';

/** Where a host sends what its operator emits: the next operator of the chain, or the task's output edges. */
export interface Downstream {
  pushBatch(batch: RecordBatch): void;
  pushWatermark(timestamp: number): void;
  pushIdle(idle: boolean): void;
}

/** What one operator subtask restores from: keyed snapshots of every old subtask whose key groups intersect. */
export interface OperatorSubtaskRestore {
  readonly keyed: readonly ParsedKeyedState[];
  /** Already redistributed for this subtask (operator-state.ts `redistributeOperatorState`). */
  readonly operatorState: readonly OperatorStateList[];
  /** Raw state, already redistributed for this subtask (raw-state.ts `redistributeRawState`); none when absent. */
  readonly rawState?: readonly RestoredRawState[];
  /** The checkpoint or savepoint it comes from (a restored sink commits what that checkpoint left pending). */
  readonly checkpointId?: number;
}

/**
 * How keyed state is snapshotted (incremental checkpoints, docs/checkpoints.md): `full` for savepoints and
 * storages without chains (change tracking untouched), `base` a full snapshot that starts a chain, `changes` what
 * changed since the previous base or changes (a full base when the backend cannot say).
 */
export type KeyedSnapshotMode = 'full' | 'base' | 'changes';

/**
 * The synchronous part of one operator subtask's checkpoint; `keyed` (a full snapshot) or `keyedChanges` (a
 * delta, mode `changes` only) is written out asynchronously, then released.
 */
export interface OperatorSubtaskSnapshot {
  readonly operatorId: string;
  readonly uid: string | null;
  readonly subtask: number;
  readonly parallelism: number;
  readonly maxParallelism: number;
  readonly keyGroupRange: KeyGroupRange;
  readonly keyed: KeyedStateSnapshot | undefined;
  readonly keyedChanges?: KeyedStateDelta;
  readonly operatorState: readonly OperatorStateList[];
  /** The bytes of each raw state, as user code last wrote them. */
  readonly rawState: readonly RawStateSnapshot[];
}

/** What the task provides to every host of its chain. */
export interface HostEnvironment {
  readonly subtask: number;
  readonly parallelism: number;
  readonly maxParallelism: number;
  readonly clock: Clock;
  readonly backendType: StateBackendType;
  /** `state.backend.disk.cache-cells`: when set, bounds the disk backend's cache instead of `diskCacheBytes`. */
  readonly diskCacheCells?: number | null | undefined;
  /** `state.backend.disk.cache-size`, in bytes. */
  readonly diskCacheBytes?: number | undefined;
  readonly localStateDir: string;
  readonly restore: OperatorSubtaskRestore | undefined;
  /** Whether the job takes checkpoints (default false). */
  readonly checkpointing?: boolean;
  /**
   * Per input, whether the key groups its batches carry are those of the operator's key (output-writer.ts
   * `keyGroupInputs`; the head of a chain only). Elsewhere they are dropped before the operator sees the batch.
   */
  readonly keyGroupInputs?: readonly boolean[];
  defer(work: Promise<unknown>, host: OperatorHost): void;
  /** The task-wide description of where the current rows come from. */
  recordOrigin: string | undefined;
}

/**
 * State the runtime's own operators keep, known even when a hand-built graph does not declare it: operator state
 * of sources and sinks, and the write times of state TTL (state-ttl.ts), which the graph never declares.
 */
const BUILTIN_STATE: Partial<Record<Operator['spec']['kind'], readonly StateDescriptor[]>> = {
  source: [SOURCE_SPLITS_STATE],
  sink: [SINK_PENDING_STATE],
  group_aggregate: [TTL_STATE],
  join: [TTL_STATE],
  deduplicate: [TTL_STATE],
  process: [TTL_STATE, TTL_ELEMENT_TIMES, TTL_ENTRY_TIMES],
};

/**
 * Runs one operator of a chain in one subtask: implements the OperatorContext the operator sees (keyed state,
 * created on first use with the configured backend; operator state; timers; metrics) and the Downstream its
 * upstream calls. Every call into the operator is wrapped so that a failure names this operator, the subtask,
 * the row (when the operator reports it) and where the rows came from.
 */
export class OperatorHost implements OperatorContext, Downstream {
  readonly metrics = new OperatorMetrics();
  readonly keyGroupRange: KeyGroupRange;
  readonly subtask: number;
  readonly parallelism: number;
  readonly maxParallelism: number;
  readonly clock: Clock;
  readonly isRestored: boolean;
  readonly restoredCheckpointId: number | undefined;
  readonly isCheckpointing: boolean;
  currentWatermark = -Infinity;
  downstream!: Downstream;
  private readonly operatorState = new OperatorStateStore();
  private readonly rawState = new RawStateStore();
  private keyed: { backend: KeyedStateBackend; current: CurrentKey; timers: TimerService } | undefined;
  private readonly handles = new Map<string, { kind: string; handle: unknown }>();

  constructor(
    readonly operator: Operator,
    readonly impl: StreamOperator | SourceOperator,
    private readonly env: HostEnvironment,
  ) {
    this.subtask = env.subtask;
    this.parallelism = env.parallelism;
    this.maxParallelism = env.maxParallelism;
    this.clock = env.clock;
    this.keyGroupRange = keyGroupRangeForSubtask(env.subtask, env.parallelism, env.maxParallelism);
    this.isRestored = env.restore !== undefined;
    this.restoredCheckpointId = env.restore?.checkpointId;
    this.isCheckpointing = env.checkpointing ?? false;
    if (env.restore !== undefined) this.restore(env.restore);
  }

  get label(): string {
    return `operator '${this.operator.uid ?? this.operator.id}' subtask ${this.subtask + 1}/${this.parallelism}`;
  }

  private restore(restore: OperatorSubtaskRestore): void {
    this.operatorState.restore(restore.operatorState);
    this.rawState.restore(restore.rawState ?? []);
    const relevant = restore.keyed.filter((s) => rangesIntersect(s.header.keyGroupRange, this.keyGroupRange));
    for (const snapshot of restore.keyed) {
      if (snapshot.header.maxParallelism !== this.maxParallelism) {
        throw new Error(
          `${this.label}: the snapshot was taken with max parallelism ${snapshot.header.maxParallelism}, this job has ` +
            `${this.maxParallelism}; key groups cannot be remapped, so the restore is refused (keep 'pipeline.max-parallelism' unchanged)`,
        );
      }
    }
    if (relevant.length === 0) return;
    const keyed = this.ensureKeyed();
    for (const snapshot of relevant) keyed.backend.restore(keyed.timers.restore(snapshot.entries), snapshot.header.states);
  }

  private ensureKeyed(): { backend: KeyedStateBackend; current: CurrentKey; timers: TimerService } {
    if (this.keyed === undefined) {
      const backend = createKeyedStateBackend(this.env.backendType, this.maxParallelism, this.keyGroupRange, {
        localDir: this.env.localStateDir,
        diskCacheCells: this.env.diskCacheCells,
        diskCacheBytes: this.env.diskCacheBytes,
        name: `${this.operator.id}.${this.subtask}`,
      });
      const current = new CurrentKey(this.maxParallelism, this.keyGroupRange, this.label);
      const windowTimerStates = 'windowTimerStates' in this.impl ? this.impl.windowTimerStates : undefined;
      this.keyed = { backend, current, timers: new TimerService(backend, current, windowTimerStates) };
    }
    return this.keyed;
  }

  // ---- OperatorContext ----

  output(batch: RecordBatch): void {
    if (batch.rows.length === 0) return;
    this.metrics.recordsOut += batch.rows.length;
    this.downstream.pushBatch(batch);
  }

  setCurrentKey(key: readonly unknown[], encoded?: string, keyGroup?: number): void {
    this.ensureKeyed().current.set(key, encoded, keyGroup);
  }

  forEachKey(state: string, visit: (key: readonly unknown[], encoded: string) => void): void {
    const { backend, current } = this.ensureKeyed();
    const keys = new Map<string, number>();
    for (const cell of backend.keys(state)) keys.set(cell.key, cell.keyGroup);
    for (const [encoded, keyGroup] of keys) {
      const key = decodeKey(encoded);
      current.setEncoded(key, encoded, keyGroup);
      visit(key, encoded);
    }
  }

  get currentKey(): readonly unknown[] | undefined {
    return this.keyed?.current.key;
  }

  getState<D extends KeyedStateDescriptor>(descriptor: D): StateFor<D> {
    const declared = this.declaration(descriptor.name, 'keyed');
    if (declared.kind !== descriptor.kind) {
      throw new Error(`${this.label} asks for keyed ${descriptor.kind} state '${descriptor.name}', which the job graph declares as ${declared.kind} state`);
    }
    const cached = this.handles.get(descriptor.name);
    if (cached !== undefined && cached.kind === descriptor.kind) return cached.handle as StateFor<D>;
    const keyed = this.ensureKeyed();
    const handle = createKeyedState(keyed.backend, keyed.current, descriptor);
    this.handles.set(descriptor.name, { kind: descriptor.kind, handle });
    return handle;
  }

  getOperatorListState<T>(name: string): OperatorListState<T> {
    const declared = this.declaration(name, 'operator');
    if (declared.kind === 'raw') throw new Error(`${this.label} asks for operator list state '${name}', which the job graph declares as raw state`);
    return this.operatorState.getListState<T>(name, declared.redistribution ?? 'split');
  }

  getRawState(name: string): RawState {
    const declared = this.declaration(name, 'operator');
    if (declared.kind !== 'raw') throw new Error(`${this.label} asks for raw state '${name}', which the job graph declares as ${declared.kind} state`);
    return this.rawState.get(name);
  }

  /** State must be declared so that checkpoints, savepoints and the compatibility check know it without running. */
  private declaration(name: string, scope: 'keyed' | 'operator'): StateDescriptor {
    const declared =
      this.operator.state.find((s) => s.name === name) ?? BUILTIN_STATE[this.operator.spec.kind]?.find((s) => s.name === name);
    if (declared === undefined || declared.scope !== scope) {
      throw new Error(
        `${this.label} uses ${scope} state '${name}', which the job graph does not declare for it: ` +
          `add a StateDescriptor { name: '${name}', scope: '${scope}', … } to the operator's state`,
      );
    }
    return declared;
  }

  get timers(): Timers {
    return this.ensureKeyed().timers;
  }

  defer(work: Promise<unknown>): void {
    this.env.defer(work, this);
  }

  emitWatermark(timestamp: number): void {
    if (timestamp <= this.currentWatermark) return;
    this.currentWatermark = timestamp;
    this.metrics.watermark = timestamp;
    this.downstream.pushWatermark(timestamp);
  }

  emitIdle(idle: boolean): void {
    this.downstream.pushIdle(idle);
  }

  setRecordOrigin(origin: string | undefined): void {
    this.env.recordOrigin = origin;
  }

  // ---- Downstream (called by the upstream operator or the task) ----

  pushBatch(batch: RecordBatch): void {
    this.processInput(batch, 0);
  }

  processInput(batch: RecordBatch, input: number): void {
    this.metrics.recordsIn += batch.rows.length;
    if (batch.keyGroups !== undefined && this.env.keyGroupInputs?.[input] !== true) batch = makeBatch(batch.rows, batch.kinds);
    try {
      (this.impl as StreamOperator).processBatch(batch, input);
    } catch (error) {
      throw this.failure(error);
    }
  }

  /** Fires due event-time timers, lets the operator see the watermark, then forwards it. */
  pushWatermark(timestamp: number): void {
    if (timestamp <= this.currentWatermark) return;
    this.currentWatermark = timestamp;
    this.metrics.watermark = timestamp;
    try {
      this.keyed?.timers.advanceWatermark(timestamp, this.fireTimer);
      (this.impl as StreamOperator).onWatermark(timestamp);
    } catch (error) {
      throw this.failure(error);
    }
    this.downstream.pushWatermark(timestamp - ((this.impl as StreamOperator).watermarkHoldbackMs ?? 0));
  }

  pushIdle(idle: boolean): void {
    this.downstream.pushIdle(idle);
  }

  private readonly fireTimer = (timer: Timer): void => {
    (this.impl as StreamOperator).onTimer(timer);
  };

  /** The earliest processing-time timer, if any. */
  nextProcessingTime(): number | undefined {
    return this.keyed?.timers.nextProcessingTime();
  }

  fireProcessingTimers(now: number): void {
    try {
      this.keyed?.timers.advanceProcessingTime(now, this.fireTimer);
    } catch (error) {
      throw this.failure(error);
    }
  }

  /** Runs a lifecycle hook of the operator, attributing failures to it. */
  async call<R>(hook: (impl: StreamOperator & SourceOperator) => R | Promise<R>): Promise<R> {
    try {
      return await hook(this.impl as StreamOperator & SourceOperator);
    } catch (error) {
      throw this.failure(error);
    }
  }

  failure(error: unknown): OperatorFailure {
    if (error instanceof OperatorFailure) return error;
    return new OperatorFailure(this.operator, this.subtask, this.parallelism, error, this.env.recordOrigin);
  }

  get isSource(): boolean {
    return isSourceOperator(this.impl);
  }

  /**
   * The synchronous part of a checkpoint for this operator: the operator's `snapshotState` hook first (it may
   * move buffered data into state), then a frozen view of keyed state and a copy of operator state; raw state's
   * bytes were copied when written.
   */
  async snapshot(checkpointId: number, keyedMode: KeyedSnapshotMode = 'full'): Promise<OperatorSubtaskSnapshot> {
    await this.call((impl) => impl.snapshotState(checkpointId));
    const keyed = this.keyed;
    const keyedChanges = keyedMode === 'changes' && keyed !== undefined ? snapshotChangesWithTimers(keyed.backend, keyed.timers) : undefined;
    return {
      operatorId: this.operator.id,
      uid: this.operator.uid,
      subtask: this.subtask,
      parallelism: this.parallelism,
      maxParallelism: this.maxParallelism,
      keyGroupRange: this.keyGroupRange,
      keyed: keyedChanges === undefined && keyed !== undefined ? snapshotWithTimers(keyed.backend, keyed.timers, keyedMode !== 'full') : undefined,
      ...(keyedChanges === undefined ? {} : { keyedChanges }),
      operatorState: this.operatorState.snapshot(),
      rawState: this.rawState.snapshot(),
    };
  }

  /** Frees keyed state (memory, database files). */
  dispose(): void {
    this.keyed?.backend.dispose();
  }
}

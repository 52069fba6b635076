import type { JobConfig } from '../../compiler/config/job-config.js';
import { graphDigest } from '../../compiler/graph/digest.js';
import { redactGraphSecrets } from '../../connectors/secrets.js';
import type { JobGraph } from '../../compiler/graph/job-graph.js';
import type { Clock } from '../time/clock.js';
import type { CheckpointAcknowledgement, CoordinatorPort, StopMode, TaskGateway } from './checkpoint-messages.js';
import type { CheckpointMetrics, CheckpointStats } from './checkpoint-stats.js';
import { CompletedCheckpointStore, type PastRetention } from './completed-checkpoint.js';
import type { CheckpointMetadata } from './metadata/metadata-format.js';
import { METADATA_FORMAT } from './metadata/metadata-v1.js';
import type { SubtaskState } from './metadata/metadata-v6.js';
import { channelStateOf, PendingCheckpoint, type RequestedCheckpoint } from './pending-checkpoint.js';
import { SavepointRouting } from './savepoint-storage.js';
import { filesOf, type CheckpointStorage, type DamagedCheckpoint, type StoredCheckpoint } from './storage/checkpoint-storage.js';

export type CoordinatorSettings = Omit<JobConfig['checkpointing'], 'mode' | 'retention' | 'unaligned' | 'alignedCheckpointTimeoutMs'> & { readonly numRetained: number };

/** What the coordinator reports to its job. */
export interface CoordinatorEvents {
  started(checkpoint: { readonly checkpointId: number; readonly triggeredAt: number; readonly final: boolean }): void;
  completed(stats: CheckpointStats): void;
  aborted(stats: CheckpointStats): void;
  /** More consecutive checkpoint failures than tolerated: the job must fail. */
  failed(error: Error): void;
}

export interface CoordinatorOptions {
  readonly settings: CoordinatorSettings;
  readonly storage: CheckpointStorage;
  readonly clock: Clock;
  readonly graph: JobGraph;
  readonly jobId: string;
  /** Written into every checkpoint's metadata (sink-connector.ts SinkContext). */
  readonly lineage: string;
  /** Ids continue after those of earlier runs, so no checkpoint directory is ever reused. */
  readonly firstCheckpointId: number;
  /** Completed checkpoints of earlier runs, which retention counts. */
  readonly found: readonly StoredCheckpoint[];
  /** Damaged checkpoints of earlier runs: deleted once retention has passed them. */
  readonly damaged?: readonly DamagedCheckpoint[];
  readonly events: CoordinatorEvents;
}

const HISTORY = 10;

/** A checkpoint asked for now: a savepoint (`savepoint`: where it goes) and/or the one that stops the job. */
export interface CheckpointRequest {
  readonly savepoint?: CheckpointStorage;
  readonly stop?: StopMode;
}

/**
 * Triggers checkpoints every `intervalMs` (honouring min-pause, max-concurrent and the timeout), collects the
 * tasks' acknowledgements, and completes a checkpoint when every task acknowledged it: writes its `_metadata`,
 * notifies every task (sinks commit) and discards checkpoints beyond retention. When every task has finished
 * its input it takes the final checkpoint and then releases the tasks. Its bookkeeping lives in small structs
 * (PendingCheckpoint, CompletedCheckpointStore); it outlives the job's attempts: `start` with the tasks of an
 * attempt, `stop` when it ends.
 */
export class CheckpointCoordinator implements CoordinatorPort {
  private tasks = new Map<string, TaskGateway>();
  private readonly finished = new Set<string>();
  private readonly pending = new Map<number, PendingCheckpoint>();
  /** Pending checkpoints whose metadata is being written: no longer abortable. */
  private readonly completing = new Set<PendingCheckpoint>();
  private readonly store: CompletedCheckpointStore;
  private readonly digest: string;
  /** The graph as metadata records it: credentials hidden (connectors/secrets.ts). */
  private readonly recordedGraph: JobGraph;
  private nextId: number;
  private cancelTimer: (() => void) | undefined;
  private lastTriggerAt = 0;
  private lastEndedAt = -Infinity;
  private consecutiveFailures = 0;
  private running = false;
  private completions: Promise<void> = Promise.resolve();
  /** Completions run one at a time in acknowledgement order; this is the newest that completed. */
  private latestCompletedId = 0;
  private readonly cleanups = new Set<Promise<void>>();
  private readonly counts = { completed: 0, aborted: 0 };
  private readonly history: CheckpointStats[] = [];
  /** Checkpoint storage, with savepoints routed to their own directories. Tasks write through it too. */
  readonly storage: SavepointRouting;
  /** The newest savepoint taken: restarts never go back to a checkpoint older than it. */
  private latestSavepoint: StoredCheckpoint | undefined;
  /** Stop with drain: waiting for every task to finish, then this savepoint is the final checkpoint. */
  private draining: RequestedCheckpoint | undefined;
  /**
   * Stop with a savepoint (suspend) is pending or completed: no periodic checkpoint starts, as Flink stops its
   * scheduler for a stop-with-savepoint. One started after the sources stopped would be cut short as the job ends,
   * and its write, declined as a failure, would restart the job from the savepoint instead of ending it.
   */
  private stopping = false;

  constructor(private readonly options: CoordinatorOptions) {
    this.store = new CompletedCheckpointStore(options.settings.numRetained, options.found, options.damaged);
    this.digest = graphDigest(options.graph);
    this.recordedGraph = redactGraphSecrets(options.graph);
    this.nextId = options.firstCheckpointId;
    this.storage = new SavepointRouting(options.storage);
  }

  /** Starts checkpointing the tasks of an attempt. */
  start(tasks: readonly TaskGateway[]): void {
    this.tasks = new Map(tasks.map((t) => [t.name, t]));
    this.finished.clear();
    this.running = true;
    this.stopping = false;
    this.lastTriggerAt = this.options.clock.now();
    this.scheduleNext();
  }

  /** Stops triggering and aborts what is pending (not counted as failures); resolves once completions and cleanups ended. */
  async stop(): Promise<void> {
    this.running = false;
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    for (const pending of [...this.pending.values()]) this.abort(pending, 'the job stopped before it completed', false);
    this.draining?.reject(new Error('the job stopped before every task finished'));
    this.draining = undefined;
    this.tasks = new Map();
    await this.completions;
    while (this.cleanups.size > 0) await Promise.all(this.cleanups);
  }

  /** Retained completed checkpoints newest first, down to the latest savepoint: nothing older than it is used. */
  completedNewestFirst(): StoredCheckpoint[] {
    const savepoint = this.latestSavepoint;
    if (savepoint === undefined) return this.store.newestFirst();
    return [...this.store.newestFirst().filter((c) => c.metadata.checkpointId > savepoint.metadata.checkpointId), savepoint];
  }

  /** Deletes every retained checkpoint (DELETE_ON_CANCELLATION); savepoints are the user's and stay. */
  async discardAll(): Promise<void> {
    await Promise.all(this.discard(this.store.removeAll()));
  }

  /**
   * Takes a checkpoint now, outside the schedule: a savepoint into `request.savepoint`, and/or the checkpoint that
   * stops the job (`suspend`: sources stop reading after its barrier; `drain`: sources end their input first, and
   * it is the final checkpoint). Resolves once it completed and every task was told (sinks commit); rejects with
   * the reason when it is aborted (suspended sources then read on). Periodic checkpoints wait meanwhile.
   */
  requestCheckpoint(request: CheckpointRequest): Promise<StoredCheckpoint> {
    if (!this.running) return Promise.reject(new Error('the job is not running (it ended or is restarting); try again'));
    if (this.draining !== undefined || this.stopping || [...this.pending.values()].some((p) => p.requested?.request.stop !== undefined)) {
      return Promise.reject(new Error('the job is already stopping'));
    }
    return new Promise<StoredCheckpoint>((resolve, reject) => {
      const requested: RequestedCheckpoint = { request, resolve, reject };
      const allFinished = this.finished.size === this.tasks.size;
      if (request.stop === 'drain' && !allFinished) {
        this.draining = requested;
        this.cancelTimer?.();
        this.cancelTimer = undefined;
        for (const task of this.tasks.values()) if (task.isSource) task.drain();
      } else {
        if (request.stop === 'suspend') this.stopping = true;
        this.trigger(allFinished, requested);
      }
    });
  }

  metrics(): CheckpointMetrics {
    return {
      completed: this.counts.completed,
      aborted: this.counts.aborted,
      inProgress: this.pending.size,
      latestCompleted: this.history.find((s) => s.status === 'completed') ?? null,
      latestAborted: this.history.find((s) => s.status === 'aborted') ?? null,
      history: [...this.history],
    };
  }

  // ---- CoordinatorPort ----

  acknowledge(ack: CheckpointAcknowledgement): void {
    const pending = this.pending.get(ack.checkpointId);
    if (pending === undefined) {
      // Late: the checkpoint was aborted meanwhile. Its files are of no use.
      this.track(this.storage.discard(ack.checkpointId, ack.operators.flatMap((op) => op.state.keyedState)));
      return;
    }
    if (!pending.acknowledge(ack)) return;
    pending.cancelTimeout();
    this.completing.add(pending);
    this.completions = this.completions.then(() => this.complete(pending));
  }

  decline(task: string, checkpointId: number, reason: string, isFailure: boolean): void {
    const pending = this.pending.get(checkpointId);
    if (pending !== undefined) this.abort(pending, `task ${task} declined it: ${reason}`, isFailure);
  }

  taskFinished(task: string): void {
    const gateway = this.tasks.get(task);
    if (!this.running || gateway === undefined) return;
    this.finished.add(task);
    // Checkpoints still waiting for this task's barrier get its final state instead.
    for (const pending of this.pending.values()) if (!pending.isAcknowledgedBy(task)) gateway.trigger(pending.checkpointId, pending.triggeredAt, pending.triggerOptions);
    if (this.finished.size === this.tasks.size) {
      this.cancelTimer?.();
      // A savepoint or stop asked for before the input ended gets every task's final state: it is the final
      // checkpoint. Another one would be newer and subsume it, failing the request of a job that merely ended.
      const requested = this.draining === undefined ? [...this.pending.values()].find((p) => p.requested !== undefined) : undefined;
      if (requested !== undefined) {
        requested.final = true;
        return;
      }
      const draining = this.draining;
      this.draining = undefined;
      this.trigger(true, draining);
    }
  }

  // ---- the protocol ----

  private scheduleNext(): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    const { intervalMs, minPauseMs } = this.options.settings;
    if (!this.running || intervalMs === null || this.finished.size === this.tasks.size || this.draining !== undefined || this.stopping) return;
    const at = Math.max(this.lastTriggerAt + intervalMs, this.lastEndedAt + minPauseMs);
    this.cancelTimer = this.options.clock.setTimer(at, () => {
      this.cancelTimer = undefined;
      const { maxConcurrent } = this.options.settings;
      // Busy: the end of a pending checkpoint schedules the next one.
      const requestPending = [...this.pending.values()].some((p) => p.requested !== undefined);
      if (requestPending || this.pending.size >= maxConcurrent || (minPauseMs > 0 && this.pending.size > 0)) return;
      this.trigger(false);
    });
  }

  private trigger(final: boolean, requested?: RequestedCheckpoint): void {
    const { clock, settings, events } = this.options;
    const checkpointId = this.nextId++;
    const now = clock.now();
    const pending = new PendingCheckpoint(checkpointId, now, new Set(this.tasks.keys()), final, requested);
    this.pending.set(checkpointId, pending);
    const savepoint = requested?.request.savepoint;
    if (savepoint !== undefined) this.storage.route(checkpointId, savepoint);
    this.lastTriggerAt = now;
    pending.cancelTimeout = clock.setTimer(now + settings.timeoutMs, () =>
      this.abort(
        pending,
        `expired: not acknowledged by every task within ${settings.timeoutMs} ms (${pending.acknowledgements.size} of ${this.tasks.size} did)`,
        true,
      ),
    );
    events.started({ checkpointId, triggeredAt: now, final });
    for (const task of this.tasks.values()) if (task.isSource || this.finished.has(task.name)) task.trigger(checkpointId, now, pending.triggerOptions);
    this.scheduleNext();
  }

  private async complete(pending: PendingCheckpoint): Promise<void> {
    const { clock, events } = this.options;
    const storage = this.storage;
    // Acknowledged after a newer checkpoint already was (a task's asynchronous write for it took longer): it is
    // subsumed. Completing it after the newer one would make an older checkpoint the latest, and a non-final one
    // the last of a finished job.
    if (pending.checkpointId < this.latestCompletedId) {
      this.completing.delete(pending);
      this.abort(pending, `subsumed by checkpoint ${this.latestCompletedId}`, false);
      return;
    }
    let stored: StoredCheckpoint;
    try {
      stored = await storage.complete(this.metadataOf(pending));
    } catch (error) {
      this.completing.delete(pending);
      this.abort(pending, `writing its metadata failed: ${(error as Error).message}`, true);
      return;
    }
    this.completing.delete(pending);
    this.pending.delete(pending.checkpointId);
    this.latestCompletedId = pending.checkpointId;
    for (const older of [...this.pending.values()]) {
      if (older.checkpointId < pending.checkpointId) this.abort(older, `subsumed by checkpoint ${pending.checkpointId}`, false);
    }
    const isSavepoint = pending.requested?.request.savepoint !== undefined;
    // Savepoints are not retained checkpoints: retention neither counts nor deletes them.
    const discarded = isSavepoint ? undefined : this.store.add(stored);
    if (isSavepoint) {
      this.storage.unroute(pending.checkpointId);
      this.latestSavepoint = stored;
    }
    this.consecutiveFailures = 0;
    this.counts.completed++;
    const stats = pending.stats('completed', clock.now(), { location: stored.location.description });
    this.record(stats);
    events.completed(stats);
    if (this.running) {
      for (const task of this.tasks.values()) task.notifyComplete(pending.checkpointId);
      if (pending.final) for (const task of this.tasks.values()) task.release();
    }
    pending.requested?.resolve(stored);
    if (discarded !== undefined) for (const cleanup of this.discard(discarded)) this.track(cleanup);
    this.lastEndedAt = clock.now();
    this.scheduleNext();
  }

  private abort(pending: PendingCheckpoint, reason: string, isFailure: boolean): void {
    if (this.completing.has(pending) || !this.pending.delete(pending.checkpointId)) return;
    const { clock, events, settings } = this.options;
    pending.cancelTimeout();
    this.track(this.storage.discard(pending.checkpointId, pending.files));
    pending.requested?.reject(new Error(`checkpoint ${pending.checkpointId} was aborted: ${reason}`));
    this.counts.aborted++;
    const stats = pending.stats('aborted', clock.now(), { failure: reason });
    this.record(stats);
    events.aborted(stats);
    if (this.running) for (const task of this.tasks.values()) task.notifyAborted(pending.checkpointId);
    // The stop failed: the job goes on, and so do its periodic checkpoints.
    if (pending.requested?.request.stop === 'suspend') this.stopping = false;
    this.lastEndedAt = clock.now();
    if (isFailure && ++this.consecutiveFailures > settings.tolerableFailures) {
      this.running = false;
      this.cancelTimer?.();
      events.failed(
        new Error(
          `checkpoint ${pending.checkpointId} failed: ${reason}; that is ${this.consecutiveFailures} failed checkpoint(s) in a row and ` +
            `'execution.checkpointing.tolerable-failed-checkpoints' is ${settings.tolerableFailures}`,
        ),
      );
      return;
    }
    // The final checkpoint is what lets a finished job end: try again.
    if (this.running && pending.final) this.trigger(true);
    else this.scheduleNext();
  }

  private metadataOf(pending: PendingCheckpoint): CheckpointMetadata {
    const { jobId, lineage, storage } = this.options;
    const graph = this.recordedGraph;
    const subtasks = new Map<string, SubtaskState[]>();
    for (const ack of pending.acknowledgements.values()) {
      for (const op of ack.operators) {
        const list = subtasks.get(op.operatorId) ?? [];
        list.push(op.state);
        subtasks.set(op.operatorId, list);
      }
    }
    return {
      format: METADATA_FORMAT,
      version: 10,
      type: pending.requested?.request.savepoint === undefined ? 'checkpoint' : 'savepoint',
      jobId,
      pipelineName: graph.config.pipelineName,
      graphDigest: this.digest,
      checkpointId: pending.checkpointId,
      timestamp: pending.triggeredAt,
      // Every acknowledgement is in: what is left (writing _metadata) takes no time worth telling apart.
      completedAt: this.options.clock.now(),
      maxParallelism: graph.config.maxParallelism,
      stateBackend: storage.backend,
      operators: graph.operators.map((op) => ({
        uid: op.uid,
        id: op.id,
        kind: op.spec.kind,
        name: op.name,
        parallelism: op.parallelism,
        state: op.state,
        spec: op.spec,
        subtasks: (subtasks.get(op.id) ?? []).sort((a, b) => a.subtask - b.subtask),
      })),
      graph,
      lineage,
      unaligned: [...pending.acknowledgements.values()].some((ack) => ack.unaligned === true),
      channelState: channelStateOf(pending.acknowledgements.values()),
    };
  }

  private discard({ checkpoints, damaged }: PastRetention): Promise<void>[] {
    return [
      ...checkpoints.map((c) => this.storage.discard(c.metadata.checkpointId, filesOf(c.metadata))),
      // Their metadata is unusable, so their shared files are not known: the next start removes them as orphans.
      ...damaged.map((d) => this.storage.discard(d.checkpointId, [])),
    ];
  }

  private record(stats: CheckpointStats): void {
    this.history.unshift(stats);
    if (this.history.length > HISTORY) this.history.pop();
  }

  /** Cleanup is best effort: what fails here is found and removed at the next start (storage.recover). */
  private track(cleanup: Promise<void>): void {
    const settled = cleanup.catch(() => undefined);
    this.cleanups.add(settled);
    void settled.then(() => this.cleanups.delete(settled));
  }
}

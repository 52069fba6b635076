import type { JobConfig } from '../../compiler/config/job-config.js';
import { graphDigest } from '../../compiler/graph/digest.js';
import type { JobGraph } from '../../compiler/graph/job-graph.js';
import type { Clock } from '../time/clock.js';
import type { CheckpointAcknowledgement, CoordinatorPort, TaskGateway } from './checkpoint-messages.js';
import type { CheckpointMetrics, CheckpointStats } from './checkpoint-stats.js';
import { CompletedCheckpointStore } from './completed-checkpoint.js';
import type { CheckpointMetadata } from './metadata/metadata-format.js';
import { METADATA_FORMAT, type SubtaskState } from './metadata/metadata-v1.js';
import { PendingCheckpoint } from './pending-checkpoint.js';
import { filesOf, type CheckpointStorage, type StoredCheckpoint } from './storage/checkpoint-storage.js';

export type CoordinatorSettings = Omit<JobConfig['checkpointing'], 'mode' | 'retention'> & { readonly numRetained: number };

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
  /** Ids continue after those of earlier runs, so no checkpoint directory is ever reused. */
  readonly firstCheckpointId: number;
  /** Completed checkpoints of earlier runs, which retention counts. */
  readonly found: readonly StoredCheckpoint[];
  readonly events: CoordinatorEvents;
}

const HISTORY = 10;

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
  private nextId: number;
  private cancelTimer: (() => void) | undefined;
  private lastTriggerAt = 0;
  private lastEndedAt = -Infinity;
  private consecutiveFailures = 0;
  private running = false;
  private completions: Promise<void> = Promise.resolve();
  private readonly cleanups = new Set<Promise<void>>();
  private readonly counts = { completed: 0, aborted: 0 };
  private readonly history: CheckpointStats[] = [];

  constructor(private readonly options: CoordinatorOptions) {
    this.store = new CompletedCheckpointStore(options.settings.numRetained, options.found);
    this.digest = graphDigest(options.graph);
    this.nextId = options.firstCheckpointId;
  }

  /** Starts checkpointing the tasks of an attempt. */
  start(tasks: readonly TaskGateway[]): void {
    this.tasks = new Map(tasks.map((t) => [t.name, t]));
    this.finished.clear();
    this.running = true;
    this.lastTriggerAt = this.options.clock.now();
    this.scheduleNext();
  }

  /** Stops triggering and aborts what is pending (not counted as failures); resolves once completions and cleanups ended. */
  async stop(): Promise<void> {
    this.running = false;
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    for (const pending of [...this.pending.values()]) this.abort(pending, 'the job stopped before it completed', false);
    this.tasks = new Map();
    await this.completions;
    while (this.cleanups.size > 0) await Promise.all(this.cleanups);
  }

  /** Retained completed checkpoints, newest first. */
  completedNewestFirst(): StoredCheckpoint[] {
    return this.store.newestFirst();
  }

  /** Deletes every retained checkpoint (DELETE_ON_CANCELLATION). */
  async discardAll(): Promise<void> {
    await Promise.all(this.store.removeAll().map((c) => this.options.storage.discard(c.metadata.checkpointId, filesOf(c.metadata))));
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
      this.track(this.options.storage.discard(ack.checkpointId, ack.operators.flatMap((op) => op.state.keyedState)));
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
    for (const pending of this.pending.values()) if (!pending.isAcknowledgedBy(task)) gateway.trigger(pending.checkpointId, pending.triggeredAt);
    if (this.finished.size === this.tasks.size) {
      this.cancelTimer?.();
      this.trigger(true);
    }
  }

  // ---- the protocol ----

  private scheduleNext(): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    const { intervalMs, minPauseMs } = this.options.settings;
    if (!this.running || intervalMs === null || this.finished.size === this.tasks.size) return;
    const at = Math.max(this.lastTriggerAt + intervalMs, this.lastEndedAt + minPauseMs);
    this.cancelTimer = this.options.clock.setTimer(at, () => {
      this.cancelTimer = undefined;
      const { maxConcurrent } = this.options.settings;
      // Busy: the end of a pending checkpoint schedules the next one.
      if (this.pending.size >= maxConcurrent || (minPauseMs > 0 && this.pending.size > 0)) return;
      this.trigger(false);
    });
  }

  private trigger(final: boolean): void {
    const { clock, settings, events } = this.options;
    const checkpointId = this.nextId++;
    const now = clock.now();
    const pending = new PendingCheckpoint(checkpointId, now, new Set(this.tasks.keys()), final);
    this.pending.set(checkpointId, pending);
    this.lastTriggerAt = now;
    pending.cancelTimeout = clock.setTimer(now + settings.timeoutMs, () =>
      this.abort(
        pending,
        `expired: not acknowledged by every task within ${settings.timeoutMs} ms (${pending.acknowledgements.size} of ${this.tasks.size} did)`,
        true,
      ),
    );
    events.started({ checkpointId, triggeredAt: now, final });
    for (const task of this.tasks.values()) if (task.isSource || this.finished.has(task.name)) task.trigger(checkpointId, now);
    this.scheduleNext();
  }

  private async complete(pending: PendingCheckpoint): Promise<void> {
    const { storage, clock, events } = this.options;
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
    for (const older of [...this.pending.values()]) {
      if (older.checkpointId < pending.checkpointId) this.abort(older, `subsumed by checkpoint ${pending.checkpointId}`, false);
    }
    const discarded = this.store.add(stored);
    this.consecutiveFailures = 0;
    this.counts.completed++;
    const stats = pending.stats('completed', clock.now(), { location: stored.location.description });
    this.record(stats);
    events.completed(stats);
    if (this.running) {
      for (const task of this.tasks.values()) task.notifyComplete(pending.checkpointId);
      if (pending.final) for (const task of this.tasks.values()) task.release();
    }
    for (const old of discarded) this.track(storage.discard(old.metadata.checkpointId, filesOf(old.metadata)));
    this.lastEndedAt = clock.now();
    this.scheduleNext();
  }

  private abort(pending: PendingCheckpoint, reason: string, isFailure: boolean): void {
    if (this.completing.has(pending) || !this.pending.delete(pending.checkpointId)) return;
    const { storage, clock, events, settings } = this.options;
    pending.cancelTimeout();
    this.track(storage.discard(pending.checkpointId, pending.files));
    this.counts.aborted++;
    const stats = pending.stats('aborted', clock.now(), { failure: reason });
    this.record(stats);
    events.aborted(stats);
    if (this.running) for (const task of this.tasks.values()) task.notifyAborted(pending.checkpointId);
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
    const { graph, jobId, storage } = this.options;
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
      version: 1,
      type: 'checkpoint',
      jobId,
      pipelineName: graph.config.pipelineName,
      graphDigest: this.digest,
      checkpointId: pending.checkpointId,
      timestamp: pending.triggeredAt,
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
    };
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

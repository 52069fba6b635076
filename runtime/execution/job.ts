import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import type { Chain, JobGraph, Operator } from '../../compiler/graph/job-graph.js';
import { ConnectorRuntimes } from '../../connectors/runtime-registry.js';
import { Diagnostics } from '../../compiler/diagnostics/catalogue.js';
import type { CheckpointStats } from '../checkpoint/checkpoint-stats.js';
import { CheckpointCoordinator } from '../checkpoint/coordinator.js';
import { createRestartBackoff, type RestartBackoff } from '../checkpoint/restart-strategy.js';
import { chooseInitialRestore, restoreNewestIntact, type InitialRestore } from '../checkpoint/restore/choose-restore.js';
import type { RestorePlan } from '../checkpoint/restore/restore-plan.js';
import type { CheckpointStorage, RecoveredCheckpoints } from '../checkpoint/storage/checkpoint-storage.js';
import { newSavepointStorage } from '../checkpoint/savepoint-storage.js';
import { createCheckpointStorage } from '../checkpoint/storage/create-storage.js';
import { FileCheckpointStorage } from '../checkpoint/storage/file-storage.js';
import { JobLocks, sinkLockTargets } from '../locks/job-locks.js';
import { freshLocalStateDir, removeDeadStateDirs } from '../locks/local-state-dir.js';
import { lockOwner } from '../locks/lock-owner.js';
import { DiagnosticError } from '../diagnostic-error.js';
import { lineageOf } from '../checkpoint/metadata/metadata-v2.js';
import { checkCommittedOutput, committingSinks, type RestorePoint } from './committed-output-check.js';
import { checkParallelism } from '../state/key-groups.js';
import { systemClock, type Clock } from '../time/clock.js';
import { JobInputError } from '../job-input-error.js';
import { ExecutionAttempt, type AttemptResources } from './execution-attempt.js';
import { workerResources } from '../workers/worker-resources.js';
import { StartedSlotThreads } from '../workers/slot-worker.js';
import type { JobEvents, RestoreInfo } from './job-events.js';
import { callbackSinks, checkJobInputs } from './job-inputs.js';
import { OperatorFailure } from './operator-failure.js';
import type { CancelResult, JobMetrics, JobOptions, JobResult, OperatorMetricsReport, TaskMetricsReport } from './job-options.js';
import type { OperatorSubtaskRestore } from './operator-host.js';
import { epochNow } from './task-metrics.js';

const DEFAULT_BATCH_SIZE = 1024;
const DEFAULT_CHANNEL_CAPACITY = 8;
/**
 * Batches a channel holds by default when every task runs on the main thread (parallelism 1, or no slot workers).
 * Its producer and consumer then take turns on the thread, so batches queued beyond a couple only wait, and their
 * rows outlive young-generation collections, copied and promoted by V8's scavenger (q8 at parallelism 1: a
 * quarter less copied and promoted, V8's threads ~15 % less CPU; bench/README.md "q8: V8's threads"). With slot
 * workers the larger default stays, local channels included: there a producer held back by a full local channel
 * also holds back its consumers in other threads (q8 at parallelism 2 cost ~7 % more CPU with 2).
 */
const DEFAULT_ONE_THREAD_CHANNEL_CAPACITY = 2;

function toMap<V>(entries: ReadonlyMap<string, V> | Readonly<Record<string, V>> | undefined): ReadonlyMap<string, V> {
  if (entries === undefined) return new Map();
  return entries instanceof Map ? entries : new Map(Object.entries(entries as Readonly<Record<string, V>>));
}

type RestoreFunction = (operator: Operator, subtask: number) => OperatorSubtaskRestore | undefined;

/** Everything `Job.start` prepared before the first task runs. */
interface JobSetup {
  readonly resources: Omit<AttemptResources, 'checkpointing' | 'warn'>;
  readonly options: JobOptions;
  readonly localStateDir: string;
  readonly ownStateDir: boolean;
  /** Held from the start to the end of the job (runtime/locks/). */
  readonly locks: JobLocks;
  readonly storage: CheckpointStorage | undefined;
  readonly recovered: RecoveredCheckpoints | undefined;
  readonly initial: InitialRestore;
}

/**
 * A running job: every chain of the graph as `parallelism` subtasks, run as an ExecutionAttempt. `done` resolves
 * when bounded input is fully processed (or the job was cancelled) and rejects with an OperatorFailure naming the
 * operator when a subtask fails and the restart strategy gives up. With checkpointing
 * (`execution.checkpointing.interval`), a CheckpointCoordinator takes checkpoints of the running attempt; a
 * failure restarts every task from the latest completed checkpoint (a new attempt, with a new run id for sink
 * files), as the restart strategy allows. Events (checkpoints, restarts) are emitted on the job (JobEvents).
 */
export class Job extends EventEmitter<JobEvents> {
  readonly done: Promise<JobResult>;
  /** Where the job's state came from: a checkpoint or savepoint, or nothing (and why). */
  readonly restoreInfo: RestoreInfo;
  private readonly startedAt = performance.now();
  /** When `done` settled. */
  private endedAt: number | undefined;
  private readonly clock: Clock;
  private readonly coordinator: CheckpointCoordinator | undefined;
  private readonly restartBackoff: RestartBackoff;
  /** Checkpoints of this job are numbered from here; older ones belong to earlier runs. */
  private readonly firstCheckpointId: number;
  private cancelled = false;
  /** Set by `stop()` once the job is ending: the savepoint it took, if any. */
  private stopped: { readonly savepointPath?: string } | undefined;
  private attempt: ExecutionAttempt;
  private attempts = 0;
  private wakeFromDelay: (() => void) | undefined;
  /** The previous `metrics()` call: epoch milliseconds (task-metrics.ts), counts by operator id, times by task name. */
  private lastSample: { at: number; counts: Map<string, { in: number; out: number }>; tasks: Map<string, { bp: number; idle: number }> };

  private constructor(
    readonly graph: JobGraph,
    readonly jobId: string,
    private readonly setup: JobSetup,
  ) {
    super();
    this.clock = setup.resources.clock;
    this.restoreInfo = setup.initial.info;
    this.restartBackoff = createRestartBackoff(graph.config.restartStrategy);
    this.firstCheckpointId = Math.max(setup.recovered?.highestId ?? 0, setup.initial.chosen?.plan.checkpointId ?? 0) + 1;
    const { storage, recovered } = setup;
    if (graph.config.checkpointing.intervalMs !== null && storage !== undefined) {
      this.coordinator = new CheckpointCoordinator({
        settings: { ...graph.config.checkpointing, numRetained: graph.config.state.numRetained },
        storage,
        clock: this.clock,
        graph,
        jobId,
        lineage: setup.resources.lineage,
        firstCheckpointId: this.firstCheckpointId,
        found: (recovered?.completed ?? []).filter((c) => c.metadata.pipelineName === graph.config.pipelineName),
        damaged: recovered?.damaged ?? [],
        events: {
          started: (event) => this.emit('checkpoint-started', event),
          completed: (stats) => this.checkpointEnded('checkpoint-completed', stats),
          aborted: (stats) => this.checkpointEnded('checkpoint-aborted', stats),
          failed: (error) => this.attempt.fail(error),
        },
      });
    }
    this.lastSample = { at: performance.timeOrigin + this.startedAt, counts: new Map(), tasks: new Map() };
    // Built here so that a graph the runtime cannot run fails `Job.start` itself.
    this.attempt = this.buildAttempt(setup.initial.chosen?.plan.restore ?? setup.options.restore, setup.initial.chosen?.plan.inFlight);
    this.done = this.runAll();
  }

  /**
   * Prepares `graph` (finding its checkpoints and the state to start from) and starts it. Throws for a graph the
   * runtime cannot run (a planning bug), a JobInputError for `sources`/`sinks` it cannot use (SLC9160–9162), and a
   * CheckpointRestoreError for state it refuses to restore. First it removes the local state directories of
   * dead processes and locks the job's directories (checkpoints, file sinks, local state) until it ends; one held
   * by another running job is refused with a DiagnosticError (SLC9130–9133) before any checkpoint is read.
   */
  static async start(graph: JobGraph, options: JobOptions = {}): Promise<Job> {
    validateGraph(graph);
    if (options.rewindSinks === true && options.resume !== true && options.restoreFrom === undefined) {
      throw new DiagnosticError(Diagnostics.RewindWithoutRestore, {});
    }
    if (options.resumeBefore !== undefined && options.resume !== true) throw new DiagnosticError(Diagnostics.BeforeWithoutResume, {});
    const sourceFeeds = toMap(options.sources);
    const givenSinks = toMap(options.sinks);
    checkJobInputs(graph, sourceFeeds, givenSinks);
    const sinkCallbacks = callbackSinks(givenSinks);
    const config = graph.config;
    const jobId = options.jobId ?? `${config.pipelineName || 'job'}-${randomUUID().slice(0, 8)}`;
    const checkpointing = config.checkpointing.intervalMs !== null;
    const storage = options.checkpointStorage ?? (checkpointing || options.resume === true ? createCheckpointStorage(config) : undefined);
    if (checkpointing && storage === undefined) {
      throw new Error(`state backend '${config.state.backend}' writes checkpoints to files: set 'state.checkpoints.dir' (or use the memory backend)`);
    }
    const planned = await workerResources(graph, { sourceFeeds, sinkCallbacks, functionModules: options.functionModules ?? [] });
    // The slots' threads start now, so that their start (about a quarter of a second: Node's bootstrap of the thread,
    // the bundle, the functions modules and connectors) overlaps what this thread does before it builds the attempt.
    const workers = planned === undefined ? undefined : { ...planned, started: StartedSlotThreads.start(graph, planned.plan, planned.functionModules) };
    const started = workers?.started;
    let locks: JobLocks;
    let connectors: ConnectorRuntimes;
    const ownStateDir = options.localStateDir === undefined;
    const localStateDir = options.localStateDir ?? freshLocalStateDir();
    try {
      // Before anything is locked or read: a connector whose server is unreachable or whose table is missing fails here.
      connectors = await ConnectorRuntimes.open(graph, jobId, new Set([...sourceFeeds.keys(), ...sinkCallbacks.keys()]));
      await removeDeadStateDirs();
      // Before any checkpoint is read: a second job on these directories is refused before it touches them.
      locks = await JobLocks.take(
        [
          ...(storage instanceof FileCheckpointStorage ? [{ kind: 'checkpoints' as const, dir: storage.root }] : []),
          ...sinkLockTargets(graph, sinkCallbacks),
          { kind: 'state', dir: localStateDir },
        ],
        lockOwner(config.pipelineName || 'job', jobId),
      );
    } catch (error) {
      started?.terminate();
      throw error;
    }
    try {
      const recovered = storage === undefined ? undefined : await storage.recover();
      const chosen = await chooseInitialRestore(
        graph,
        {
          ...(options.restoreFrom === undefined ? {} : { restoreFrom: options.restoreFrom }),
          ...(options.resume === undefined ? {} : { resume: options.resume }),
          ...(options.resumeBefore === undefined ? {} : { before: options.resumeBefore.getTime() }),
          ...(options.allowNonRestoredState === undefined ? {} : { allowNonRestoredState: options.allowNonRestoredState }),
        },
        storage,
        recovered,
      );
      const initial = await checkInitialOutput(graph, chosen, options, sinkCallbacks);
      const resources: JobSetup['resources'] = {
        graph,
        jobId,
        clock: options.clock ?? systemClock,
        udfs: toMap(options.udfs),
        sourceFeeds,
        sinkCallbacks,
        processFunctions: toMap(options.processFunctions),
        sinkEnvironment: options.sinkEnvironment ?? {},
        connectors,
        batchSize: options.batchSize ?? DEFAULT_BATCH_SIZE,
        channelCapacity: options.channelCapacity ?? DEFAULT_CHANNEL_CAPACITY,
        oneThreadChannelCapacity: options.channelCapacity ?? DEFAULT_ONE_THREAD_CHANNEL_CAPACITY,
        // A restore continues the lineage of its snapshot; a start from scratch begins a new one.
        lineage: initial.chosen === undefined ? randomUUID() : lineageOf(initial.chosen.stored.metadata),
        workers,
      };
      const job = new Job(graph, jobId, { resources, options, localStateDir, ownStateDir, locks, storage, recovered, initial });
      // The first attempt adopted every thread its plan had; none is left but by a mistake.
      started?.terminate();
      return job;
    } catch (error) {
      started?.terminate();
      if (ownStateDir) fs.rmSync(localStateDir, { recursive: true, force: true });
      await locks.release();
      throw error;
    }
  }

  private async runAll(): Promise<JobResult> {
    // Tasks start on the next turn, so listeners added right after `Job.start` see every event.
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.emit('restored', this.restoreInfo);
    try {
      for (;;) {
        const failure = await this.runAttempt();
        if (failure === undefined || this.cancelled) break;
        if (restartCannotHelp(failure.error)) throw failure.error;
        const decision = this.restartBackoff.onFailure(this.clock.now());
        if (!decision.restart) throw failure.error;
        const from = await this.restartPoint();
        this.emit('restart', {
          attempt: this.attempts + 1,
          reason: failure.error instanceof Error ? failure.error.message : String(failure.error),
          error: failure.error,
          delayMs: decision.delayMs,
          checkpointId: from.checkpointId,
        });
        await this.delay(decision.delayMs);
        if (this.cancelled) break;
        this.attempt = this.buildAttempt(from.restore, from.inFlight);
      }
    } finally {
      this.endedAt = performance.now();
      try {
        if (this.setup.ownStateDir) fs.rmSync(this.setup.localStateDir, { recursive: true, force: true });
        // No later checkpoint of this job would list the base a chain merge in flight makes: stopped, not awaited.
        if (this.setup.storage instanceof FileCheckpointStorage) await this.setup.storage.abandonMerges();
        if (this.cancelled && this.graph.config.checkpointing.retention === 'DELETE_ON_CANCELLATION') await this.coordinator?.discardAll();
      } finally {
        await this.setup.locks.release();
      }
    }
    return {
      status: this.stopped !== undefined ? 'stopped' : this.cancelled ? 'cancelled' : 'finished',
      ...this.stopped,
      durationMs: this.endedAt - this.startedAt,
      metrics: this.metrics(),
    };
  }

  private buildAttempt(restore: RestoreFunction | undefined, inFlight: RestorePlan['inFlight'] | undefined): ExecutionAttempt {
    this.attempts++;
    const localStateDir = this.attemptStateDir();
    fs.mkdirSync(localStateDir, { recursive: true });
    const { storage } = this.setup;
    return ExecutionAttempt.build(
      {
        ...this.setup.resources,
        warn: (warning) => this.emit('warning', warning),
        checkpointing:
          this.coordinator === undefined || storage === undefined
            ? undefined
            : {
                mode: this.graph.config.checkpointing.mode,
                storage: this.coordinator.storage,
                coordinator: this.coordinator,
                // Workers write files themselves into the job's own directory; anything else goes through this thread.
                workerStorage:
                  storage instanceof FileCheckpointStorage && this.setup.options.checkpointStorage === undefined
                    ? { kind: 'files', root: storage.root, backend: storage.backend }
                    : { kind: 'main' },
              },
      },
      { runId: randomUUID().slice(0, 8), localStateDir, restore, inFlight },
    );
  }

  /** A checkpoint's end, and its subtasks' problems (a failed chain merge) as job warnings. */
  private checkpointEnded(event: 'checkpoint-completed' | 'checkpoint-aborted', stats: CheckpointStats): void {
    for (const subtask of stats.subtasks) {
      for (const message of subtask.problems) this.emit('warning', { operator: subtask.uid ?? subtask.operatorId, subtask: subtask.subtask, message });
    }
    this.emit(event, stats);
  }

  private attemptStateDir(): string {
    return path.join(this.setup.localStateDir, `attempt-${this.attempts}`);
  }

  /** Runs the current attempt to its end; its failure, if it failed. */
  private async runAttempt(): Promise<{ readonly error: unknown } | undefined> {
    const attempt = this.attempt;
    if (this.cancelled) attempt.stop();
    this.lastSample = { at: epochNow(), counts: new Map(), tasks: new Map() };
    this.coordinator?.start(attempt.checkpointers);
    let failure: { readonly error: unknown } | undefined;
    try {
      await attempt.run();
    } catch (error) {
      failure = { error };
    }
    // State writes still in flight end first: they may complete a checkpoint, or their files are discarded.
    await attempt.settled();
    await this.coordinator?.stop();
    fs.rmSync(this.attemptStateDir(), { recursive: true, force: true });
    return failure;
  }

  /**
   * What a restart restores: the newest intact checkpoint this job completed, else the state the job started
   * from (read again: restored state must not be shared between attempts).
   */
  private async restartPoint(): Promise<{
    readonly restore: RestoreFunction | undefined;
    readonly inFlight: RestorePlan['inFlight'] | undefined;
    readonly checkpointId: number | null;
  }> {
    const options = this.setup.options.allowNonRestoredState === undefined ? {} : { allowNonRestoredState: this.setup.options.allowNonRestoredState };
    const ours = this.coordinator?.completedNewestFirst().filter((c) => c.metadata.checkpointId >= this.firstCheckpointId) ?? [];
    const initial = this.setup.initial.chosen;
    const { chosen } = await restoreNewestIntact(initial === undefined ? ours : [...ours, initial.stored], this.graph, options);
    // A fall-back past a damaged checkpoint must not write its committed output again (nor a start from scratch).
    const point = { kind: 'checkpoint', checkpointId: chosen?.plan.checkpointId ?? 0, lineage: this.setup.resources.lineage } as const;
    const sinks = committingSinks(this.graph, this.setup.resources.sinkCallbacks);
    const rewound = await checkCommittedOutput(sinks, point, this.setup.options.rewindSinks === true, new Date());
    for (const { uid, message } of rewound) this.emit('warning', { operator: uid, subtask: 0, message });
    if (chosen !== undefined) return { restore: chosen.plan.restore, inFlight: chosen.plan.inFlight, checkpointId: chosen.plan.checkpointId };
    return { restore: this.setup.options.restore, inFlight: undefined, checkpointId: null };
  }

  private delay(ms: number): Promise<void> {
    if (ms <= 0 || this.cancelled) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const cancelTimer = this.clock.setTimer(this.clock.now() + ms, () => resolve());
      this.wakeFromDelay = () => {
        cancelTimer();
        resolve();
      };
    });
  }

  /**
   * Takes a savepoint while the job runs: a new directory `savepoint-<job id>-<random>/` inside `targetDir`
   * (default `state.savepoints.dir`), resolved with its path. Rejects with the reason when it cannot be taken.
   */
  async savepoint(targetDir?: string): Promise<{ readonly path: string }> {
    const coordinator = this.coordinatorFor('take a savepoint');
    const stored = await coordinator.requestCheckpoint({ savepoint: newSavepointStorage(this.savepointTarget(targetDir), this.jobId) });
    return { path: stored.location.description };
  }

  /**
   * Stops the job gracefully: sources stop at a consistent point, the savepoint is taken when asked for (`true`:
   * into `state.savepoints.dir`), sinks commit, and the job ends (`done` resolves with status `stopped`).
   * `drain` first ends the sources' input, so event time advances to the end and every window fires. When the
   * savepoint fails, the job keeps running and this rejects with the reason.
   */
  async stop(options: { readonly savepoint?: string | true; readonly drain?: boolean } = {}): Promise<{ readonly savepointPath?: string }> {
    const coordinator = this.coordinatorFor('stop gracefully');
    const savepoint =
      options.savepoint === undefined ? undefined : newSavepointStorage(this.savepointTarget(options.savepoint === true ? undefined : options.savepoint), this.jobId);
    const drain = options.drain === true;
    const stored = await coordinator.requestCheckpoint({ ...(savepoint === undefined ? {} : { savepoint }), stop: drain ? 'drain' : 'suspend' });
    this.stopped = savepoint === undefined ? {} : { savepointPath: stored.location.description };
    if (!drain) {
      // Sources stopped reading after the barrier: once the sinks committed, nothing is left to do.
      await this.attempt.mailServed();
      this.attempt.stop();
    }
    await this.done;
    return this.stopped;
  }

  private coordinatorFor(what: string): CheckpointCoordinator {
    if (this.coordinator === undefined) {
      throw new Error(`job ${this.jobId} cannot ${what}: it runs without checkpointing; set 'execution.checkpointing.interval'`);
    }
    return this.coordinator;
  }

  private savepointTarget(targetDir: string | undefined): string {
    const dir = targetDir ?? this.graph.config.state.savepointsDir;
    if (dir === null) throw new Error(`no savepoint directory: give one, or set 'state.savepoints.dir' for job ${this.jobId}`);
    return dir;
  }

  /**
   * Stops every task; `done` then resolves with status `cancelled`. Resolves with how the job ended, also when it
   * had ended already: finished, or failed (`done` rejected; the result carries that error), so that cancelling
   * on the way out never throws.
   */
  async cancel(): Promise<CancelResult> {
    this.cancelled = true;
    this.attempt.stop();
    this.wakeFromDelay?.();
    return this.done.catch((error: unknown) => ({
      status: 'failed' as const,
      error,
      durationMs: (this.endedAt ?? performance.now()) - this.startedAt,
      metrics: this.metrics(),
    }));
  }

  /** Counters per operator (summed over subtasks) of the current attempt, rates and back-pressure since the previous call, checkpoints. */
  metrics(): JobMetrics {
    const tasks = this.attempt.taskMetrics();
    const now = epochNow();
    const seconds = Math.max((now - this.lastSample.at) / 1000, 1e-9);
    const counts = new Map<string, { in: number; out: number }>();
    const operators: OperatorMetricsReport[] = this.graph.operators.map((operator) => {
      const hosts = tasks.flatMap((t) => t.operators.filter((h) => h.operatorId === operator.id));
      const recordsIn = hosts.reduce((sum, h) => sum + h.recordsIn, 0);
      const recordsOut = hosts.reduce((sum, h) => sum + h.recordsOut, 0);
      const previous = this.lastSample.counts.get(operator.id) ?? { in: 0, out: 0 };
      counts.set(operator.id, { in: recordsIn, out: recordsOut });
      const watermark = Math.min(...hosts.map((h) => h.watermark));
      return {
        id: operator.id,
        uid: operator.uid,
        name: operator.name,
        kind: operator.spec.kind,
        parallelism: operator.parallelism,
        recordsIn,
        recordsOut,
        lateRowsDropped: hosts.reduce((sum, h) => sum + h.lateRowsDropped, 0),
        parseErrorsSkipped: hosts.reduce((sum, h) => sum + h.parseErrorsSkipped, 0),
        newSplits: hosts.some((h) => h.newSplits !== null) ? hosts.reduce((sum, h) => sum + (h.newSplits ?? 0), 0) : null,
        alignmentPausedMs: hosts.some((h) => h.alignmentPausedMs !== null) ? hosts.reduce((sum, h) => sum + (h.alignmentPausedMs ?? 0), 0) : null,
        alignmentPausedSubtasks: hosts.filter((h) => h.alignmentPaused).length,
        recordsInPerSecond: (recordsIn - previous.in) / seconds,
        recordsOutPerSecond: (recordsOut - previous.out) / seconds,
        watermark: watermark === -Infinity ? null : watermark,
        subtasks: hosts.map((h) => ({
          subtask: h.subtask,
          recordsIn: h.recordsIn,
          recordsOut: h.recordsOut,
          lateRowsDropped: h.lateRowsDropped,
          watermark: h.watermark === -Infinity ? null : h.watermark,
        })),
      };
    });
    const taskTimes = new Map<string, { bp: number; idle: number }>();
    const taskReports: TaskMetricsReport[] = tasks.map((task) => {
      const previous = this.lastSample.tasks.get(task.name) ?? { bp: 0, idle: 0 };
      taskTimes.set(task.name, { bp: task.backpressuredMs, idle: task.idleMs });
      const window = Math.max(now - Math.max(this.lastSample.at, task.startedAt), 1e-9);
      return {
        chain: task.chainId,
        subtask: task.subtask,
        slot: task.slot,
        backpressureRatio: Math.min(1, (task.backpressuredMs - previous.bp) / window),
        idleRatio: Math.min(1, (task.idleMs - previous.idle) / window),
      };
    });
    this.lastSample = { at: now, counts, tasks: taskTimes };
    const checkpoints = this.coordinator?.metrics();
    return { elapsedMs: now - performance.timeOrigin - this.startedAt, operators, tasks: taskReports, ...(checkpoints === undefined ? {} : { checkpoints }) };
  }
}

/**
 * Failures that every restart would meet again, so that the job fails at once (as Flink does for a
 * SuppressRestartsException): a fed row that does not fit its source's schema is the same row after a restore.
 */
function restartCannotHelp(error: unknown): boolean {
  return error instanceof OperatorFailure && error.cause instanceof JobInputError;
}

/** Checks the shape the runtime relies on; a violation is a compiler bug, reported plainly. */
function validateGraph(graph: JobGraph): void {
  const operators = new Map<string, Operator>(graph.operators.map((op) => [op.id, op]));
  const chainOf = new Map<string, Chain>();
  for (const chain of graph.chains) {
    checkParallelism(chain.parallelism, graph.config.maxParallelism);
    for (const id of chain.operators) {
      if (!operators.has(id)) throw new Error(`chain ${chain.id} names operator ${id}, which is not in the graph`);
      chainOf.set(id, chain);
    }
  }
  for (const op of graph.operators) {
    if (!chainOf.has(op.id)) throw new Error(`operator ${op.id} is in no chain`);
  }
  for (const edge of graph.edges) {
    const from = chainOf.get(edge.from);
    const to = chainOf.get(edge.to);
    if (from === undefined || to === undefined) throw new Error(`edge ${edge.from} → ${edge.to} names an operator that is not in the graph`);
    if (from === to) {
      const i = from.operators.indexOf(edge.from);
      if (from.operators[i + 1] !== edge.to || edge.partitioning !== 'forward') {
        throw new Error(`edge ${edge.from} → ${edge.to} inside chain ${from.id} must be a forward edge between neighbours`);
      }
    } else {
      if (to.operators[0] !== edge.to) throw new Error(`edge ${edge.from} → ${edge.to} enters chain ${to.id} after its head`);
      if (from.operators[from.operators.length - 1] !== edge.from) throw new Error(`edge ${edge.from} → ${edge.to} leaves chain ${from.id} before its tail`);
      if (edge.partitioning === 'forward' && from.parallelism !== to.parallelism) {
        throw new Error(`forward edge ${edge.from} → ${edge.to} connects parallelism ${from.parallelism} to ${to.parallelism}`);
      }
    }
  }
}

/**
 * The initial restore checked against what the job's file sinks already committed (committed-output-check.ts):
 * refused when it would write committed output again, or (`rewindSinks`) with that output moved aside and a note
 * saying so.
 */
async function checkInitialOutput(
  graph: JobGraph,
  initial: InitialRestore,
  options: JobOptions,
  callbacks: ReadonlyMap<string, unknown>,
): Promise<InitialRestore> {
  const { chosen, info } = initial;
  let point: RestorePoint;
  if (chosen !== undefined) point = { kind: 'checkpoint', checkpointId: chosen.plan.checkpointId, lineage: lineageOf(chosen.stored.metadata) };
  else if (options.resume === true && info.kind === 'fresh') point = { kind: 'nothing-to-resume', pipeline: graph.config.pipelineName, reason: info.reason };
  else return initial;
  const rewound = await checkCommittedOutput(committingSinks(graph, callbacks), point, options.rewindSinks === true, new Date());
  if (rewound.length === 0) return initial;
  const notes = rewound.map(({ uid, message }) => `file sink '${uid}': ${message}`);
  return { chosen, info: info.kind === 'restored' ? { ...info, notes: [...info.notes, ...notes] } : { ...info, reason: `${info.reason}; ${notes.join('; ')}` } };
}

import type { Chain, JobGraph, Operator } from '../../compiler/graph/job-graph.js';
import type { CheckpointingMode } from '../checkpoint/barrier-alignment.js';
import type { CoordinatorPort, TaskGateway } from '../checkpoint/checkpoint-messages.js';
import { SavepointRouting, SavepointStorage } from '../checkpoint/savepoint-storage.js';
import type { CheckpointStorage } from '../checkpoint/storage/checkpoint-storage.js';
import type { ConnectorRuntimes } from '../../connectors/runtime-registry.js';
import type { SinkEnvironment } from '../connectors/sink-connector.js';
import type { UdfImplementations } from '../expressions/compile-expr.js';
import type { CallbackSinkOptions } from '../operators/callback-sink.js';
import type { SourceFeed } from '../operators/iterable-source.js';
import type { Clock } from '../time/clock.js';
import { RoutedChannelEnds, routeChannels } from '../workers/channel-routes.js';
import { MAIN_THREAD, type SlotPlan } from '../workers/slot-plan.js';
import { SlotWorker, slotSubtasks, type StartedSlotThreads } from '../workers/slot-worker.js';
import type { SlotInit, WorkerStorage } from '../workers/worker-protocol.js';
import { buildTasks, InProcessChannels, networkEdgesOf, replayedChannels, type ReplayedChannel } from './build-tasks.js';
import { inFlightLines } from '../checkpoint/channel-state.js';
import type { JobWarning } from './job-events.js';
import type { LoadedChannelState } from '../checkpoint/restore/load-checkpoint.js';
import type { OperatorSubtaskRestore } from './operator-host.js';
import type { TaskMetricsSnapshot } from './task-metrics.js';
import { TaskSet } from './task-set.js';
import { WatermarkAlignmentCoordinator } from '../time/alignment-coordinator.js';
import { AlignmentTable, createAlignmentTable } from '../time/alignment-table.js';

/** What stays the same over a job's attempts. */
export interface AttemptResources {
  readonly graph: JobGraph;
  readonly jobId: string;
  readonly clock: Clock;
  readonly udfs: UdfImplementations;
  readonly sourceFeeds: ReadonlyMap<string, SourceFeed>;
  readonly sinkCallbacks: ReadonlyMap<string, CallbackSinkOptions>;
  readonly processFunctions: ReadonlyMap<string, unknown>;
  readonly sinkEnvironment: SinkEnvironment;
  /** The runtimes of the connectors the job opens (loaded by Job.start). */
  readonly connectors: ConnectorRuntimes;
  readonly batchSize: number;
  /** Batches a channel holds when the job's tasks run in more than one thread. */
  readonly channelCapacity: number;
  /** Batches a channel holds when every task runs on the main thread (no slot workers). */
  readonly oneThreadChannelCapacity: number;
  /** The job's lineage (sink-connector.ts SinkContext), recorded in its checkpoints and sinks' commit records. */
  readonly lineage: string;
  /** Emits a job warning (JobEvents `warning`). */
  readonly warn: (warning: JobWarning) => void;
  readonly checkpointing:
    | {
        readonly mode: CheckpointingMode;
        readonly storage: CheckpointStorage;
        readonly coordinator: CoordinatorPort;
        /** Where tasks in worker threads write their state. */
        readonly workerStorage?: WorkerStorage;
      }
    | undefined;
  /** Subtasks in worker threads (docs/parallelism.md); absent, or a plan without slots: every task in-process. */
  readonly workers?: WorkerResources | undefined;
}

/** What running subtasks in worker threads takes. */
export interface WorkerResources {
  readonly plan: SlotPlan;
  /** Modules of user functions (file URLs) that every worker imports. */
  readonly functionModules: readonly string[];
  /** Threads Job.start started for the slots before the first attempt was built: that attempt adopts them. */
  readonly started?: StartedSlotThreads;
}

export interface AttemptSetup {
  /** Unique per attempt: names sink output files, so a restarted attempt never overwrites committed output. */
  readonly runId: string;
  /** Where this attempt's disk-backend databases go (a directory of its own). */
  readonly localStateDir: string;
  readonly restore: ((operator: Operator, subtask: number) => OperatorSubtaskRestore | undefined) | undefined;
  /** An unaligned checkpoint's records in flight, put back into their channels before the tasks start. */
  readonly inFlight?: readonly LoadedChannelState[] | undefined;
}

/**
 * One run of every task of a job graph: each chain as `parallelism` subtasks (StreamTask) connected by bounded
 * channels, built from the graph and, after a failure, built again from the latest completed checkpoint. With a
 * slot plan, the subtasks of each slot run in a worker thread of their own (slot-worker.ts) and the rest here.
 * `run` rejects with the first failure (an OperatorFailure naming the operator), after stopping the other tasks.
 */
export class ExecutionAttempt {
  private failure: { readonly error: unknown } | undefined;

  private constructor(
    private readonly local: TaskSet,
    private readonly workers: readonly SlotWorker[],
  ) {}

  /** Throws for a graph the runtime cannot run (a planning bug) or state it cannot restore. */
  static build(resources: AttemptResources, setup: AttemptSetup): ExecutionAttempt {
    const workers = resources.workers;
    const replayed = setup.inFlight === undefined ? [] : replayedChannels(resources.graph, setup.inFlight, resources.udfs);
    if (workers === undefined || workers.plan.slots === 0) {
      const ends = new InProcessChannels(resources.oneThreadChannelCapacity);
      ends.replay(resources.graph, replayed);
      // In one thread, sources of a watermark alignment group report to one coordinator per attempt.
      const { tasks, checkpointers } = buildTasks(resources, setup, ends, () => true, new WatermarkAlignmentCoordinator());
      return new ExecutionAttempt(new TaskSet(tasks, checkpointers, ends), []);
    }
    const { plan } = workers;
    // Across threads, they share one table per attempt: a report is a store, the group's minimum read without a message.
    const table = createAlignmentTable(resources.graph);
    const alignment = table === undefined ? new WatermarkAlignmentCoordinator() : new AlignmentTable(table);
    const routes = routeChannels(resources.graph, plan, resources.channelCapacity);
    // Records in flight go to the thread that reads their channel.
    const { chainOf, edges } = networkEdgesOf(resources.graph);
    const slotReading = ({ edge, to }: ReplayedChannel) => plan.slotOf(chainOf.get(edges[edge]!.to)!, to);
    const ends = new RoutedChannelEnds(resources.graph, routes, resources.channelCapacity, replayed.filter((channel) => slotReading(channel) === MAIN_THREAD));
    const { tasks, checkpointers } = buildTasks(resources, setup, ends, (chain, subtask) => plan.slotOf(chain, subtask) === MAIN_THREAD, alignment);
    const local = new TaskSet(tasks, checkpointers, ends);
    const slots: SlotWorker[] = [];
    try {
      for (let slot = 0; slot < plan.slots; slot++) {
        const subtasks = slotSubtasks(resources.graph, plan, slot);
        const replayedHere = replayed.filter((channel) => slotReading(channel) === slot);
        const init = slotInit(resources, workers, setup, slot, subtasks, routes, replayedHere, table);
        const host = {
          graph: resources.graph,
          coordinator: resources.checkpointing?.coordinator,
          storage: resources.checkpointing?.storage,
          warn: resources.warn,
        };
        slots.push(new SlotWorker(init, host, workers.started?.take(slot, init.tasks)));
      }
    } catch (error) {
      local.stop();
      for (const worker of slots) void worker.terminate();
      throw error;
    }
    const routing = resources.checkpointing?.storage;
    // Savepoints' files go to their own directories: workers write there too, told before any barrier reaches them.
    if (routing instanceof SavepointRouting) {
      routing.listen({
        route: (checkpointId, storage) => {
          if (storage instanceof SavepointStorage) for (const worker of slots) worker.routeSavepoint(checkpointId, storage.dir);
        },
        unroute: (checkpointId) => {
          for (const worker of slots) worker.unrouteSavepoint(checkpointId);
        },
      });
    }
    return new ExecutionAttempt(local, slots);
  }

  /** The gateways of every task, for the checkpoint coordinator: this thread's checkpointers and workers' proxies. */
  get checkpointers(): readonly TaskGateway[] {
    return [...this.local.checkpointers, ...this.workers.flatMap((w) => w.gateways)];
  }

  /** Runs every task to its end; rejects with the first failure once every task has stopped. */
  async run(): Promise<void> {
    await Promise.all([
      this.local.run().catch((error: unknown) => this.fail(error)),
      ...this.workers.map((worker) => worker.ended.catch((error: unknown) => this.fail(error))),
    ]);
    await Promise.all(this.workers.map((worker) => worker.terminate()));
    if (this.failure !== undefined) throw this.failure.error;
  }

  /** Fails the attempt with `error` (a task's, the checkpoint coordinator's, a worker's) and stops every task. */
  fail(error: unknown): void {
    if (this.failure !== undefined) return;
    this.failure = { error };
    this.stop();
  }

  /** Stops every task; `run()` then resolves (unless a task failed). */
  stop(): void {
    this.local.stop();
    for (const worker of this.workers) worker.stop();
  }

  /** Resolves once every running task has served the work handed to it so far (a checkpoint's commits). */
  async mailServed(): Promise<void> {
    await Promise.all([this.local.mailServed(), ...this.workers.map((w) => w.request('mail'))]);
  }

  /** Resolves once state writes of checkpoints still in flight have ended. */
  async settled(): Promise<void> {
    await Promise.all([this.local.settled(), ...this.workers.map((w) => w.request('settled'))]);
  }

  /** Every task's counters, with the slot that runs it: read here, or as its worker reported them last. */
  taskMetrics(): (TaskMetricsSnapshot & { readonly slot: number | null })[] {
    return [
      ...this.local.metrics().map((task) => ({ ...task, slot: null })),
      ...this.workers.flatMap((worker) => worker.metrics().map((task) => ({ ...task, slot: worker.init.slot }))),
    ];
  }
}

/** A slot's `workerData`: the graph, its subtasks, their restore state and the routes of every channel. */
function slotInit(
  resources: AttemptResources,
  workers: WorkerResources,
  setup: AttemptSetup,
  slot: number,
  subtasks: readonly { readonly chain: Chain; readonly subtask: number }[],
  routes: SlotInit['routes'],
  replayed: readonly ReplayedChannel[],
  alignment: SlotInit['alignment'],
): SlotInit {
  const operators = new Map(resources.graph.operators.map((op) => [op.id, op]));
  const restore = new Map<string, OperatorSubtaskRestore>();
  for (const { chain, subtask } of subtasks) {
    for (const id of chain.operators) {
      const state = setup.restore?.(operators.get(id)!, subtask);
      if (state !== undefined) restore.set(`${id}/${subtask}`, state);
    }
  }
  const { checkpointing } = resources;
  return {
    slot,
    slots: workers.plan.slots,
    tasks: subtasks.map(({ chain, subtask }) => `${chain.id}[${subtask}]`),
    graph: resources.graph,
    jobId: resources.jobId,
    runId: setup.runId,
    lineage: resources.lineage,
    localStateDir: setup.localStateDir,
    batchSize: resources.batchSize,
    channelCapacity: resources.channelCapacity,
    routes,
    replayed: replayed.map(({ batches, ...channel }) => ({ ...channel, lines: [...inFlightLines(batches)] })),
    functionModules: workers.functionModules,
    restore,
    checkpointing: checkpointing === undefined ? undefined : { mode: checkpointing.mode, storage: checkpointing.workerStorage ?? { kind: 'main' } },
    alignment,
  };
}

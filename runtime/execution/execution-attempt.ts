import { longestRestartDelayMs } from '../checkpoint/restart-strategy.js';
import type { Chain, Edge, JobGraph, Operator } from '../../compiler/graph/job-graph.js';
import { Channel } from '../channels/channel.js';
import { InputGate, type InputChannelInfo } from '../channels/input-gate.js';
import { EdgeWriter } from '../channels/output-writer.js';
import { Signal } from '../channels/signal.js';
import type { CheckpointingMode } from '../checkpoint/barrier-alignment.js';
import type { CoordinatorPort } from '../checkpoint/checkpoint-messages.js';
import type { CheckpointStorage } from '../checkpoint/storage/checkpoint-storage.js';
import { TaskCheckpointer } from '../checkpoint/task-checkpointer.js';
import { edgeRef } from '../checkpoint/channel-state.js';
import { replayInFlight } from '../checkpoint/restore/channel-replay.js';
import type { LoadedChannelState } from '../checkpoint/restore/load-checkpoint.js';
import type { ConnectorRuntimes } from '../../connectors/runtime-registry.js';
import type { SinkEnvironment } from '../connectors/sink-connector.js';
import type { UdfImplementations } from '../expressions/compile-expr.js';
import type { CallbackSinkOptions } from '../operators/callback-sink.js';
import type { SourceFeed } from '../operators/iterable-source.js';
import { operatorFactories, type OperatorEnvironment } from '../operators/registry.js';
import type { Clock } from '../time/clock.js';
import type { JobWarning } from './job-events.js';
import { OperatorHost, type OperatorSubtaskRestore } from './operator-host.js';
import { StreamTask } from './stream-task.js';

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
  readonly channelCapacity: number;
  /** The job's lineage (sink-connector.ts SinkContext), recorded in its checkpoints and sinks' commit records. */
  readonly lineage: string;
  /** Emits a job warning (JobEvents `warning`). */
  readonly warn: (warning: JobWarning) => void;
  readonly checkpointing: { readonly mode: CheckpointingMode; readonly storage: CheckpointStorage; readonly coordinator: CoordinatorPort } | undefined;
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
 * channels, built from the graph and, after a failure, built again from the latest completed checkpoint. `run`
 * rejects with the first failure (an OperatorFailure naming the operator), after stopping the other tasks.
 */
export class ExecutionAttempt {
  private failure: { readonly error: unknown } | undefined;

  private constructor(
    readonly tasks: readonly StreamTask[],
    readonly checkpointers: readonly TaskCheckpointer[],
    private readonly channels: readonly Channel[],
  ) {}

  /** Throws for a graph the runtime cannot run (a planning bug) or state it cannot restore. */
  static build(resources: AttemptResources, setup: AttemptSetup): ExecutionAttempt {
    const { graph, clock, udfs, checkpointing } = resources;
    const maxParallelism = graph.config.maxParallelism;
    const operators = new Map(graph.operators.map((op) => [op.id, op]));
    const chainOf = new Map<string, Chain>();
    for (const chain of graph.chains) for (const id of chain.operators) chainOf.set(id, chain);
    const networkEdges = graph.edges.filter((e) => chainOf.get(e.from) !== chainOf.get(e.to));
    const unaligned = { enabled: graph.config.checkpointing.unaligned, alignedTimeoutMs: graph.config.checkpointing.alignedCheckpointTimeoutMs };

    // channels[edge][from subtask][to subtask]; forward edges only connect equal subtask indexes.
    const channels: Channel[] = [];
    const edgeChannels = new Map<Edge, (Channel | undefined)[][]>();
    for (const edge of networkEdges) {
      const from = chainOf.get(edge.from)!;
      const to = chainOf.get(edge.to)!;
      const grid = Array.from({ length: from.parallelism }, (_, s) =>
        Array.from({ length: to.parallelism }, (_, t) => {
          if (edge.partitioning === 'forward' && s !== t) return undefined;
          const channel = new Channel(resources.channelCapacity, `${edge.from}[${s}] → ${edge.to}[${t}]`);
          channels.push(channel);
          return channel;
        }),
      );
      edgeChannels.set(edge, grid);
      if (setup.inFlight !== undefined) replayInFlight(edge, grid, setup.inFlight, maxParallelism, udfs);
    }

    const tasks: StreamTask[] = [];
    const checkpointers: TaskCheckpointer[] = [];
    try {
      for (const chain of graph.chains) {
        for (let subtask = 0; subtask < chain.parallelism; subtask++) {
          const signal = new Signal();
          const environment: OperatorEnvironment = {
            jobId: resources.jobId,
            runId: setup.runId,
            lineage: resources.lineage,
            subtask,
            parallelism: chain.parallelism,
            udfs,
            clock,
            batchSize: resources.batchSize,
            sourceFeeds: resources.sourceFeeds,
            sinkCallbacks: resources.sinkCallbacks,
            processFunctions: resources.processFunctions,
            sinkEnvironment: resources.sinkEnvironment,
            connectors: resources.connectors,
            recovery: { checkpointIntervalMs: graph.config.checkpointing.intervalMs, restartDelayMs: longestRestartDelayMs(graph.config.restartStrategy) },
            warn: resources.warn,
          };
          let task: StreamTask | undefined;
          const hostEnv = {
            subtask,
            parallelism: chain.parallelism,
            maxParallelism,
            clock,
            backendType: graph.config.state.backend,
            diskCacheCells: graph.config.state.diskCacheCells,
            localStateDir: setup.localStateDir,
            checkpointing: checkpointing !== undefined,
            recordOrigin: undefined as string | undefined,
            defer: (work: Promise<unknown>, host: OperatorHost) => task!.defer(work, host),
          };
          const hosts = chain.operators.map((id) => {
            const operator = operators.get(id)!;
            return new OperatorHost(operator, operatorFactories[operator.spec.kind](operator, environment), {
              ...hostEnv,
              restore: setup.restore?.(operator, subtask),
              // One origin per task: the host of any operator in the chain reads what the source set.
              get recordOrigin() {
                return hostEnv.recordOrigin;
              },
              set recordOrigin(origin) {
                hostEnv.recordOrigin = origin;
              },
            });
          });
          const head = chain.operators[0]!;
          const tail = chain.operators[chain.operators.length - 1]!;
          const inputs: InputChannelInfo[] = networkEdges
            .filter((e) => e.to === head)
            .flatMap((edge) =>
              edgeChannels.get(edge)!.flatMap((row, from) => {
                const channel = row[subtask];
                return channel === undefined ? [] : [{ reader: channel, input: edge.toInput, name: channel.name, edge: edgeRef(edge), fromSubtask: from }];
              }),
            );
          const writers = networkEdges
            .filter((e) => e.from === tail)
            .map((edge) => {
              const targets = edgeChannels.get(edge)![subtask]!.filter((c): c is Channel => c !== undefined);
              return new EdgeWriter(edge, targets, maxParallelism, udfs);
            });
          const isSource = operators.get(head)!.spec.kind === 'source';
          const checkpointer =
            checkpointing === undefined
              ? undefined
              : new TaskCheckpointer(`${chain.id}[${subtask}]`, isSource, checkpointing.mode, checkpointing.storage, checkpointing.coordinator, unaligned, clock);
          task = new StreamTask({
            chainId: chain.id,
            subtask,
            parallelism: chain.parallelism,
            hosts,
            clock,
            signal,
            writers,
            gate: isSource ? undefined : new InputGate(inputs, signal),
            ...(checkpointer === undefined ? {} : { checkpointing: checkpointer }),
          });
          if (checkpointer !== undefined) {
            checkpointer.attach(task);
            checkpointers.push(checkpointer);
          }
          tasks.push(task);
        }
      }
    } catch (error) {
      for (const task of tasks) for (const host of task.hosts) host.dispose();
      throw error;
    }
    return new ExecutionAttempt(tasks, checkpointers, channels);
  }

  /** Runs every task to its end; rejects with the first failure once every task has stopped. */
  async run(): Promise<void> {
    await Promise.all(this.tasks.map((task) => task.run().catch((error: unknown) => this.fail(error))));
    if (this.failure !== undefined) throw this.failure.error;
  }

  /** Fails the attempt with `error` (a task's, or the checkpoint coordinator's) and stops every task. */
  fail(error: unknown): void {
    if (this.failure !== undefined) return;
    this.failure = { error };
    this.stop();
  }

  /** Stops every task; `run()` then resolves (unless a task failed). */
  stop(): void {
    for (const task of this.tasks) task.cancel();
    for (const channel of this.channels) channel.close();
  }

  /** Resolves once every running task has served the work handed to it so far (a checkpoint's commits). */
  async mailServed(): Promise<void> {
    await Promise.all(this.tasks.filter((t) => t.finishedAt === undefined && !t.isCancelled).map((t) => new Promise<void>((resolve) => t.enqueue(resolve))));
  }

  /** Resolves once state writes of checkpoints still in flight have ended. */
  async settled(): Promise<void> {
    await Promise.all(this.checkpointers.map((c) => c.settled()));
  }
}

import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Chain, Edge, JobGraph, Operator } from '../../compiler/graph/job-graph.js';
import { Channel } from '../channels/channel.js';
import { InputGate, type InputChannelInfo } from '../channels/input-gate.js';
import { EdgeWriter } from '../channels/output-writer.js';
import { Signal } from '../channels/signal.js';
import type { UdfImplementations } from '../expressions/compile-expr.js';
import { operatorFactories, type OperatorEnvironment } from '../operators/registry.js';
import { checkParallelism } from '../state/key-groups.js';
import { systemClock, type Clock } from '../time/clock.js';
import type { JobMetrics, JobOptions, JobResult, OperatorMetricsReport, TaskMetricsReport } from './job-options.js';
import { OperatorHost } from './operator-host.js';
import { StreamTask } from './stream-task.js';

const DEFAULT_BATCH_SIZE = 1024;
const DEFAULT_CHANNEL_CAPACITY = 8;

function toMap<V>(entries: ReadonlyMap<string, V> | Readonly<Record<string, V>> | undefined): ReadonlyMap<string, V> {
  if (entries === undefined) return new Map();
  return entries instanceof Map ? entries : new Map(Object.entries(entries as Readonly<Record<string, V>>));
}

/**
 * A running job: every chain of the graph as `parallelism` subtasks (StreamTask), connected by bounded
 * channels. `done` resolves when bounded input is fully processed (or the job was cancelled) and rejects with an
 * OperatorFailure naming the operator when any subtask fails; the other subtasks are then cancelled.
 */
export class Job {
  readonly done: Promise<JobResult>;
  private readonly startedAt = performance.now();
  private cancelled = false;
  private lastSample: { at: number; counts: Map<string, { in: number; out: number }>; tasks: Map<StreamTask, { bp: number; idle: number }> };

  private constructor(
    readonly graph: JobGraph,
    readonly jobId: string,
    private readonly tasks: readonly StreamTask[],
    private readonly channels: readonly Channel[],
    private readonly cleanup: () => void,
  ) {
    this.lastSample = { at: this.startedAt, counts: new Map(), tasks: new Map() };
    this.done = this.runAll();
  }

  /** Builds every task of `graph` and starts them. Throws for a graph the runtime cannot run (a planning bug). */
  static async start(graph: JobGraph, options: JobOptions = {}): Promise<Job> {
    validateGraph(graph);
    const jobId = options.jobId ?? `${graph.config.pipelineName || 'job'}-${randomUUID().slice(0, 8)}`;
    const ownStateDir = options.localStateDir === undefined;
    const localStateDir = options.localStateDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-state-'));
    const clock: Clock = options.clock ?? systemClock;
    const udfs: UdfImplementations = toMap(options.udfs);
    const sourceFeeds = toMap(options.sources);
    const sinkCallbacks = toMap(options.sinks);
    const processFunctions = toMap(options.processFunctions);
    const capacity = options.channelCapacity ?? DEFAULT_CHANNEL_CAPACITY;
    const maxParallelism = graph.config.maxParallelism;
    const runId = randomUUID().slice(0, 8);

    const operators = new Map(graph.operators.map((op) => [op.id, op]));
    const chainOf = new Map<string, Chain>();
    for (const chain of graph.chains) for (const id of chain.operators) chainOf.set(id, chain);
    const networkEdges = graph.edges.filter((e) => chainOf.get(e.from) !== chainOf.get(e.to));

    // channels[edge][from subtask][to subtask]; forward edges only connect equal subtask indexes.
    const channels: Channel[] = [];
    const edgeChannels = new Map<Edge, (Channel | undefined)[][]>();
    for (const edge of networkEdges) {
      const from = chainOf.get(edge.from)!;
      const to = chainOf.get(edge.to)!;
      const grid = Array.from({ length: from.parallelism }, (_, s) =>
        Array.from({ length: to.parallelism }, (_, t) => {
          if (edge.partitioning === 'forward' && s !== t) return undefined;
          const channel = new Channel(capacity, `${edge.from}[${s}] → ${edge.to}[${t}]`);
          channels.push(channel);
          return channel;
        }),
      );
      edgeChannels.set(edge, grid);
    }

    const tasks: StreamTask[] = [];
    try {
      for (const chain of graph.chains) {
        for (let subtask = 0; subtask < chain.parallelism; subtask++) {
          const signal = new Signal();
          const environment: OperatorEnvironment = {
            jobId, runId, subtask, parallelism: chain.parallelism, udfs, clock,
            batchSize: options.batchSize ?? DEFAULT_BATCH_SIZE,
            sourceFeeds, sinkCallbacks, processFunctions,
            sinkEnvironment: options.sinkEnvironment ?? {},
          };
          let task: StreamTask | undefined;
          const hostEnv = {
            subtask, parallelism: chain.parallelism, maxParallelism, clock,
            backendType: graph.config.state.backend, localStateDir,
            recordOrigin: undefined as string | undefined,
            defer: (work: Promise<unknown>, host: OperatorHost) => task!.defer(work, host),
          };
          const hosts = chain.operators.map((id) => {
            const operator = operators.get(id)!;
            return new OperatorHost(operator, operatorFactories[operator.spec.kind](operator, environment), {
              ...hostEnv,
              restore: options.restore?.(operator, subtask),
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
              edgeChannels.get(edge)!.flatMap((row) => {
                const channel = row[subtask];
                return channel === undefined ? [] : [{ reader: channel, input: edge.toInput, name: channel.name }];
              }),
            );
          const writers = networkEdges
            .filter((e) => e.from === tail)
            .map((edge) => {
              const targets = edgeChannels.get(edge)![subtask]!.filter((c): c is Channel => c !== undefined);
              return new EdgeWriter(edge, targets, maxParallelism, udfs);
            });
          const isSource = operators.get(head)!.spec.kind === 'source';
          task = new StreamTask({
            chainId: chain.id, subtask, parallelism: chain.parallelism, hosts, clock, signal, writers,
            gate: isSource ? undefined : new InputGate(inputs, signal),
            ...(options.onBarrier === undefined ? {} : { onBarrier: options.onBarrier }),
          });
          tasks.push(task);
        }
      }
    } catch (error) {
      for (const task of tasks) for (const host of task.hosts) host.dispose();
      if (ownStateDir) fs.rmSync(localStateDir, { recursive: true, force: true });
      throw error;
    }
    const cleanup = () => {
      if (ownStateDir) fs.rmSync(localStateDir, { recursive: true, force: true });
    };
    return new Job(graph, jobId, tasks, channels, cleanup);
  }

  private async runAll(): Promise<JobResult> {
    let failure: unknown;
    await Promise.all(
      this.tasks.map((task) =>
        task.run().catch((error: unknown) => {
          if (failure === undefined) {
            failure = error;
            this.stopTasks();
          }
        }),
      ),
    );
    this.cleanup();
    if (failure !== undefined) throw failure;
    return {
      status: this.cancelled ? 'cancelled' : 'finished',
      durationMs: performance.now() - this.startedAt,
      metrics: this.metrics(),
    };
  }

  private stopTasks(): void {
    for (const task of this.tasks) task.cancel();
    for (const channel of this.channels) channel.close();
  }

  /** Stops every task; `done` then resolves with status `cancelled`. */
  async cancel(): Promise<JobResult> {
    this.cancelled = true;
    this.stopTasks();
    return this.done;
  }

  /** Counters per operator (summed over subtasks), rates and back-pressure since the previous call. */
  metrics(): JobMetrics {
    const now = performance.now();
    const seconds = Math.max((now - this.lastSample.at) / 1000, 1e-9);
    const counts = new Map<string, { in: number; out: number }>();
    const operators: OperatorMetricsReport[] = this.graph.operators.map((operator) => {
      const hosts = this.tasks.flatMap((t) => t.hosts.filter((h) => h.operator.id === operator.id));
      const recordsIn = hosts.reduce((sum, h) => sum + h.metrics.recordsIn, 0);
      const recordsOut = hosts.reduce((sum, h) => sum + h.metrics.recordsOut, 0);
      const previous = this.lastSample.counts.get(operator.id) ?? { in: 0, out: 0 };
      counts.set(operator.id, { in: recordsIn, out: recordsOut });
      const watermark = Math.min(...hosts.map((h) => h.metrics.watermark));
      return {
        id: operator.id,
        uid: operator.uid,
        name: operator.name,
        kind: operator.spec.kind,
        parallelism: operator.parallelism,
        recordsIn,
        recordsOut,
        lateRowsDropped: hosts.reduce((sum, h) => sum + h.metrics.lateRowsDropped, 0),
        recordsInPerSecond: (recordsIn - previous.in) / seconds,
        recordsOutPerSecond: (recordsOut - previous.out) / seconds,
        watermark: watermark === -Infinity ? null : watermark,
        subtasks: hosts.map((h) => ({
          subtask: h.subtask,
          recordsIn: h.metrics.recordsIn,
          recordsOut: h.metrics.recordsOut,
          lateRowsDropped: h.metrics.lateRowsDropped,
          watermark: h.metrics.watermark === -Infinity ? null : h.metrics.watermark,
        })),
      };
    });
    const taskTimes = new Map<StreamTask, { bp: number; idle: number }>();
    const tasks: TaskMetricsReport[] = this.tasks.map((task) => {
      const previous = this.lastSample.tasks.get(task) ?? { bp: 0, idle: 0 };
      taskTimes.set(task, { bp: task.backpressuredMs, idle: task.idleMs });
      const window = Math.max(now - Math.max(this.lastSample.at, task.startedAt), 1e-9);
      return {
        chain: task.options.chainId,
        subtask: task.options.subtask,
        backpressureRatio: Math.min(1, (task.backpressuredMs - previous.bp) / window),
        idleRatio: Math.min(1, (task.idleMs - previous.idle) / window),
      };
    });
    this.lastSample = { at: now, counts, tasks: taskTimes };
    return { elapsedMs: now - this.startedAt, operators, tasks };
  }
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

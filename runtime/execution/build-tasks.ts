import type { Chain, Edge, JobGraph, Operator } from '../../compiler/graph/job-graph.js';
import { Channel, type ChannelReader, type ChannelWriter } from '../channels/channel.js';
import { InputGate, type InputChannelInfo } from '../channels/input-gate.js';
import { EdgeWriter, keyGroupInputs } from '../channels/output-writer.js';
import { Signal } from '../channels/signal.js';
import { longestRestartDelayMs } from '../checkpoint/restart-strategy.js';
import { edgeRef } from '../checkpoint/channel-state.js';
import { replayInFlight } from '../checkpoint/restore/channel-replay.js';
import type { RecordBatch } from '../record-batch.js';
import type { LoadedChannelState } from '../checkpoint/restore/load-checkpoint.js';
import { TaskCheckpointer } from '../checkpoint/task-checkpointer.js';
import type { UdfImplementations } from '../expressions/compile-expr.js';
import type { SourceOperator } from '../operators/operator.js';
import { operatorFactories, type OperatorEnvironment } from '../operators/registry.js';
import type { AlignmentLink } from '../time/alignment-messages.js';
import { alignmentMember, alignmentSettingsOf } from '../time/source-alignment.js';
import type { AttemptResources, AttemptSetup } from './execution-attempt.js';
import { OperatorHost } from './operator-host.js';
import { StreamTask } from './stream-task.js';

/** One thread's ends of the channels between chains: `[edge][from subtask][to subtask]`. */
export interface ChannelEnds {
  /** The consumer's end, or undefined where the two subtasks are not connected (a forward edge). */
  reader(edge: Edge, from: number, to: number): { readonly reader: ChannelReader; readonly name: string } | undefined;
  /** The producer's end, or undefined where the two subtasks are not connected. */
  writer(edge: Edge, from: number, to: number): ChannelWriter | undefined;
  /** Releases producers blocked on a full channel: nothing will be read any more. */
  close(): void;
}

/** Chains by operator id, and the edges between chains (the ones with channels). */
export function networkEdgesOf(graph: JobGraph): { readonly chainOf: ReadonlyMap<string, Chain>; readonly edges: readonly Edge[] } {
  const chainOf = new Map<string, Chain>();
  for (const chain of graph.chains) for (const id of chain.operators) chainOf.set(id, chain);
  return { chainOf, edges: graph.edges.filter((e) => chainOf.get(e.from) !== chainOf.get(e.to)) };
}

/** Whether subtask `from` of an edge's producer feeds subtask `to` of its consumer: forward edges keep the index. */
export function isConnected(edge: Edge, from: number, to: number): boolean {
  return edge.partitioning !== 'forward' || from === to;
}

/**
 * For messages and metrics: `from[subtask] → to[subtask]`, and the input when it is not the first: a self-join or a
 * union of one stream with itself has two edges between the same subtasks, and each is a channel of its own.
 */
export function channelName(edge: Edge, from: number, to: number): string {
  return `${edge.from}[${from}] → ${edge.to}[${to}]${edge.toInput === 0 ? '' : ` input ${edge.toInput}`}`;
}

/** An unaligned checkpoint's records in flight that one channel (`edge`: index among network edges) starts with. */
export interface ReplayedChannel {
  readonly edge: number;
  readonly from: number;
  readonly to: number;
  readonly batches: readonly RecordBatch[];
}

/**
 * The records in flight of an unaligned checkpoint, laid out on the channels of `graph` (at its parallelism: a
 * keyed edge's records partitioned again by key; channel-replay.ts), for whichever thread reads each channel.
 */
export function replayedChannels(graph: JobGraph, inFlight: readonly LoadedChannelState[], udfs: UdfImplementations): ReplayedChannel[] {
  const { chainOf, edges } = networkEdgesOf(graph);
  const replayed: ReplayedChannel[] = [];
  edges.forEach((edge, e) => {
    const grid = Array.from({ length: chainOf.get(edge.from)!.parallelism }, (_, from) =>
      Array.from({ length: chainOf.get(edge.to)!.parallelism }, (_, to) => {
        if (!isConnected(edge, from, to)) return undefined;
        const batches: RecordBatch[] = [];
        replayed.push({ edge: e, from, to, batches });
        return batchCollector(batches);
      }),
    );
    replayInFlight(edge, grid, inFlight, graph.config.maxParallelism, udfs);
  });
  return replayed.filter((channel) => channel.batches.length > 0);
}

/** A channel end that only keeps the batches written to it: replayInFlight's target when the channels are not made yet. */
function batchCollector(batches: RecordBatch[]): ChannelWriter {
  return {
    push: (event) => {
      if (event.type === 'batch') batches.push(event.batch);
    },
    isFull: false,
    whenWritable: () => Promise.resolve(),
  };
}

/** Bounded in-process channels (channel.ts), made when one end first asks for them. */
export class InProcessChannels implements ChannelEnds {
  private readonly channels = new Map<string, Channel>();

  constructor(private readonly capacity: number) {}

  reader(edge: Edge, from: number, to: number): { readonly reader: Channel; readonly name: string } | undefined {
    const channel = this.channel(edge, from, to);
    return channel === undefined ? undefined : { reader: channel, name: channel.name };
  }

  writer(edge: Edge, from: number, to: number): Channel | undefined {
    return this.channel(edge, from, to);
  }

  private channel(edge: Edge, from: number, to: number): Channel | undefined {
    if (!isConnected(edge, from, to)) return undefined;
    const name = channelName(edge, from, to);
    let channel = this.channels.get(name);
    if (channel === undefined) {
      channel = new Channel(this.capacity, name);
      this.channels.set(name, channel);
    }
    return channel;
  }

  /** Puts an unaligned checkpoint's records in flight back into their channels, before any task runs. */
  replay(graph: JobGraph, replayed: readonly ReplayedChannel[]): void {
    const { edges } = networkEdgesOf(graph);
    for (const { edge, from, to, batches } of replayed) {
      const channel = this.channel(edges[edge]!, from, to)!;
      for (const batch of batches) channel.push({ type: 'batch', batch });
    }
  }

  close(): void {
    for (const channel of this.channels.values()) channel.close();
  }
}

/**
 * Builds the tasks of the chain subtasks `isHere` selects (all of them in-process; one slot's in a worker), each a
 * StreamTask with its operators, reading and writing the channel ends `ends` gives; sources of a watermark
 * alignment group are connected to the coordinator through `alignment`. On failure the hosts built so
 * far are disposed and the error is rethrown.
 */
export function buildTasks(
  resources: AttemptResources,
  setup: AttemptSetup,
  ends: ChannelEnds,
  isHere: (chain: Chain, subtask: number) => boolean,
  alignment: AlignmentLink,
): { readonly tasks: StreamTask[]; readonly checkpointers: TaskCheckpointer[] } {
  const { graph, clock, udfs, checkpointing } = resources;
  const maxParallelism = graph.config.maxParallelism;
  const operators = new Map<string, Operator>(graph.operators.map((op) => [op.id, op]));
  const { chainOf, edges: networkEdges } = networkEdgesOf(graph);
  const unaligned = { enabled: graph.config.checkpointing.unaligned, alignedTimeoutMs: graph.config.checkpointing.alignedCheckpointTimeoutMs };
  const tasks: StreamTask[] = [];
  const checkpointers: TaskCheckpointer[] = [];
  try {
    for (const chain of graph.chains) {
      for (let subtask = 0; subtask < chain.parallelism; subtask++) {
        if (!isHere(chain, subtask)) continue;
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
          alignment: alignment.port,
        };
        let task: StreamTask | undefined;
        const hostEnv = {
          subtask,
          parallelism: chain.parallelism,
          maxParallelism,
          clock,
          backendType: graph.config.state.backend,
          diskCacheCells: graph.config.state.diskCacheCells,
          diskCacheBytes: graph.config.state.diskCacheBytes,
          localStateDir: setup.localStateDir,
          checkpointing: checkpointing !== undefined,
          recordOrigin: undefined as string | undefined,
          defer: (work: Promise<unknown>, host: OperatorHost) => task!.defer(work, host),
        };
        const hosts = chain.operators.map((id, position) => {
          const operator = operators.get(id)!;
          return new OperatorHost(operator, operatorFactories[operator.spec.kind](operator, environment), {
            ...hostEnv,
            ...(position === 0 ? { keyGroupInputs: keyGroupInputs(operator, networkEdges.filter((e) => e.to === id)) } : {}),
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
            Array.from({ length: chainOf.get(edge.from)!.parallelism }, (_, from) => ends.reader(edge, from, subtask)).flatMap((end, from) =>
              end === undefined ? [] : [{ reader: end.reader, input: edge.toInput, name: end.name, edge: edgeRef(edge), fromSubtask: from }],
            ),
          );
        const writers = networkEdges
          .filter((e) => e.from === tail)
          .map((edge) => {
            const targets = Array.from({ length: chainOf.get(edge.to)!.parallelism }, (_, to) => ends.writer(edge, subtask, to)).filter(
              (c): c is ChannelWriter => c !== undefined,
            );
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
          ...(alignment.poll === undefined ? {} : { betweenSteps: () => alignment.poll!() }),
          gate: isSource ? undefined : new InputGate(inputs, signal),
          ...(checkpointer === undefined ? {} : { checkpointing: checkpointer }),
        });
        if (checkpointer !== undefined) {
          checkpointer.attach(task);
          checkpointers.push(checkpointer);
        }
        const aligned = isSource ? alignmentSettingsOf(operators.get(head)!) : undefined;
        if (aligned !== undefined) {
          const source = hosts[0]!.impl as SourceOperator;
          const target = task;
          alignment.connect(aligned.group, alignmentMember(head, subtask), (announcement) => target.enqueue(() => source.onAlignmentAnnouncement?.(announcement)));
        }
        tasks.push(task);
      }
    }
  } catch (error) {
    for (const task of tasks) for (const host of task.hosts) host.dispose();
    throw error;
  }
  return { tasks, checkpointers };
}

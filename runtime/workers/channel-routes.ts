import type { Edge, JobGraph } from '../../compiler/graph/job-graph.js';
import type { ChannelEvent } from '../channels/channel-event.js';
import type { ChannelReader, ChannelWriter } from '../channels/channel.js';
import type { Signal } from '../channels/signal.js';
import { channelName, InProcessChannels, isConnected, networkEdgesOf, type ChannelEnds, type ReplayedChannel } from '../execution/build-tasks.js';
import type { RecordBatch } from '../record-batch.js';
import type { SlotPlan } from './slot-plan.js';
import { createThreadChannel, openThreadChannelReader, openThreadChannelWriter, ringBytesWithin, type ThreadChannelDescriptor } from '../channels/thread-channel.js';

/** How one channel runs: inside one thread (a `Channel` that thread makes), or between two (a thread channel). */
export type ChannelRoute = { readonly kind: 'local' } | { readonly kind: 'thread'; readonly descriptor: ThreadChannelDescriptor };

/** `[network edge index][from subtask][to subtask]`; null where the subtasks are not connected. */
export type ChannelRoutes = readonly (readonly (readonly (ChannelRoute | null)[])[])[];

/**
 * What the rings of a job's thread channels take together at most (while each has at least 64 KiB): 1 MiB each up
 * to 64 channels, smaller ones beyond (parallelism 8 with three hash exchanges has 168).
 */
const THREAD_CHANNEL_MEMORY = 64 << 20;

/** The route of every channel of `graph` under `plan`: thread channels (created here) only where the ends' threads differ. */
export function routeChannels(graph: JobGraph, plan: SlotPlan, capacity: number): ChannelRoutes {
  const { chainOf, edges } = networkEdgesOf(graph);
  const crossing = edges.map((edge) => {
    const from = chainOf.get(edge.from)!;
    const to = chainOf.get(edge.to)!;
    return Array.from({ length: from.parallelism }, (_, s) =>
      Array.from({ length: to.parallelism }, (_, t) => (isConnected(edge, s, t) ? plan.slotOf(from, s) !== plan.slotOf(to, t) : null)),
    );
  });
  const ringBytes = ringBytesWithin(THREAD_CHANNEL_MEMORY, crossing.flat(2).filter((c) => c === true).length);
  return edges.map((edge, e) =>
    crossing[e]!.map((targets, s) =>
      targets.map((crosses, t): ChannelRoute | null => {
        if (crosses === null) return null;
        if (!crosses) return { kind: 'local' };
        return { kind: 'thread', descriptor: createThreadChannel(capacity, channelName(edge, s, t), ringBytes) };
      }),
    ),
  );
}

/**
 * One thread's channel ends: in-process channels for local routes, its ends of thread channels for the others.
 * `replayed` holds an unaligned checkpoint's records in flight for the channels this thread reads: they go into a
 * local channel before any task runs, and a thread channel's reader hands them out before what its writer sends.
 */
export class RoutedChannelEnds implements ChannelEnds {
  private readonly local: InProcessChannels;
  private readonly edgeIndex: ReadonlyMap<Edge, number>;
  private readonly opened: { close(): void }[] = [];
  /** Records in flight for thread channels read here, by `edge/from/to`. */
  private readonly replayedThreadChannels = new Map<string, readonly RecordBatch[]>();

  constructor(
    graph: JobGraph,
    private readonly routes: ChannelRoutes,
    capacity: number,
    replayed: readonly ReplayedChannel[] = [],
  ) {
    this.local = new InProcessChannels(capacity);
    this.edgeIndex = new Map(networkEdgesOf(graph).edges.map((edge, i) => [edge, i]));
    const local = replayed.filter(({ edge, from, to }) => routes[edge]![from]![to]?.kind === 'local');
    this.local.replay(graph, local);
    for (const channel of replayed) {
      if (!local.includes(channel)) this.replayedThreadChannels.set(`${channel.edge}/${channel.from}/${channel.to}`, channel.batches);
    }
  }

  reader(edge: Edge, from: number, to: number): { readonly reader: ChannelReader; readonly name: string } | undefined {
    const route = this.route(edge, from, to);
    if (route === null) return undefined;
    if (route.kind === 'local') return this.local.reader(edge, from, to);
    const reader = openThreadChannelReader(route.descriptor);
    this.opened.push(reader);
    const replayed = this.replayedThreadChannels.get(`${this.edgeIndex.get(edge)!}/${from}/${to}`);
    return { reader: replayed === undefined ? reader : new ReplayingReader(replayed, reader), name: route.descriptor.name };
  }

  writer(edge: Edge, from: number, to: number): ChannelWriter | undefined {
    const route = this.route(edge, from, to);
    if (route === null) return undefined;
    if (route.kind === 'local') return this.local.writer(edge, from, to);
    const writer = openThreadChannelWriter(route.descriptor);
    this.opened.push(writer);
    return writer;
  }

  private route(edge: Edge, from: number, to: number): ChannelRoute | null {
    return this.routes[this.edgeIndex.get(edge)!]![from]![to]!;
  }

  close(): void {
    this.local.close();
    for (const end of this.opened) end.close();
  }
}

/**
 * A thread channel's reader that first hands out the records in flight a restore put back into its channel. They
 * come before anything from the ring, an overtaking barrier included: a batch read after its task's snapshot and
 * before that channel's barrier is recorded as input in flight again, so no record is lost either way.
 */
class ReplayingReader implements ChannelReader {
  private next = 0;
  private readonly replayed: readonly ChannelEvent[];

  constructor(
    batches: readonly RecordBatch[],
    private readonly inner: ChannelReader,
  ) {
    this.replayed = batches.map((batch) => ({ type: 'batch', batch }));
  }

  poll(): ChannelEvent | undefined {
    return this.next < this.replayed.length ? this.replayed[this.next++] : this.inner.poll();
  }

  get isEmpty(): boolean {
    return this.next >= this.replayed.length && this.inner.isEmpty;
  }

  setAvailabilityListener(signal: Signal): void {
    this.inner.setAvailabilityListener(signal);
    if (this.next < this.replayed.length) signal.notify();
  }
}

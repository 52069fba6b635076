import type { Edge, JobGraph } from '../../compiler/graph/job-graph.js';
import type { ChannelReader, ChannelWriter } from '../channels/channel.js';
import { channelName, InProcessChannels, isConnected, networkEdgesOf, type ChannelEnds } from '../execution/build-tasks.js';
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

/** One thread's channel ends: in-process channels for local routes, its ends of thread channels for the others. */
export class RoutedChannelEnds implements ChannelEnds {
  private readonly local: InProcessChannels;
  private readonly edgeIndex: ReadonlyMap<Edge, number>;
  private readonly opened: { close(): void }[] = [];

  constructor(
    graph: JobGraph,
    private readonly routes: ChannelRoutes,
    capacity: number,
  ) {
    this.local = new InProcessChannels(capacity);
    this.edgeIndex = new Map(networkEdgesOf(graph).edges.map((edge, i) => [edge, i]));
  }

  reader(edge: Edge, from: number, to: number): { readonly reader: ChannelReader; readonly name: string } | undefined {
    const route = this.route(edge, from, to);
    if (route === null) return undefined;
    if (route.kind === 'local') return this.local.reader(edge, from, to);
    const reader = openThreadChannelReader(route.descriptor);
    this.opened.push(reader);
    return { reader, name: route.descriptor.name };
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

import type { Edge } from '../../compiler/graph/job-graph.js';
import { compileProjection, type UdfImplementations } from '../expressions/compile-expr.js';
import { makeBatch, type RecordBatch } from '../record-batch.js';
import { keyGroupOf, subtaskForKeyGroup } from '../state/key-groups.js';
import type { ChannelEvent } from './channel-event.js';
import type { ChannelWriter } from './channel.js';

/**
 * Writes one operator's output into the channels of one outgoing edge, partitioned by the edge's scheme:
 * - `forward`: the one channel to the same subtask index, batches passed on as they are;
 * - `rebalance`: round robin, a whole batch at a time (batches stay large; Flink does it per record);
 * - `broadcast`: every channel gets the (immutable) batch;
 * - `hash`: each row goes to the subtask owning its key group (murmur3 of the encoded key mod maxParallelism,
 *   then Flink's keyGroup * parallelism / maxParallelism); rows are gathered per channel and sent as one batch
 *   per channel per input batch, so order per key is kept.
 * Control events go to every channel, after the records before them.
 */
export class EdgeWriter {
  private nextChannel = 0;
  private readonly keyOf: ((row: readonly unknown[]) => unknown[]) | undefined;

  constructor(
    readonly edge: Edge,
    private readonly channels: readonly ChannelWriter[],
    private readonly maxParallelism: number,
    udfs: UdfImplementations,
  ) {
    if (edge.partitioning === 'hash') {
      // An empty key (a global aggregate) is one key: every row goes to the subtask owning its key group.
      if (edge.keys === undefined) throw new Error(`hash edge ${edge.from} → ${edge.to} has no keys`);
      this.keyOf = compileProjection(edge.keys, udfs);
    }
  }

  pushBatch(batch: RecordBatch): void {
    const channels = this.channels;
    switch (this.edge.partitioning) {
      case 'forward':
        channels[0]!.push({ type: 'batch', batch });
        return;
      case 'rebalance':
        channels[this.nextChannel]!.push({ type: 'batch', batch });
        this.nextChannel = (this.nextChannel + 1) % channels.length;
        return;
      case 'broadcast':
        for (const channel of channels) channel.push({ type: 'batch', batch });
        return;
      case 'hash':
        this.pushHashed(batch);
        return;
    }
  }

  private pushHashed(batch: RecordBatch): void {
    const { rows, kinds } = batch;
    const channels = this.channels;
    const parallelism = channels.length;
    const keyOf = this.keyOf!;
    const maxParallelism = this.maxParallelism;
    if (parallelism === 1) {
      channels[0]!.push({ type: 'batch', batch });
      return;
    }
    const parts: (readonly unknown[])[][] = [];
    const partKinds: number[][] | undefined = kinds === undefined ? undefined : [];
    for (let target = 0; target < parallelism; target++) {
      parts.push([]);
      partKinds?.push([]);
    }
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!;
      const target = subtaskForKeyGroup(keyGroupOf(keyOf(row), maxParallelism), parallelism, maxParallelism);
      parts[target]!.push(row);
      partKinds?.[target]!.push(kinds![i]!);
    }
    for (let target = 0; target < parallelism; target++) {
      const part = parts[target]!;
      if (part.length === 0) continue;
      const batchOut = part.length === rows.length ? batch : makeBatch(part, partKinds === undefined ? undefined : Uint8Array.from(partKinds[target]!));
      channels[target]!.push({ type: 'batch', batch: batchOut });
    }
  }

  pushEvent(event: ChannelEvent): void {
    for (const channel of this.channels) channel.push(event);
  }

  /**
   * Puts `event` ahead of what is queued in every channel of the edge (an unaligned barrier); per channel, the
   * index of the receiving subtask and the batches overtaken. `fromSubtask` is the writing subtask.
   */
  overtakeWith(event: ChannelEvent, fromSubtask: number): { readonly toSubtask: number; readonly batches: RecordBatch[] }[] {
    return this.channels.map((channel, index) => {
      const toSubtask = this.edge.partitioning === 'forward' ? fromSubtask : index;
      if (channel.overtake !== undefined) return { toSubtask, batches: channel.overtake(event) };
      channel.push(event);
      return { toSubtask, batches: [] };
    });
  }

  /** A channel that is full, to wait on; undefined when every channel has room. */
  fullChannel(): ChannelWriter | undefined {
    for (const channel of this.channels) if (channel.isFull) return channel;
    return undefined;
  }
}

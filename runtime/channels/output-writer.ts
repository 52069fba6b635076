import type { TypedExpr } from '../../compiler/expressions/typed-expr.js';
import type { Edge, Operator, OperatorSpec } from '../../compiler/graph/job-graph.js';
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
 *   per channel per input batch, with their key groups, so order per key is kept and the keyed operator behind
 *   the edge does not hash the key again. A row whose key equals the previous row's reuses its key group (rows often come in runs of one key: a window aggregate's results, grouped by window), and keys
 *   that are plain columns are read from the row without building a key array, so that an exchange costs little
 *   beyond the hash of each new key.
 * Control events go to every channel, after the records before them.
 */
export class EdgeWriter {
  private nextChannel = 0;
  private readonly keyOf: ((row: readonly unknown[]) => unknown[]) | undefined;
  /** Hash edges whose keys are all plain column references: their columns, read into `columnKey`. */
  private readonly keyColumns: readonly number[] | undefined;
  private readonly columnKey: unknown[] = [];
  /** The last key hashed (primitive values only) and its key group; -1 when there is none to reuse. */
  private readonly lastKey: unknown[] = [];
  private lastKeyGroup = -1;
  /** The key group and subtask of each row of the batch being partitioned, and rows per subtask: reused across batches. */
  private keyGroups = new Uint16Array(0);
  private targets = new Uint16Array(0);
  private readonly counts: Int32Array;

  constructor(
    readonly edge: Edge,
    private readonly channels: readonly ChannelWriter[],
    private readonly maxParallelism: number,
    udfs: UdfImplementations,
  ) {
    this.counts = new Int32Array(channels.length);
    if (edge.partitioning === 'hash') {
      // An empty key (a global aggregate) is one key: every row goes to the subtask owning its key group.
      if (edge.keys === undefined) throw new Error(`hash edge ${edge.from} → ${edge.to} has no keys`);
      this.keyOf = compileProjection(edge.keys, udfs);
      const columns = edge.keys.flatMap((key) => (key.op === 'column' ? [key.index] : []));
      if (columns.length === edge.keys.length) this.keyColumns = columns;
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
    if (parallelism === 1) {
      channels[0]!.push({ type: 'batch', batch });
      return;
    }
    // Two passes: each row's key group and subtask first, then parts of exactly their size (no array grown push
    // by push). The key groups travel with the parts, so the keyed operator behind the edge does not hash again.
    const n = rows.length;
    if (this.targets.length < n) {
      const size = Math.max(n, 2 * this.targets.length);
      this.targets = new Uint16Array(size);
      this.keyGroups = new Uint16Array(size);
    }
    const targets = this.targets;
    const keyGroups = this.keyGroups;
    const counts = this.counts;
    counts.fill(0);
    for (let i = 0; i < n; i++) {
      const keyGroup = this.keyGroupOf(rows[i]!);
      const target = subtaskForKeyGroup(keyGroup, parallelism, this.maxParallelism);
      keyGroups[i] = keyGroup;
      targets[i] = target;
      counts[target]!++;
    }
    const parts = new Array<(readonly unknown[])[]>(parallelism);
    const partKinds = kinds === undefined ? undefined : new Array<Uint8Array>(parallelism);
    const partGroups = new Array<Uint16Array>(parallelism);
    for (let target = 0; target < parallelism; target++) {
      const count = counts[target]!;
      if (count === n) {
        channels[target]!.push({ type: 'batch', batch: makeBatch(rows, kinds, keyGroups.slice(0, n)) });
        return;
      }
      parts[target] = new Array<readonly unknown[]>(count);
      if (partKinds !== undefined) partKinds[target] = new Uint8Array(count);
      partGroups[target] = new Uint16Array(count);
      counts[target] = 0; // from here on, the next free slot of the part
    }
    for (let i = 0; i < n; i++) {
      const target = targets[i]!;
      const slot = counts[target]!++;
      parts[target]![slot] = rows[i]!;
      if (partKinds !== undefined) partKinds[target]![slot] = kinds![i]!;
      partGroups[target]![slot] = keyGroups[i]!;
    }
    for (let target = 0; target < parallelism; target++) {
      const part = parts[target]!;
      if (part.length > 0) channels[target]!.push({ type: 'batch', batch: makeBatch(part, partKinds?.[target], partGroups[target]) });
    }
  }

  /** The key group of `row`'s key. */
  private keyGroupOf(row: readonly unknown[]): number {
    const columns = this.keyColumns;
    let key: unknown[];
    if (columns === undefined) key = this.keyOf!(row);
    else {
      key = this.columnKey;
      for (let c = 0; c < columns.length; c++) key[c] = row[columns[c]!];
    }
    const last = this.lastKey;
    if (this.lastKeyGroup >= 0 && sameKey(key, last)) return this.lastKeyGroup;
    const keyGroup = keyGroupOf(key, this.maxParallelism);
    this.lastKeyGroup = -1;
    for (let c = 0; c < key.length; c++) {
      const value = key[c];
      // An object (a ROW value) is compared by its encoding only: such a key is not reused.
      if (value !== null && typeof value === 'object') return keyGroup;
      last[c] = value;
    }
    this.lastKeyGroup = keyGroup;
    return keyGroup;
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

/**
 * For each input of `operator`, whether the key groups its batches carry (RecordBatch.keyGroups) are those of the
 * operator's own key: every edge into that input is a hash edge on the very expressions the operator keys by.
 */
export function keyGroupInputs(operator: Operator, edgesIn: readonly Edge[]): boolean[] {
  return operator.inputs.map((_, input) => {
    const keys = operatorKeys(operator.spec, input);
    const edges = edgesIn.filter((e) => e.toInput === input);
    const own = keys === undefined ? undefined : JSON.stringify(keys);
    return own !== undefined && edges.length > 0 && edges.every((e) => e.partitioning === 'hash' && JSON.stringify(e.keys) === own);
  });
}

function operatorKeys(spec: OperatorSpec, input: number): readonly TypedExpr[] | undefined {
  switch (spec.kind) {
    case 'group_aggregate':
    case 'window_aggregate':
    case 'deduplicate':
    case 'process':
      return spec.keys;
    case 'join':
    case 'interval_join':
    case 'window_join':
      return input === 0 ? spec.leftKeys : spec.rightKeys;
    default:
      return undefined;
  }
}

/**
 * Whether key `a` encodes (encodeKey) as `last`, a key of primitive values of the same length: for primitives,
 * equal values have equal encodings (-0 is written as 0, every NaN alike, undefined as null).
 */
function sameKey(a: readonly unknown[], last: readonly unknown[]): boolean {
  for (let c = 0; c < a.length; c++) {
    const x = a[c];
    const y = last[c];
    if (x !== y && !(isNullish(x) && isNullish(y)) && !(x !== x && y !== y)) return false;
  }
  return true;
}

function isNullish(value: unknown): boolean {
  return value === null || value === undefined;
}

import { describe, expect, it } from 'vitest';
import type { TypedExpr } from '../../compiler/expressions/typed-expr.js';
import type { ChannelEvent } from '../../runtime/channels/channel-event.js';
import type { ChannelWriter } from '../../runtime/channels/channel.js';
import { EdgeWriter, keyGroupInputs } from '../../runtime/channels/output-writer.js';
import { compileProjection } from '../../runtime/expressions/compile-expr.js';
import { makeBatch, type RecordBatch } from '../../runtime/record-batch.js';
import { keyGroupOf, subtaskForKeyGroup } from '../../runtime/state/key-groups.js';
import { bigint, column, filterSpec, forward, hash, makeOperator } from '../graph/sample-graph.js';

const MAX_PARALLELISM = 128;

class RecordingChannel implements ChannelWriter {
  readonly batches: RecordBatch[] = [];
  readonly isFull = false;
  push(event: ChannelEvent): void {
    if (event.type === 'batch') this.batches.push(event.batch);
  }
  whenWritable(): Promise<void> {
    return Promise.resolve();
  }
}

/** Writes `batches` through a hash edge on `keys` into `parallelism` channels. */
function partition(keys: TypedExpr[], parallelism: number, batches: RecordBatch[]): RecordingChannel[] {
  const channels = Array.from({ length: parallelism }, () => new RecordingChannel());
  const writer = new EdgeWriter(hash('a', 'b', keys), channels, MAX_PARALLELISM, new Map());
  for (const batch of batches) writer.pushBatch(batch);
  return channels;
}

/** The subtask of each row by the definition: the key group of the evaluated key, row by row. */
function expectedSubtask(keys: TypedExpr[], parallelism: number): (row: readonly unknown[]) => number {
  const groupOf = expectedKeyGroup(keys);
  return (row) => subtaskForKeyGroup(groupOf(row), parallelism, MAX_PARALLELISM);
}

function expectedKeyGroup(keys: TypedExpr[]): (row: readonly unknown[]) => number {
  const keyOf = compileProjection(keys);
  return (row) => keyGroupOf(keyOf(row), MAX_PARALLELISM);
}

function expectPartitioned(keys: TypedExpr[], parallelism: number, rows: unknown[][], kinds?: Uint8Array): RecordingChannel[] {
  const channels = partition(keys, parallelism, [makeBatch(rows, kinds)]);
  const subtaskOf = expectedSubtask(keys, parallelism);
  const groupOf = expectedKeyGroup(keys);
  for (let target = 0; target < parallelism; target++) {
    const indices = rows.flatMap((row, i) => (subtaskOf(row) === target ? [i] : []));
    const received = channels[target]!.batches;
    if (indices.length === 0) {
      expect(received).toEqual([]);
      continue;
    }
    expect(received).toHaveLength(1);
    // Each row, by identity and in batch order, with its kind.
    expect(received[0]!.rows).toHaveLength(indices.length);
    indices.forEach((i, j) => expect(received[0]!.rows[j]).toBe(rows[i]));
    if (kinds === undefined) expect(received[0]!.kinds).toBeUndefined();
    else expect([...received[0]!.kinds!]).toEqual(indices.map((i) => kinds[i]));
    // Each row's key group travels with it, for the keyed operator behind the edge.
    expect([...received[0]!.keyGroups!]).toEqual(indices.map((i) => groupOf(rows[i]!)));
  }
  return channels;
}

describe('EdgeWriter hash partitioning', () => {
  it('sends each row of a numeric key to the subtask owning its key group, in order', () => {
    const rows = Array.from({ length: 500 }, (_, i) => [1000 + ((i * 7919) % 97), i, 'x']);
    const channels = expectPartitioned([column(0, 'auction')], 3, rows);
    expect(channels.every((c) => c.batches.length === 1)).toBe(true);
  });

  it('partitions keys of two columns, in runs of one key and not, as their encodings do', () => {
    const rows: unknown[][] = [];
    for (let w = 0; w < 20; w++) for (let k = 0; k < 30; k++) rows.push([k, w * 2000, w * 2000 + 10000]);
    for (let i = 0; i < 200; i++) rows.push([i, (i % 13) * 2000, (i % 13) * 2000 + 10000]);
    expectPartitioned([column(1, 'window_start'), column(2, 'window_end')], 2, rows);
  });

  it('treats null and undefined alike, NaN as one value, -0 as 0, and does not confuse 1 with "1"', () => {
    const values = [null, undefined, NaN, NaN, -0, 0, 1, '1', 1, 'a', 'a', true, null, 2.5, 2.5, undefined, Infinity];
    const rows = values.flatMap((v, i) => [[v, 7, i], [v, 7, i], [7, v, i]]);
    expectPartitioned([column(0, 'a'), column(1, 'b')], 4, rows);
    expectPartitioned([column(0, 'a')], 4, rows);
  });

  it('partitions by keys holding objects and by computed keys', () => {
    const rows = Array.from({ length: 60 }, (_, i) => [{ id: i % 5 }, i % 3, i]);
    expectPartitioned([column(0, 'row'), column(1, 'n')], 3, rows);
    const plusOne: TypedExpr = { op: 'call', fn: '+', args: [column(1, 'n'), bigint(1)], type: { name: 'BIGINT' }, nullable: false };
    expectPartitioned([plusOne], 3, rows);
  });

  it('keeps the row kinds of each part', () => {
    const rows = Array.from({ length: 40 }, (_, i) => [i % 6, i]);
    const kinds = Uint8Array.from(rows, (_, i) => i % 4);
    expectPartitioned([column(0, 'k')], 2, rows, kinds);
  });

  it('passes the rows of a batch that all go to one subtask on without copying them, with their key groups', () => {
    const batch = makeBatch([[5, 1], [5, 2], [5, 3]], new Uint8Array([0, 2, 1]));
    const channels = partition([column(0, 'k')], 2, [batch]);
    const received = channels.flatMap((c) => c.batches);
    expect(received).toHaveLength(1);
    expect(received[0]!.rows).toBe(batch.rows);
    expect(received[0]!.kinds).toBe(batch.kinds);
    expect([...received[0]!.keyGroups!]).toEqual(Array(3).fill(keyGroupOf([5], MAX_PARALLELISM)));
  });

  it('passes batches on untouched, without key groups, into a single subtask', () => {
    const batch = makeBatch([[5, 1], [6, 2]]);
    expect(partition([column(0, 'k')], 1, [batch])[0]!.batches[0]).toBe(batch);
  });

  it('partitions each batch on its own, whatever the size of the one before', () => {
    const big = Array.from({ length: 300 }, (_, i) => [i, i]);
    const small = Array.from({ length: 5 }, (_, i) => [i * 11, i]);
    const keys = [column(0, 'k')];
    const channels = partition(keys, 2, [makeBatch(big), makeBatch(small)]);
    const subtaskOf = expectedSubtask(keys, 2);
    for (let target = 0; target < 2; target++) {
      const rows = channels[target]!.batches.flatMap((b) => b.rows);
      expect(rows).toEqual([...big, ...small].filter((row) => subtaskOf(row) === target));
    }
  });
});

describe('which inputs carry key groups of the operator behind', () => {
  const keys = [column(0, 'auction')];
  const aggregate = makeOperator('agg', { kind: 'group_aggregate', keys, aggregates: [] });
  const join = makeOperator('join', { kind: 'join', joinType: 'inner', leftKeys: keys, rightKeys: [column(1, 'price')] }, {
    inputs: [aggregate.output, aggregate.output],
  });

  it('the inputs behind hash edges on the very keys the operator keys by', () => {
    expect(keyGroupInputs(aggregate, [hash('a', 'agg', keys)])).toEqual([true]);
    expect(keyGroupInputs(join, [hash('a', 'join', keys, 0), hash('b', 'join', [column(1, 'price')], 1)])).toEqual([true, true]);
  });

  it('no input whose edges are keyed otherwise, forward or not all of one key, nor of an operator without keys', () => {
    expect(keyGroupInputs(aggregate, [hash('a', 'agg', [column(1, 'price')])])).toEqual([false]);
    expect(keyGroupInputs(aggregate, [forward('a', 'agg')])).toEqual([false]);
    expect(keyGroupInputs(aggregate, [hash('a', 'agg', keys), forward('b', 'agg')])).toEqual([false]);
    expect(keyGroupInputs(join, [hash('a', 'join', keys, 0), hash('b', 'join', keys, 1)])).toEqual([true, false]);
    expect(keyGroupInputs(makeOperator('f', filterSpec), [hash('a', 'f', keys)])).toEqual([false]);
  });
});

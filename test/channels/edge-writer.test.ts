import { describe, expect, it } from 'vitest';
import type { TypedExpr } from '../../compiler/expressions/typed-expr.js';
import type { ChannelEvent } from '../../runtime/channels/channel-event.js';
import type { ChannelWriter } from '../../runtime/channels/channel.js';
import { EdgeWriter } from '../../runtime/channels/output-writer.js';
import { compileProjection } from '../../runtime/expressions/compile-expr.js';
import { makeBatch, type RecordBatch } from '../../runtime/record-batch.js';
import { keyGroupOf, subtaskForKeyGroup } from '../../runtime/state/key-groups.js';
import { bigint, column, hash } from '../graph/sample-graph.js';

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
  const keyOf = compileProjection(keys);
  return (row) => subtaskForKeyGroup(keyGroupOf(keyOf(row), MAX_PARALLELISM), parallelism, MAX_PARALLELISM);
}

function expectPartitioned(keys: TypedExpr[], parallelism: number, rows: unknown[][], kinds?: Uint8Array): RecordingChannel[] {
  const channels = partition(keys, parallelism, [makeBatch(rows, kinds)]);
  const subtaskOf = expectedSubtask(keys, parallelism);
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

  it('passes a batch whose rows all go to one subtask on as it is', () => {
    const batch = makeBatch([[5, 1], [5, 2], [5, 3]]);
    const channels = partition([column(0, 'k')], 2, [batch]);
    expect(channels.flatMap((c) => c.batches)).toEqual([batch]);
    expect(channels.flatMap((c) => c.batches)[0]).toBe(batch);
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

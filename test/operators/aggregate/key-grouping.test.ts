import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TypedExpr } from '../../../compiler/expressions/typed-expr.js';
import { KeyGrouping } from '../../../runtime/operators/aggregate/key-grouping.js';
import { encodeKey } from '../../../runtime/state/key-codec.js';
import { rowsByKey } from './rows-by-key-before.js';

const primitive = fc.oneof(
  fc.constantFrom(0, -0, 1, 1.5, NaN, Infinity, -Infinity, null, true, false, '', 'a', '1', 'null', 2 ** 53, -(2 ** 31)),
  fc.integer({ min: -3, max: 3 }),
  // Strings longer than the 16 characters hashed whole, differing only in the middle.
  fc.constantFrom('aaaa-middle-0-zzzzzzzzzzzz', 'aaaa-middle-1-zzzzzzzzzzzz', 'aaaa-middle-2-zzzzzzzzzzzz'),
);
const value = fc.oneof(primitive, fc.constant(undefined), fc.array(fc.constantFrom(1, 'a', null, -0), { maxLength: 2 }));

interface Group {
  encoded: string;
  rows: number[];
}

/** The grouping KeyGrouping must give: rows whose keys encode alike, keys in order of first appearance. */
function byEncoding(keys: readonly (readonly unknown[])[]): Group[] {
  const groups = new Map<string, number[]>();
  keys.forEach((key, i) => {
    const encoded = encodeKey(key);
    const rows = groups.get(encoded) ?? [];
    rows.push(i);
    groups.set(encoded, rows);
  });
  return [...groups].map(([encoded, rows]) => ({ encoded, rows }));
}

/** The groups of the last `group` call, checking what each group says about itself on the way. */
function groupsOf(grouping: KeyGrouping, rows: readonly (readonly unknown[])[], keyCount: number, keyGroups?: Uint16Array): Group[] {
  const count = grouping.group(rows, keyGroups);
  expect(count).toBe(grouping.count);
  const groups: Group[] = [];
  for (let g = 0; g < count; g++) {
    const members = Array.from(grouping.order.subarray(grouping.starts[g], grouping.starts[g + 1]));
    const key = grouping.keys[g]!;
    expect(key).toHaveLength(keyCount);
    const encoded = encodeKey(key);
    // The key is its first row's; several columns, or an object in the key, come with their encoding.
    expect(encodeKey(rows[members[0]!]!.slice(0, keyCount))).toBe(encoded);
    const holdsObject = key.some((v) => v !== null && typeof v === 'object');
    expect(grouping.encodings[g]).toBe(keyCount > 1 || holdsObject ? encoded : undefined);
    expect(grouping.keyGroups[g]).toBe(keyGroups === undefined ? -1 : keyGroups[members[0]!]);
    groups.push({ encoded, rows: members });
  }
  expect(grouping.starts[count]).toBe(rows.length);
  return groups;
}

/** The key expression of column 0 (a STRING): a plain reference, or UPPER of it. */
function keyExprs(computed: boolean): TypedExpr[] {
  const column: TypedExpr = { op: 'column', index: 0, name: 's', type: { name: 'STRING' }, nullable: false };
  return [computed ? { op: 'call', fn: 'UPPER', args: [column], type: { name: 'STRING' }, nullable: false } : column];
}

/** A grouping of the first `keyCount` columns: by column references, or by a projection called per row. */
function groupingOf(keyCount: number, computed: boolean, calls?: { n: number }): KeyGrouping {
  const keyOf = (row: readonly unknown[]): unknown[] => {
    if (calls !== undefined) calls.n++;
    return row.slice(0, keyCount);
  };
  return new KeyGrouping(keyOf, keyCount, computed ? undefined : Array.from({ length: keyCount }, (_, i) => i));
}

const batches = (keyCount: number, values: fc.Arbitrary<unknown>) =>
  fc.array(fc.array(fc.array(values, { minLength: keyCount + 1, maxLength: keyCount + 1 }), { maxLength: 60 }), { minLength: 1, maxLength: 5, size: 'max' });

describe('grouping a batch by key (KeyGrouping)', () => {
  it.each([
    [1, false],
    [2, false],
    [3, false],
    [1, true],
    [2, true],
    [3, true],
  ])('puts rows in one group exactly when their keys of %i columns encode alike (computed key: %s), batch after batch', (keyCount, computed) => {
    fc.assert(
      fc.property(batches(keyCount, value), (rowsOfBatches) => {
        const grouping = groupingOf(keyCount, computed);
        for (const rows of rowsOfBatches) {
          const keys = rows.map((row) => row.slice(0, keyCount));
          expect(groupsOf(grouping, rows, keyCount)).toEqual(byEncoding(keys));
        }
      }),
    );
  });

  it.each([1, 2, 3])('gives the groups, their order, rows, keys and encodings of the grouping before it, for keys of %i primitive columns', (keyCount) => {
    fc.assert(
      fc.property(batches(keyCount, primitive), (rowsOfBatches) => {
        const grouping = groupingOf(keyCount, false);
        for (const rows of rowsOfBatches) {
          const keyGroups = Uint16Array.from(rows, (_, i) => (i * 7) % 128);
          const before = rowsByKey(rows, (row) => row.slice(0, keyCount), keyCount, keyGroups);
          const count = grouping.group(rows, keyGroups);
          expect(count).toBe(before.length);
          for (let g = 0; g < count; g++) {
            expect(Array.from(grouping.order.subarray(grouping.starts[g], grouping.starts[g + 1]))).toEqual(before[g]!.rows);
            expect(grouping.keys[g]).toEqual(before[g]!.key);
            expect(grouping.encodings[g]).toBe(before[g]!.encoded);
            expect(grouping.keyGroups[g]).toBe(before[g]!.keyGroup);
          }
        }
      }),
    );
  });

  it('groups a batch as a fresh grouping would after a batch whose key expression threw midway', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 1, max: 3 }), fc.array(fc.array(value, { minLength: 4, maxLength: 4 }), { maxLength: 200 }), fc.boolean()), { minLength: 1, maxLength: 6 }),
        fc.boolean(),
        (batches, computed) => {
          const groupings = new Map<number, { grouping: KeyGrouping; calls: { n: number }; failAt: { n: number } }>();
          for (const [keyCount, rows, fails] of batches) {
            let entry = groupings.get(keyCount);
            if (entry === undefined) {
              const calls = { n: 0 };
              const failAt = { n: -1 };
              const keyOf = (row: readonly unknown[]): unknown[] => {
                if (++calls.n === failAt.n) throw new Error('key failed');
                return row.slice(0, keyCount);
              };
              entry = { grouping: new KeyGrouping(keyOf, keyCount, computed ? undefined : Array.from({ length: keyCount }, (_, i) => i)), calls, failAt };
              groupings.set(keyCount, entry);
            }
            const { grouping, calls, failAt } = entry;
            if (fails && rows.length > 1) {
              // How often this batch calls the key expression; then it throws at its last call, midway through grouping.
              calls.n = 0;
              groupingOf(keyCount, computed, calls).group(rows);
              failAt.n = calls.n;
              calls.n = 0;
              expect(() => grouping.group(rows)).toThrow('key failed');
              failAt.n = -1;
            }
            expect(groupsOf(grouping, rows, keyCount)).toEqual(byEncoding(rows.map((row) => row.slice(0, keyCount))));
          }
        },
      ),
    );
  });

  it('builds a key of column references once per group, and a computed one per row', () => {
    const rows = [[1, 'a'], [2, 'b'], [1, 'a'], [1, 'b'], [2, 'b'], [1, 'a']];
    const byColumns = { n: 0 };
    expect(groupsOf(groupingOf(2, false, byColumns), rows, 2).map((g) => g.rows)).toEqual([[0, 2, 5], [1, 4], [3]]);
    expect(byColumns.n).toBe(3);
    const computed = { n: 0 };
    expect(groupsOf(groupingOf(2, true, computed), rows, 2).map((g) => g.rows)).toEqual([[0, 2, 5], [1, 4], [3]]);
    expect(computed.n).toBe(6);
  });

  it('groups -0 with 0, NaN with NaN, undefined with NULL, and ROW values by their encoding', () => {
    const rows = [[0], [-0], [NaN], [null], [Number.NaN], [undefined], [[1, 'a']], [[1, 'a']], ['0'], [[-0, 'a']]];
    for (const computed of [false, true]) {
      expect(groupsOf(groupingOf(1, computed), rows, 1).map((g) => g.rows)).toEqual([[0, 1], [2, 4], [3, 5], [6, 7], [8], [9]]);
    }
  });

  it('keeps many keys apart in a large batch, and no key column as one group', () => {
    const rows = Array.from({ length: 5000 }, (_, i) => [i % 1500, `name-${i % 3}`]);
    const grouping = groupingOf(2, false);
    const groups = groupsOf(grouping, rows, 2);
    expect(groups).toEqual(byEncoding(rows));
    expect(groups).toHaveLength(1500);
    // A smaller batch after it: nothing of the large one is left over.
    expect(groupsOf(grouping, [[1, 'name-1'], [1, 'name-1']], 2).map((g) => g.rows)).toEqual([[0, 1]]);
    const none = new KeyGrouping(() => [], 0, []);
    expect(groupsOf(none, rows.slice(0, 4), 0).map((g) => g.rows)).toEqual([[0, 1, 2, 3]]);
    expect(none.group([])).toBe(0);
  });

  it('gives each group the key group of its first row when the batch carries them, else -1', () => {
    const rows = [[1, 'a'], [2, 'b'], [1, 'a'], [3, 'c']];
    const keyGroups = Uint16Array.from([7, 9, 7, 11]);
    for (const keyCount of [1, 2]) {
      expect(groupingOf(keyCount, false).group(rows, keyGroups)).toBe(3);
      const grouping = groupingOf(keyCount, false);
      grouping.group(rows, keyGroups);
      expect(Array.from(grouping.keyGroups.subarray(0, 3))).toEqual([7, 9, 11]);
      grouping.group(rows);
      expect(Array.from(grouping.keyGroups.subarray(0, 3))).toEqual([-1, -1, -1]);
    }
    const none = new KeyGrouping(() => [], 0, []);
    none.group(rows, keyGroups);
    expect(none.keyGroups[0]).toBe(7);
  });

  it('compiles key expressions: plain column references, or computed keys', () => {
    const rows = [['a', 1], ['A', 2], ['a', 3], ['b', 4]];
    expect(groupsOf(KeyGrouping.of(keyExprs(false)), rows, 1).map((g) => g.rows)).toEqual([[0, 2], [1], [3]]);
    const upper = KeyGrouping.of(keyExprs(true));
    expect(upper.group(rows)).toBe(2);
    expect(upper.keys.slice(0, 2)).toEqual([['A'], ['B']]);
    expect(Array.from(upper.order.subarray(0, 4))).toEqual([0, 1, 2, 3]);
  });
});

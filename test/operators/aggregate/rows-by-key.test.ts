import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KeyedRowGroups, rowsByKey } from '../../../runtime/operators/aggregate/rows-by-key.js';
import { encodeKey } from '../../../runtime/state/key-codec.js';

const value = fc.oneof(
  fc.constantFrom(0, -0, 1, 1.5, NaN, Infinity, -Infinity, null, undefined, true, false, '', 'a', '1', 'null'),
  fc.integer({ min: -3, max: 3 }),
  fc.array(fc.constantFrom(1, 'a', null), { maxLength: 2 }),
);

/** The grouping rowsByKey must give: rows whose keys encode alike, keys in order of first appearance. */
function byEncoding(keys: readonly unknown[][]): { encoded: string; rows: number[] }[] {
  const groups = new Map<string, number[]>();
  keys.forEach((key, i) => {
    const encoded = encodeKey(key);
    const rows = groups.get(encoded) ?? [];
    rows.push(i);
    groups.set(encoded, rows);
  });
  return [...groups].map(([encoded, rows]) => ({ encoded, rows }));
}

describe('grouping a batch by key', () => {
  it.each([2, 3])('puts rows in one group exactly when their keys of %i columns encode alike', (keyCount) => {
    fc.assert(
      fc.property(fc.array(fc.array(value, { minLength: keyCount, maxLength: keyCount }), { maxLength: 40 }), (keys) => {
        const groups = rowsByKey(keys, (row) => [...row], keyCount);
        expect(groups.map((g) => ({ encoded: g.encoded, rows: g.rows }))).toEqual(byEncoding(keys));
        for (const group of groups) expect(encodeKey(group.key)).toBe(group.encoded);
      }),
    );
  });

  it('gives each group the key group of its first row when the batch carries them, else -1', () => {
    const rows = [[1, 'a'], [2, 'b'], [1, 'a'], [3, 'c']];
    const keyGroups = Uint16Array.from([7, 9, 7, 11]);
    for (const keyCount of [1, 2]) {
      expect(rowsByKey(rows, (row) => row.slice(0, keyCount), keyCount, keyGroups).map((g) => g.keyGroup)).toEqual([7, 9, 11]);
      expect(rowsByKey(rows, (row) => row.slice(0, keyCount), keyCount).map((g) => g.keyGroup)).toEqual([-1, -1, -1]);
    }
    expect(rowsByKey(rows, () => [], 0, keyGroups).map((g) => g.keyGroup)).toEqual([7]);
  });

  it('groups one key column by its value, and no key column as one group', () => {
    const rows = [[1], [2], [1], [-0], [0]];
    expect(rowsByKey(rows, (row) => [...row], 1).map((g) => g.rows)).toEqual([[0, 2], [1], [3, 4]]);
    expect(rowsByKey(rows, () => [], 0).map((g) => g.rows)).toEqual([[0, 1, 2, 3, 4]]);
  });

  it('groups batch after batch with one reused KeyedRowGroups as a fresh grouping would, after a batch whose key failed too', () => {
    const reused = new KeyedRowGroups();
    const asObjects = (grouped: KeyedRowGroups, count: number) =>
      Array.from({ length: count }, (_, g) => {
        const rows: number[] = [];
        for (let i = grouped.firstRow(g); i >= 0; i = grouped.nextRow(i)) rows.push(i);
        return { key: grouped.key(g), encoded: grouped.encoded(g), keyGroup: grouped.keyGroup(g), rows };
      });
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.array(fc.array(value, { minLength: 3, maxLength: 3 }), { maxLength: 300 }), fc.boolean()), { minLength: 1, maxLength: 8 }),
        (batches) => {
          for (const [keyCount, keys, fails] of batches) {
            const keyOf = (row: readonly unknown[]) => row.slice(0, keyCount);
            if (fails && keys.length > 1 && keyCount > 0) {
              // A key expression that throws midway leaves a half-grouped batch behind.
              let n = 0;
              const failing = (row: readonly unknown[]) => {
                if (++n === keys.length) throw new Error('key failed');
                return keyOf(row);
              };
              expect(() => reused.group(keys, failing, keyCount)).toThrow('key failed');
            }
            const keyGroups = Uint16Array.from(keys, (_, i) => i % 97);
            expect(asObjects(reused, reused.group(keys, keyOf, keyCount, keyGroups))).toEqual(rowsByKey(keys, keyOf, keyCount, keyGroups));
            if (keyCount > 1) expect(rowsByKey(keys, keyOf, keyCount).map((g) => g.rows)).toEqual(byEncoding(keys.map(keyOf)).map((g) => g.rows));
          }
        },
      ),
    );
  });
});

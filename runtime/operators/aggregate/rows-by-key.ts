import { encodeKey } from '../../state/key-codec.js';

/** The rows of one key within a batch: their positions, in batch order. */
export interface RowsOfKey {
  readonly key: readonly unknown[];
  /** `encodeKey(key)` when grouping computed it (keys of several columns), for `ctx.setCurrentKey`. */
  readonly encoded: string | undefined;
  readonly rows: number[];
}

/**
 * Groups a batch's rows by key (mini-batch), keys in order of first appearance, so that an operator sets the
 * current key and reads its state once per key and batch instead of once per row. One key column is grouped by
 * its value directly (a Map compares numbers and strings as SQL does here); several by their encoding.
 */
export function rowsByKey(rows: readonly (readonly unknown[])[], keyOf: (row: readonly unknown[]) => unknown[], keyCount: number): RowsOfKey[] {
  if (keyCount === 0) return rows.length === 0 ? [] : [{ key: [], encoded: undefined, rows: Array.from(rows, (_, i) => i) }];
  const groups: RowsOfKey[] = [];
  const byKey = new Map<unknown, RowsOfKey>();
  for (let i = 0; i < rows.length; i++) {
    const key = keyOf(rows[i]!);
    const encoded = keyCount === 1 ? undefined : encodeKey(key);
    const id = encoded ?? key[0];
    let group = byKey.get(id);
    if (group === undefined) {
      group = { key, encoded, rows: [] };
      byKey.set(id, group);
      groups.push(group);
    }
    group.rows.push(i);
  }
  return groups;
}

import { encodeKey } from '../../state/key-codec.js';

/** The rows of one key within a batch: their positions, in batch order. */
export interface RowsOfKey {
  readonly key: readonly unknown[];
  /** `encodeKey(key)` when grouping computed it (keys of several columns), for `ctx.setCurrentKey`. */
  readonly encoded: string | undefined;
  /** The key's key group when the batch carried it (RecordBatch.keyGroups), else -1: for `ctx.setCurrentKey`. */
  readonly keyGroup: number;
  readonly rows: number[];
}

/** A group of a key of several columns, chained to the other groups that share its first column's value. */
interface ChainedRows extends RowsOfKey {
  next: ChainedRows | undefined;
}

/**
 * Groups a batch's rows by key (mini-batch), keys in order of first appearance, so that an operator sets the
 * current key and reads its state once per key and batch instead of once per row. One key column is grouped by
 * its value directly (a Map compares numbers and strings as SQL does here). Several are grouped by their first
 * column's value, then by comparing the other columns, and encoded once per group rather than once per row: keys
 * whose values are all primitive compare equal exactly when their encodings are equal (encodeKey writes -0 as 0,
 * NaN alike, undefined as null). A key with an object in it (a ROW value) is grouped by its encoding.
 * `keyGroups`, the batch's when they are those of this key, give each group its key group.
 */
export function rowsByKey(
  rows: readonly (readonly unknown[])[],
  keyOf: (row: readonly unknown[]) => unknown[],
  keyCount: number,
  keyGroups?: Uint16Array,
): RowsOfKey[] {
  if (keyCount === 0) return rows.length === 0 ? [] : [{ key: [], encoded: undefined, keyGroup: keyGroups?.[0] ?? -1, rows: Array.from(rows, (_, i) => i) }];
  if (keyCount === 1) return byOneColumn(rows, keyOf, keyGroups);
  const groups: ChainedRows[] = [];
  const byFirst = new Map<unknown, ChainedRows>();
  let byEncoding: Map<string, ChainedRows> | undefined;
  for (let i = 0; i < rows.length; i++) {
    const key = keyOf(rows[i]!);
    let group: ChainedRows | undefined;
    if (allPrimitive(key)) {
      const first = key[0] ?? null;
      const head = byFirst.get(first);
      group = head;
      while (group !== undefined && !sameRest(group.key, key)) group = group.next;
      if (group === undefined) {
        group = { key, encoded: encodeKey(key), keyGroup: keyGroups?.[i] ?? -1, rows: [i], next: head };
        byFirst.set(first, group);
        groups.push(group);
        continue;
      }
    } else {
      const encoded = encodeKey(key);
      group = (byEncoding ??= new Map()).get(encoded);
      if (group === undefined) {
        group = { key, encoded, keyGroup: keyGroups?.[i] ?? -1, rows: [i], next: undefined };
        byEncoding.set(encoded, group);
        groups.push(group);
        continue;
      }
    }
    group.rows.push(i);
  }
  return groups;
}

function byOneColumn(rows: readonly (readonly unknown[])[], keyOf: (row: readonly unknown[]) => unknown[], keyGroups: Uint16Array | undefined): RowsOfKey[] {
  const groups: RowsOfKey[] = [];
  const byKey = new Map<unknown, RowsOfKey>();
  for (let i = 0; i < rows.length; i++) {
    const key = keyOf(rows[i]!);
    const group = byKey.get(key[0]);
    if (group !== undefined) group.rows.push(i);
    else {
      // Created holding its first row: most keys have one row in a batch, and an empty array's first push
      // allocates room for 17.
      const created = { key, encoded: undefined, keyGroup: keyGroups?.[i] ?? -1, rows: [i] };
      byKey.set(key[0], created);
      groups.push(created);
    }
  }
  return groups;
}

function allPrimitive(key: readonly unknown[]): boolean {
  for (let i = 0; i < key.length; i++) {
    const value = key[i];
    if (value !== null && typeof value === 'object') return false;
  }
  return true;
}

/** Whether two keys of primitive values, whose first columns are equal, are equal in every other column. */
function sameRest(a: readonly unknown[], b: readonly unknown[]): boolean {
  for (let i = 1; i < a.length; i++) {
    const x = a[i] ?? null;
    const y = b[i] ?? null;
    if (x !== y && !(x !== x && y !== y)) return false;
  }
  return true;
}

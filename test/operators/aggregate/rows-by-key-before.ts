import { encodeKey } from '../../../runtime/state/key-codec.js';

// The grouping before KeyGrouping (runtime/operators/aggregate/key-grouping.ts), kept as a reference for its tests.

/** The rows of one key within a batch: their positions, in batch order. */
export interface RowsOfKey {
  readonly key: readonly unknown[];
  /** `encodeKey(key)` when grouping computed it (keys of several columns), for `ctx.setCurrentKey`. */
  readonly encoded: string | undefined;
  /** The key's key group when the batch carried it (RecordBatch.keyGroups), else -1: for `ctx.setCurrentKey`. */
  readonly keyGroup: number;
  readonly rows: number[];
}

/**
 * Groups a batch's rows by key (mini-batch), keys in order of first appearance, so that an operator sets the
 * current key and reads its state once per key and batch instead of once per row (`KeyedRowGroups` as objects).
 * `keyGroups`, the batch's when they are those of this key, give each group its key group.
 */
export function rowsByKey(
  rows: readonly (readonly unknown[])[],
  keyOf: (row: readonly unknown[]) => unknown[],
  keyCount: number,
  keyGroups?: Uint16Array,
): RowsOfKey[] {
  const grouped = new KeyedRowGroups();
  const count = grouped.group(rows, keyOf, keyCount, keyGroups);
  const groups: RowsOfKey[] = [];
  for (let g = 0; g < count; g++) {
    const of: number[] = [];
    for (let i = grouped.firstRow(g); i >= 0; i = grouped.nextRow(i)) of.push(i);
    groups.push({ key: grouped.key(g), encoded: grouped.encoded(g), keyGroup: grouped.keyGroup(g), rows: of });
  }
  return groups;
}

/**
 * A batch's rows grouped by key as columns, reused batch after batch: a group is an index, its rows a chain
 * through `nextRow` in batch order, with no object and no array of positions per key and batch (q5's window
 * aggregate made both for nearly every bid: most keys have one row in a batch). One key column is grouped by its
 * value directly (a Map compares numbers and strings as SQL does here). Several are grouped by their first
 * column's value, then by comparing the other columns, and encoded once per group rather than once per row: keys
 * whose values are all primitive compare equal exactly when their encodings are equal (encodeKey writes -0 as 0,
 * NaN alike, undefined as null). A key with an object in it (a ROW value) is grouped by its encoding.
 */
export class KeyedRowGroups {
  private keys: (readonly unknown[])[] = [];
  private encodings: (string | undefined)[] = [];
  private groupKeyGroups = new Int32Array(64);
  private first = new Int32Array(64);
  private last = new Int32Array(64);
  /** Per group, the next group sharing its first key column's value (keys of several columns), or -1. */
  private sameFirst = new Int32Array(64);
  private next = new Int32Array(256);
  private count = 0;
  private readonly byValue = new Map<unknown, number>();
  private readonly byEncoding = new Map<string, number>();

  /** Groups `rows`; the number of groups. The previous batch's groups are gone. */
  group(rows: readonly (readonly unknown[])[], keyOf: (row: readonly unknown[]) => unknown[], keyCount: number, keyGroups?: Uint16Array): number {
    this.reset(rows.length);
    if (keyCount === 0) {
      if (rows.length === 0) return 0;
      const g = this.open([], undefined, keyGroups?.[0] ?? -1, 0);
      for (let i = 1; i < rows.length; i++) this.append(g, i);
      return this.count;
    }
    const byValue = this.byValue;
    for (let i = 0; i < rows.length; i++) {
      const key = keyOf(rows[i]!);
      if (keyCount === 1) {
        const g = byValue.get(key[0]);
        if (g !== undefined) this.append(g, i);
        else byValue.set(key[0], this.open(key, undefined, keyGroups?.[i] ?? -1, i));
        continue;
      }
      if (allPrimitive(key)) {
        const first = key[0] ?? null;
        const head = byValue.get(first);
        let g = head ?? -1;
        while (g >= 0 && !sameRest(this.keys[g]!, key)) g = this.sameFirst[g]!;
        if (g >= 0) this.append(g, i);
        else {
          const opened = this.open(key, encodeKey(key), keyGroups?.[i] ?? -1, i);
          this.sameFirst[opened] = head ?? -1;
          byValue.set(first, opened);
        }
      } else {
        const encoded = encodeKey(key);
        const g = this.byEncoding.get(encoded);
        if (g !== undefined) this.append(g, i);
        else this.byEncoding.set(encoded, this.open(key, encoded, keyGroups?.[i] ?? -1, i));
      }
    }
    this.byValue.clear();
    this.byEncoding.clear();
    return this.count;
  }

  key(g: number): readonly unknown[] {
    return this.keys[g]!;
  }

  /** `encodeKey(key)` when grouping computed it (keys of several columns), for `ctx.setCurrentKey`. */
  encoded(g: number): string | undefined {
    return this.encodings[g];
  }

  /** The key's key group when the batch carried it, else -1: for `ctx.setCurrentKey`. */
  keyGroup(g: number): number {
    return this.groupKeyGroups[g]!;
  }

  /** The group's first row (its position in the batch). */
  firstRow(g: number): number {
    return this.first[g]!;
  }

  /** The row after row `i` in its group, or -1. */
  nextRow(i: number): number {
    return this.next[i]!;
  }

  private reset(rows: number): void {
    if (this.next.length < rows) this.next = new Int32Array(Math.max(rows, this.next.length * 2));
    // A batch whose key failed left its groups behind.
    this.byValue.clear();
    this.byEncoding.clear();
    // Keys of the last batch are not kept alive by the reused columns.
    this.keys.length = 0;
    this.encodings.length = 0;
    this.count = 0;
  }

  private open(key: readonly unknown[], encoded: string | undefined, keyGroup: number, row: number): number {
    const g = this.count++;
    if (g === this.first.length) {
      const grow = (a: Int32Array) => {
        const grown = new Int32Array(a.length * 2);
        grown.set(a);
        return grown;
      };
      this.first = grow(this.first);
      this.last = grow(this.last);
      this.groupKeyGroups = grow(this.groupKeyGroups);
      this.sameFirst = grow(this.sameFirst);
    }
    this.keys.push(key);
    this.encodings.push(encoded);
    this.groupKeyGroups[g] = keyGroup;
    this.first[g] = row;
    this.last[g] = row;
    this.next[row] = -1;
    return g;
  }

  private append(g: number, row: number): void {
    this.next[this.last[g]!] = row;
    this.last[g] = row;
    this.next[row] = -1;
  }
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

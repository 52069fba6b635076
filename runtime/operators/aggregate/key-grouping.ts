import type { TypedExpr } from '../../../compiler/expressions/typed-expr.js';
import { compileProjection, type UdfImplementations } from '../../expressions/compile-expr.js';
import { encodeKey } from '../../state/key-codec.js';

type Row = readonly unknown[];

/** A group's key holds an object (a ROW value): it is compared by its encoding, not value by value. */
const BY_ENCODING = 1;

/**
 * Groups a batch's rows by key (mini-batch), keys in order of first appearance and each key's rows in batch
 * order, so that an operator sets the current key and reads its state once per key and batch. One instance per
 * operator input, reused batch after batch: the groups are columns of typed arrays (no group object, rows array
 * or Map entry per group or row), and when the key columns are plain column references a key's array is built
 * only for its group's first row (a computed key is still projected per row).
 *
 * Rows belong to one group exactly when their keys encode alike (`encodeKey`: -0 as 0, every NaN alike,
 * undefined as null): keys of primitive values are compared value by value, which is equal exactly when the
 * encodings are; a key holding an object (a ROW value) is compared by its encoding. Keys of several columns,
 * and keys holding an object, are encoded once per group (`encodings`, for `ctx.setCurrentKey`); a key of one
 * primitive column is not (CurrentKey handles it).
 *
 * After `group(rows)`, group `g` (0 ≤ g < `count`) has key `keys[g]`, encoding `encodings[g]`, key group
 * `keyGroups[g]` (the batch's, when it carried them, else -1) and rows `order[starts[g]]` … `order[starts[g + 1] - 1]`.
 * The arrays stay valid until the next call; `keys[g]` and `encodings[g]` may be kept.
 */
export class KeyGrouping {
  count = 0;
  readonly keys: (readonly unknown[])[] = [];
  readonly encodings: (string | undefined)[] = [];
  keyGroups = new Int32Array(16);
  starts = new Int32Array(17);
  order = new Int32Array(16);

  /** Per row: its group. */
  private groupOf = new Int32Array(16);
  /** Per group: its first row, whether it is compared by encoding, and the next group in its hash slot (-1 ends). */
  private firstRow = new Int32Array(16);
  private kind = new Uint8Array(16);
  private nextInSlot = new Int32Array(16);
  /** Open hash table of slot → first group; a slot is in use when its stamp is this call's. */
  private heads = new Int32Array(32);
  private stamps = new Int32Array(32);
  private stamp = 0;
  /** Scratch for hashing a double's bits. */
  private readonly f64 = new Float64Array(1);
  private readonly u32 = new Uint32Array(this.f64.buffer);
  /** A key projected per row (computed key columns only): the current row's. */
  private rowKey: readonly unknown[] = [];

  /**
   * `columns`: the key's input columns when every key expression is a plain column reference (then `keyOf` is
   * called only for a group's first row), else undefined.
   */
  constructor(
    private readonly keyOf: (row: Row) => unknown[],
    private readonly keyCount: number,
    private readonly columns: readonly number[] | undefined,
  ) {}

  /** The grouping for key expressions `keys`, compiled here. */
  static of(keys: readonly TypedExpr[], udfs?: UdfImplementations): KeyGrouping {
    return new KeyGrouping(compileProjection(keys, udfs), keys.length, plainColumns(keys));
  }

  /** Groups `rows`; returns the number of groups. */
  group(rows: readonly Row[], keyGroups?: Uint16Array): number {
    const n = rows.length;
    this.count = 0;
    if (n === 0) return 0;
    this.ensureRows(n);
    if (this.keyCount === 0) return this.single(rows, keyGroups);
    const bits = this.prepareTable(n);
    const mask = (1 << bits) - 1;
    const columns = this.columns;
    const groupOf = this.groupOf;
    for (let i = 0; i < n; i++) {
      const row = rows[i]!;
      let key: readonly unknown[] | undefined;
      let first: unknown;
      let encoded: string | undefined;
      let kind = 0;
      if (columns === undefined) {
        key = this.keyOf(row);
        this.rowKey = key;
        if (allPrimitive(key)) first = key[0];
        else {
          kind = BY_ENCODING;
          first = encoded = encodeKey(key);
        }
      } else if (allPrimitiveColumns(row, columns)) {
        first = row[columns[0]!];
      } else {
        kind = BY_ENCODING;
        key = this.keyOf(row);
        first = encoded = encodeKey(key);
      }
      const slot = hashValue(first, this.f64, this.u32) & mask;
      let g = this.stamps[slot] === this.stamp ? this.heads[slot]! : -1;
      while (g >= 0 && !this.matches(g, rows, row, kind, encoded)) g = this.nextInSlot[g]!;
      if (g < 0) {
        g = this.newGroup(i, row, key, encoded, kind, keyGroups);
        this.nextInSlot[g] = this.stamps[slot] === this.stamp ? this.heads[slot]! : -1;
        this.heads[slot] = g;
        this.stamps[slot] = this.stamp;
      }
      groupOf[i] = g;
      this.starts[g + 1]++;
    }
    this.rowKey = [];
    return this.lay(n);
  }

  /** Whether group `g` has the key of `row` (`kind`, `encoded`: the row's, as `group` found them). */
  private matches(g: number, rows: readonly Row[], row: Row, kind: number, encoded: string | undefined): boolean {
    if (this.kind[g] !== kind) return false;
    if (kind === BY_ENCODING) return this.encodings[g] === encoded;
    const columns = this.columns;
    if (columns === undefined) return sameValues(this.keys[g]!, this.rowKey, this.keyCount);
    const other = rows[this.firstRow[g]!]!;
    for (let c = 0; c < columns.length; c++) {
      const column = columns[c]!;
      if (!sameValue(other[column], row[column])) return false;
    }
    return true;
  }

  private newGroup(i: number, row: Row, key: readonly unknown[] | undefined, encoded: string | undefined, kind: number, keyGroups: Uint16Array | undefined): number {
    const g = this.count++;
    if (g >= this.firstRow.length) this.growGroups(g + 1);
    const made = key ?? this.keyOf(row);
    this.keys[g] = made;
    this.encodings[g] = encoded ?? (this.keyCount > 1 ? encodeKey(made) : undefined);
    this.keyGroups[g] = keyGroups === undefined ? -1 : (keyGroups[i] ?? -1);
    this.firstRow[g] = i;
    this.kind[g] = kind;
    this.starts[g + 1] = 0;
    return g;
  }

  /** Turns the per-group counts in `starts` into offsets and writes each group's rows into `order`, in batch order. */
  private lay(n: number): number {
    const count = this.count;
    const starts = this.starts;
    starts[0] = 0;
    for (let g = 0; g < count; g++) starts[g + 1]! += starts[g]!;
    // Fill from the back so that `starts[g]` ends where the group begins.
    const order = this.order;
    const groupOf = this.groupOf;
    for (let i = n - 1; i >= 0; i--) {
      const g = groupOf[i]!;
      const at = --starts[g + 1]!;
      order[at] = i;
    }
    // starts[g + 1] now holds where group g begins: shift them down one.
    for (let g = 0; g < count; g++) starts[g] = starts[g + 1]!;
    starts[count] = n;
    return count;
  }

  private single(rows: readonly Row[], keyGroups: Uint16Array | undefined): number {
    const n = rows.length;
    this.count = 1;
    this.keys[0] = [];
    this.encodings[0] = undefined;
    this.keyGroups[0] = keyGroups === undefined ? -1 : (keyGroups[0] ?? -1);
    this.starts[0] = 0;
    this.starts[1] = n;
    for (let i = 0; i < n; i++) this.order[i] = i;
    return 1;
  }

  /** Makes the hash table at least twice the rows, starts a new stamp; returns its size's bits. */
  private prepareTable(n: number): number {
    let size = this.heads.length;
    if (size < 2 * n) {
      while (size < 2 * n) size *= 2;
      this.heads = new Int32Array(size);
      this.stamps = new Int32Array(size);
      this.stamp = 0;
    }
    if (this.stamp === 0x7fffffff) {
      this.stamps.fill(0);
      this.stamp = 0;
    }
    this.stamp++;
    return 31 - Math.clz32(size);
  }

  private ensureRows(n: number): void {
    if (this.order.length >= n) return;
    let size = this.order.length;
    while (size < n) size *= 2;
    this.order = new Int32Array(size);
    this.groupOf = new Int32Array(size);
    this.growGroups(n);
  }

  private growGroups(n: number): void {
    let size = this.firstRow.length;
    if (size >= n) return;
    while (size < n) size *= 2;
    const grow32 = (old: Int32Array, length: number): Int32Array<ArrayBuffer> => {
      const made = new Int32Array(length);
      made.set(old);
      return made;
    };
    this.firstRow = grow32(this.firstRow, size);
    this.nextInSlot = grow32(this.nextInSlot, size);
    this.keyGroups = grow32(this.keyGroups, size);
    this.starts = grow32(this.starts, size + 1);
    const kind = new Uint8Array(size);
    kind.set(this.kind);
    this.kind = kind;
  }
}

/** The input columns of `keys` when each is a plain column reference, else undefined. */
export function plainColumns(keys: readonly TypedExpr[]): readonly number[] | undefined {
  const columns: number[] = [];
  for (const key of keys) {
    if (key.op !== 'column') return undefined;
    columns.push(key.index);
  }
  return columns;
}

/** Equal as encodeKey would write them, for primitive values: -0 as 0, NaN alike, undefined as null. */
function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === undefined) return b === null;
  if (a === null) return b === undefined;
  return a !== a && b !== b;
}

function sameValues(a: readonly unknown[], b: readonly unknown[], count: number): boolean {
  for (let i = 0; i < count; i++) if (!sameValue(a[i], b[i])) return false;
  return true;
}

function allPrimitive(key: readonly unknown[]): boolean {
  for (let i = 0; i < key.length; i++) {
    const value = key[i];
    if (value !== null && typeof value === 'object') return false;
  }
  return true;
}

function allPrimitiveColumns(row: Row, columns: readonly number[]): boolean {
  for (let i = 0; i < columns.length; i++) {
    const value = row[columns[i]!];
    if (value !== null && typeof value === 'object') return false;
  }
  return true;
}

/**
 * A hash of a key's first value (or its encoding) consistent with `sameValue`: -0 and 0, every NaN, null and
 * undefined hash alike. Strings hash by their length and up to 16 of their characters (the chain compares whole
 * values, so a collision costs a compare, not a wrong group).
 */
function hashValue(value: unknown, f64: Float64Array, u32: Uint32Array): number {
  if (typeof value === 'number') {
    if (value !== value) return 0x7ff80000;
    f64[0] = value + 0;
    return mix(u32[0]! ^ Math.imul(u32[1]!, 0x9e3779b1));
  }
  if (typeof value === 'string') {
    const length = value.length;
    let h = length;
    if (length <= 16) {
      for (let i = 0; i < length; i++) h = Math.imul(h ^ value.charCodeAt(i), 0x01000193);
    } else {
      for (let i = 0; i < 4; i++) h = Math.imul(h ^ value.charCodeAt(i), 0x01000193);
      for (let i = length - 12; i < length; i++) h = Math.imul(h ^ value.charCodeAt(i), 0x01000193);
    }
    return mix(h);
  }
  if (value === true) return 1;
  if (value === false) return 2;
  if (typeof value === 'bigint') return mix(Number(BigInt.asIntN(32, value)));
  return 3; // null, undefined
}

function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/**
 * A window join keeps one side's rows of a key and window as one entry of its `left-rows` or `right-rows` map state,
 * under the window's bounds. An entry holding ONE row (most of them: the join's key holds the window's bounds, and
 * in Nexmark q8 a person registers once and a seller's auctions are counted once per window) is that row's fields
 * packed after the side's width:
 *
 *     [width, field0, …, field(width-1)]
 *
 * one array instead of a list around the row the upstream operator emitted (the list and the row were two of the
 * 6–7 objects per stored row in q8's heap). An entry of several rows stays a list of rows, as every entry was before
 * (metadata version 9 and earlier): copying many rows' fields into one growing array cost more CPU than the objects
 * it saved (q5's join holds every auction's count of a window under one key). `isPackedRows` tells the two apart: a
 * packed value starts with its width, a list with a row.
 *
 * The declared state is unchanged (a map from window bounds to rows of the side, compiler/plan/state-declarations.ts):
 * this is how an entry's rows are stored.
 */

/** Whether a stored value is one packed row (else a list of rows). */
export function isPackedRows(value: readonly unknown[]): boolean {
  return typeof value[0] === 'number';
}

/** A packed value holding `row`'s first `width` fields. */
export function packRow(row: readonly unknown[], width: number): unknown[] {
  const packed = new Array<unknown>(1 + width);
  packed[0] = width;
  for (let i = 0; i < width; i++) packed[1 + i] = row[i];
  return packed;
}

/** The row a packed value holds. */
export function unpackRow(packed: readonly unknown[]): unknown[] {
  return packed.slice(1, 1 + (packed[0] as number));
}

/** The rows of a stored value of either layout. */
export function rowsOfStored(value: readonly unknown[]): readonly (readonly unknown[])[] {
  return isPackedRows(value) ? [unpackRow(value)] : (value as readonly (readonly unknown[])[]);
}

/**
 * A window join entry's value with each row replaced by `migrate(row)` (a value migration of the declared row,
 * runtime/checkpoint/restore/state-migration.ts), in its own layout: a list stays a list, a packed row is packed
 * again at the migrated row's width.
 */
export function migrateJoinRows(value: unknown, migrate: (row: unknown[]) => unknown): unknown {
  if (!Array.isArray(value) || value.length === 0) return value;
  if (!isPackedRows(value)) return value.map((row) => (Array.isArray(row) ? migrate(row) : row));
  const migrated = migrate(unpackRow(value));
  const row = Array.isArray(migrated) ? migrated : [migrated];
  return packRow(row, row.length);
}

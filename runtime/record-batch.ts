import { RowKind } from './connectors/sink-connector.js';

/**
 * The unit records move in: rows (arrays in the stream schema's column order) plus, for upsert streams, a
 * parallel array of change kinds (`RowKind` bytes: +I -U +U -D). `kinds` absent means every row is an insert.
 * Batches are handed from operator to operator by call and through channels by reference: a batch, its rows
 * array and its kinds array must not be modified once emitted (the receiver may keep them).
 */
export interface RecordBatch {
  readonly rows: readonly (readonly unknown[])[];
  readonly kinds?: Uint8Array;
  /**
   * The key group of each row under the key of the hash edge the batch came through (set by its EdgeWriter), so
   * that the keyed operator behind the edge does not hash the key again. Only the head operator of the receiving
   * chain sees them, and only when its key is the edge's key (OperatorHost); anything else ignores them.
   */
  readonly keyGroups?: Uint16Array;
}

export { RowKind };

export const EMPTY_BATCH: RecordBatch = { rows: [] };

/** A batch of `rows`; `kinds` and `keyGroups` are only attached when given, as `exactOptionalPropertyTypes` wants. */
export function makeBatch(rows: readonly (readonly unknown[])[], kinds?: Uint8Array, keyGroups?: Uint16Array): RecordBatch {
  if (keyGroups === undefined) return kinds === undefined ? { rows } : { rows, kinds };
  return kinds === undefined ? { rows, keyGroups } : { rows, kinds, keyGroups };
}

/** The kind of row `i` of `batch`. */
export function kindAt(batch: RecordBatch, i: number): RowKind {
  return batch.kinds === undefined ? RowKind.INSERT : (batch.kinds[i] as RowKind);
}

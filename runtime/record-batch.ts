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
}

export { RowKind };

export const EMPTY_BATCH: RecordBatch = { rows: [] };

/** A batch of `rows`; `kinds` is only attached when given, as `exactOptionalPropertyTypes` wants. */
export function makeBatch(rows: readonly (readonly unknown[])[], kinds?: Uint8Array): RecordBatch {
  return kinds === undefined ? { rows } : { rows, kinds };
}

/** The kind of row `i` of `batch`. */
export function kindAt(batch: RecordBatch, i: number): RowKind {
  return batch.kinds === undefined ? RowKind.INSERT : (batch.kinds[i] as RowKind);
}

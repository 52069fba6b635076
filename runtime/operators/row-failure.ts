/**
 * Thrown by an operator that knows which row it was processing when user code or an expression failed, so the
 * job's error can show it. Operators catch around their whole loop (no per-row try) and rethrow with the row.
 */
export class RowFailure extends Error {
  constructor(
    readonly row: readonly unknown[],
    override readonly cause: unknown,
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
    this.name = 'RowFailure';
  }
}

/** A short rendering of a row for messages (long rows are cut). */
export function describeRow(row: readonly unknown[]): string {
  const text = JSON.stringify(row, (_key, value: unknown) => (typeof value === 'number' && !Number.isFinite(value) ? String(value) : value));
  return text.length > 200 ? `${text.slice(0, 197)}...` : text;
}

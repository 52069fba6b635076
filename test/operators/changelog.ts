import { ROW_KIND_SHORT } from '../../runtime/connectors/sink-connector.js';
import { RowKind } from '../../runtime/record-batch.js';

/** Reading changelog output in tests, independent of how rows were batched or interleaved across subtasks. */

const rowText = (row: readonly unknown[]): string => JSON.stringify(row);

/**
 * The table a changelog describes: +I/+U add a row, -U/-D retract one equal row (throwing when there is none,
 * which is a wrong changelog). Sorted, so that runs at different parallelism compare equal.
 */
export function materialize(output: { readonly rows: readonly (readonly unknown[])[]; readonly kinds: readonly RowKind[] }): unknown[][] {
  const table = new Map<string, { row: readonly unknown[]; count: number }>();
  output.rows.forEach((row, i) => {
    const text = rowText(row);
    const entry = table.get(text);
    const kind = output.kinds[i]!;
    if (kind === RowKind.INSERT || kind === RowKind.UPDATE_AFTER) {
      table.set(text, { row, count: (entry?.count ?? 0) + 1 });
    } else if (entry === undefined) {
      throw new Error(`${ROW_KIND_SHORT[kind]} ${text} retracts a row that is not in the table`);
    } else if (entry.count === 1) {
      table.delete(text);
    } else {
      entry.count--;
    }
  });
  return sortRows([...table.values()].flatMap(({ row, count }) => Array.from({ length: count }, () => [...row])));
}

/** Rows in a canonical order (by their JSON text). */
export function sortRows(rows: readonly (readonly unknown[])[]): unknown[][] {
  return rows.map((row) => [...row]).sort((a, b) => (rowText(a) < rowText(b) ? -1 : rowText(a) > rowText(b) ? 1 : 0));
}

/** The output as `+I [..]` lines, to pin exact changelogs. */
export function changelogLines(output: { readonly rows: readonly (readonly unknown[])[]; readonly kinds: readonly RowKind[] }): string[] {
  return output.rows.map((row, i) => `${ROW_KIND_SHORT[output.kinds[i]!]} ${rowText(row)}`);
}

import type { StreamSchema } from '../../compiler/graph/job-graph.js';
import { formatTimestamp } from '../../runtime/connectors/formats/timestamp.js';
import { RowKind } from '../../runtime/connectors/sink-connector.js';
import { quoteIdentifier, type TableName } from './table-name.js';

/** PostgreSQL's limit on the parameters of one statement. */
const MAX_PARAMETERS = 65_535;

/** One parameterised statement. */
export interface Statement {
  readonly text: string;
  readonly values: unknown[];
}

/**
 * The SQL a batch of rows becomes: multi-row INSERTs for append input; for upsert input, the rows folded to the
 * last change per key, then `INSERT … ON CONFLICT (key) DO UPDATE` for the rows that stay and `DELETE … WHERE
 * (key) IN (…)` for the keys deleted (-U rows are skipped: the +U after them replaces the row). Folding keeps
 * the table's final rows those of applying every change in order, as each key ends in its last change.
 */
export class StatementBuilder {
  private readonly columns: string;
  private readonly toParameter: ((value: unknown) => unknown)[];
  private readonly keyIndexes: readonly number[];
  private readonly rowsPerStatement: number;
  private readonly keysPerStatement: number;
  private readonly conflictAction: string;
  private readonly keyColumns: string;

  constructor(
    private readonly table: TableName,
    schema: StreamSchema,
    primaryKey: readonly string[] | undefined,
    maxRows: number,
  ) {
    const names = schema.fields.map((f) => f.name);
    this.columns = names.map(quoteIdentifier).join(', ');
    // TIMESTAMP(3) is epoch milliseconds: written as UTC text into `timestamp` (without time zone).
    this.toParameter = schema.fields.map((f) => (f.type.name === 'TIMESTAMP' ? (v: unknown) => (v === null || v === undefined ? null : formatTimestamp(v as number)) : (v: unknown) => v ?? null));
    this.keyIndexes = (primaryKey ?? []).map((k) => names.indexOf(k));
    this.rowsPerStatement = Math.max(1, Math.min(maxRows, Math.floor(MAX_PARAMETERS / Math.max(1, names.length))));
    this.keysPerStatement = Math.max(1, Math.min(maxRows, Math.floor(MAX_PARAMETERS / Math.max(1, this.keyIndexes.length))));
    const updated = names.filter((_, i) => !this.keyIndexes.includes(i));
    const key = (primaryKey ?? []).map(quoteIdentifier).join(', ');
    this.keyColumns = key;
    this.conflictAction =
      updated.length === 0 ? ` ON CONFLICT (${key}) DO NOTHING` : ` ON CONFLICT (${key}) DO UPDATE SET ${updated.map((n) => `${quoteIdentifier(n)} = EXCLUDED.${quoteIdentifier(n)}`).join(', ')}`;
  }

  /** The statements writing `rows` (RowKind `kinds`; absent: all inserts), in the order to run them. */
  statements(rows: readonly (readonly unknown[])[], kinds: readonly number[] | undefined): Statement[] {
    if (this.keyIndexes.length === 0) return this.inserts(rows, '');
    const { upserts, deletes } = this.fold(rows, kinds);
    return [...this.deletes(deletes), ...this.inserts(upserts, this.conflictAction)];
  }

  private inserts(rows: readonly (readonly unknown[])[], suffix: string): Statement[] {
    const statements: Statement[] = [];
    const width = this.toParameter.length;
    for (let start = 0; start < rows.length; start += this.rowsPerStatement) {
      const end = Math.min(rows.length, start + this.rowsPerStatement);
      const values: unknown[] = new Array((end - start) * width);
      const tuples: string[] = new Array(end - start);
      let p = 0;
      for (let r = start; r < end; r++) {
        const row = rows[r]!;
        let tuple = '(';
        for (let c = 0; c < width; c++) {
          values[p] = this.toParameter[c]!(row[c]);
          tuple += c === 0 ? `$${++p}` : `, $${++p}`;
        }
        tuples[r - start] = `${tuple})`;
      }
      statements.push({ text: `INSERT INTO ${this.table.sql} (${this.columns}) VALUES ${tuples.join(', ')}${suffix}`, values });
    }
    return statements;
  }

  private deletes(rows: readonly (readonly unknown[])[]): Statement[] {
    const statements: Statement[] = [];
    for (let start = 0; start < rows.length; start += this.keysPerStatement) {
      const end = Math.min(rows.length, start + this.keysPerStatement);
      const values: unknown[] = [];
      const tuples: string[] = [];
      for (let r = start; r < end; r++) {
        tuples.push(`(${this.keyIndexes.map((i) => `$${values.push(this.toParameter[i]!(rows[r]![i]))}`).join(', ')})`);
      }
      statements.push({ text: `DELETE FROM ${this.table.sql} WHERE (${this.keyColumns}) IN (${tuples.join(', ')})`, values });
    }
    return statements;
  }

  /** The last change of each key: the rows to upsert and the rows whose key to delete. */
  private fold(rows: readonly (readonly unknown[])[], kinds: readonly number[] | undefined): { upserts: (readonly unknown[])[]; deletes: (readonly unknown[])[] } {
    const last = new Map<unknown, number>();
    const single = this.keyIndexes.length === 1 ? this.keyIndexes[0]! : -1;
    for (let r = 0; r < rows.length; r++) {
      const kind = kinds === undefined ? RowKind.INSERT : kinds[r]!;
      if (kind === RowKind.UPDATE_BEFORE) continue;
      const row = rows[r]!;
      last.set(single >= 0 ? row[single] : JSON.stringify(this.keyIndexes.map((i) => row[i])), r);
    }
    const upserts: (readonly unknown[])[] = [];
    const deletes: (readonly unknown[])[] = [];
    for (const r of last.values()) (kinds !== undefined && kinds[r] === RowKind.DELETE ? deletes : upserts).push(rows[r]!);
    return { upserts, deletes };
  }
}

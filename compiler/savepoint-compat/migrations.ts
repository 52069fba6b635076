import * as z from 'zod';
import { widensTo } from '../expressions/coercion.js';
import { SqlTypeSchema, isNumeric, sameType, type Field, type SqlType } from '../types/sql-type.js';

const position = z.number().int().min(0);

/**
 * One step of turning a restored value row (a state's value, a list element or a map value) into the shape the
 * new job declares. A state's migrations apply in order, and each position refers to the row as the steps
 * before it left it. The runtime performs them while restoring; `planValueMigration` derives them from the two
 * value schemas, matching columns by name.
 */
export const MigrationSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('drop-column'), column: z.string(), position }),
  z.object({ kind: z.literal('move-column'), column: z.string(), from: position, to: position }),
  /** Restored rows hold NULL in the new column. */
  z.object({ kind: z.literal('add-nullable-column'), column: z.string(), position, type: SqlTypeSchema }),
  /** INT → BIGINT → DOUBLE and wider DECIMALs: every numeric type is a JS number, so values are kept as they are. */
  z.object({ kind: z.literal('widen-number'), column: z.string(), position, from: SqlTypeSchema, to: SqlTypeSchema }),
]);
export type Migration = z.infer<typeof MigrationSchema>;

/** A difference between two value schemas that no migration bridges. */
export type ColumnProblem =
  | { readonly kind: 'added-not-null'; readonly column: string; readonly type: SqlType }
  | { readonly kind: 'type-changed'; readonly column: string; readonly previous: SqlType; readonly next: SqlType }
  | { readonly kind: 'became-not-null'; readonly column: string };

export interface ValueMigrationPlan {
  readonly migrations: Migration[];
  readonly problems: ColumnProblem[];
}

function widens(from: SqlType, to: SqlType): boolean {
  return isNumeric(from) && isNumeric(to) && widensTo(from, to);
}

/**
 * The migrations that turn rows of `previous` into rows of `next`, columns matched by name: drops first (from
 * the last column back), then moves into the new order, then the new columns, then widenings. Columns that
 * cannot be bridged are `problems`, and the migrations are then meaningless.
 */
export function planValueMigration(previous: readonly Field[], next: readonly Field[]): ValueMigrationPlan {
  const before = new Map(previous.map((f) => [f.name, f]));
  const after = new Set(next.map((f) => f.name));
  const migrations: Migration[] = [];
  const problems: ColumnProblem[] = [];
  const current = previous.map((f) => f.name);

  for (let i = previous.length - 1; i >= 0; i--) {
    const column = previous[i]!.name;
    if (after.has(column)) continue;
    migrations.push({ kind: 'drop-column', column, position: i });
    current.splice(i, 1);
  }
  next
    .filter((f) => before.has(f.name))
    .forEach(({ name }, to) => {
      const from = current.indexOf(name);
      if (from === to) return;
      migrations.push({ kind: 'move-column', column: name, from, to });
      current.splice(from, 1);
      current.splice(to, 0, name);
    });
  next.forEach((field, at) => {
    if (before.has(field.name)) return;
    if (!field.nullable) problems.push({ kind: 'added-not-null', column: field.name, type: field.type });
    else migrations.push({ kind: 'add-nullable-column', column: field.name, position: at, type: field.type });
  });
  next.forEach((field, at) => {
    const old = before.get(field.name);
    if (old === undefined) return;
    if (!sameType(old.type, field.type)) {
      if (widens(old.type, field.type)) migrations.push({ kind: 'widen-number', column: field.name, position: at, from: old.type, to: field.type });
      else problems.push({ kind: 'type-changed', column: field.name, previous: old.type, next: field.type });
    }
    if (old.nullable && !field.nullable) problems.push({ kind: 'became-not-null', column: field.name });
  });
  return { migrations, problems };
}

/** Each column of the migrated row: the index of the restored row's column it takes, or -1 for NULL. */
function sourceColumns(migrations: readonly Migration[], width: number): number[] {
  const sources = Array.from({ length: width }, (_, i) => i);
  const check = (at: number, limit: number, migration: Migration): void => {
    if (at > limit) throw new RangeError(`migration ${JSON.stringify(migration)} is out of range of a row of ${sources.length} columns`);
  };
  for (const m of migrations) {
    switch (m.kind) {
      case 'drop-column':
        check(m.position, sources.length - 1, m);
        sources.splice(m.position, 1);
        break;
      case 'move-column':
        check(Math.max(m.from, m.to), sources.length - 1, m);
        sources.splice(m.to, 0, ...sources.splice(m.from, 1));
        break;
      case 'add-nullable-column':
        check(m.position, sources.length, m);
        sources.splice(m.position, 0, -1);
        break;
      case 'widen-number':
        check(m.position, sources.length - 1, m);
        break;
    }
  }
  return sources;
}

/**
 * Compiles a state's migrations once for rows of `width` columns, so that restoring many entries costs one
 * array per row; with nothing to change, rows are returned as they are.
 */
export function compileRowMigration(migrations: readonly Migration[], width: number): (row: readonly unknown[]) => readonly unknown[] {
  const sources = sourceColumns(migrations, width);
  if (sources.length === width && sources.every((s, i) => s === i)) return (row) => row;
  return (row) => {
    const migrated = new Array<unknown>(sources.length);
    for (let i = 0; i < sources.length; i++) {
      const source = sources[i]!;
      migrated[i] = source < 0 ? null : row[source];
    }
    return migrated;
  };
}

/** One restored value row in the new shape; the row itself is left untouched. */
export function migrateValueRow(row: readonly unknown[], migrations: readonly Migration[]): readonly unknown[] {
  return compileRowMigration(migrations, row.length)(row);
}

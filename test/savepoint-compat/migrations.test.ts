import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileRowMigration, migrateValueRow, planValueMigration, type Migration } from '../../compiler/savepoint-compat/migrations.js';
import { BIGINT, DOUBLE, INT, STRING, decimal, type Field, type SqlType } from '../../compiler/types/sql-type.js';

const col = (name: string, type: SqlType = BIGINT, nullable = true): Field => ({ name, type, nullable });

describe('planValueMigration', () => {
  it('plans nothing for the same columns', () => {
    expect(planValueMigration([col('a'), col('b')], [col('a'), col('b')])).toEqual({ migrations: [], problems: [] });
  });

  it('drops, moves, adds nullable columns and widens numbers, in that order', () => {
    const plan = planValueMigration([col('a', INT), col('gone'), col('b', STRING)], [col('b', STRING), col('new', STRING), col('a', BIGINT)]);
    expect(plan.problems).toEqual([]);
    expect(plan.migrations).toEqual([
      { kind: 'drop-column', column: 'gone', position: 1 },
      { kind: 'move-column', column: 'b', from: 1, to: 0 },
      { kind: 'add-nullable-column', column: 'new', position: 1, type: STRING },
      { kind: 'widen-number', column: 'a', position: 2, from: INT, to: BIGINT },
    ]);
  });

  it('widens INT → BIGINT → DOUBLE and DECIMALs that keep every digit', () => {
    for (const [from, to] of [[INT, BIGINT], [BIGINT, DOUBLE], [INT, DOUBLE], [decimal(10, 2), decimal(12, 3)], [decimal(10, 2), DOUBLE], [INT, decimal(12, 2)]] as const) {
      expect(planValueMigration([col('x', from)], [col('x', to)]).migrations).toEqual([{ kind: 'widen-number', column: 'x', position: 0, from, to }]);
    }
  });

  it('refuses narrowing, other type changes, new NOT NULL columns and columns that became NOT NULL', () => {
    expect(planValueMigration([col('x', BIGINT)], [col('x', INT)]).problems).toEqual([{ kind: 'type-changed', column: 'x', previous: BIGINT, next: INT }]);
    expect(planValueMigration([col('x', decimal(10, 2))], [col('x', decimal(10, 3))]).problems).toHaveLength(1);
    expect(planValueMigration([col('x', BIGINT)], [col('x', STRING)]).problems).toHaveLength(1);
    expect(planValueMigration([col('x')], [col('x'), col('y', INT, false)]).problems).toEqual([{ kind: 'added-not-null', column: 'y', type: INT }]);
    expect(planValueMigration([col('x')], [col('x', BIGINT, false)]).problems).toEqual([{ kind: 'became-not-null', column: 'x' }]);
    expect(planValueMigration([col('x', BIGINT, false)], [col('x')]).problems).toEqual([]);
  });
});

describe('migrateValueRow', () => {
  it('adds NULL for a new nullable column at its position', () => {
    expect(migrateValueRow([1, 'a'], [{ kind: 'add-nullable-column', column: 'n', position: 1, type: INT }])).toEqual([1, null, 'a']);
  });

  it('drops a column', () => {
    expect(migrateValueRow([1, 2, 3], [{ kind: 'drop-column', column: 'b', position: 1 }])).toEqual([1, 3]);
  });

  it('moves a column', () => {
    expect(migrateValueRow(['a', 'b', 'c'], [{ kind: 'move-column', column: 'c', from: 2, to: 0 }])).toEqual(['c', 'a', 'b']);
  });

  it('keeps widened numbers and NULLs as they are', () => {
    const widen: Migration = { kind: 'widen-number', column: 'x', position: 0, from: INT, to: DOUBLE };
    expect(migrateValueRow([7, null], [widen])).toEqual([7, null]);
  });

  it('applies migrations in order, each position on the row the previous ones left', () => {
    const migrations: Migration[] = [
      { kind: 'drop-column', column: 'c', position: 2 },
      { kind: 'drop-column', column: 'a', position: 0 },
      { kind: 'add-nullable-column', column: 'z', position: 0, type: STRING },
    ];
    expect(migrateValueRow(['a', 'b', 'c', 'd'], migrations)).toEqual([null, 'b', 'd']);
  });

  it('leaves the restored row untouched', () => {
    const row = Object.freeze([1, 2]);
    expect(migrateValueRow(row, [{ kind: 'drop-column', column: 'a', position: 0 }])).toEqual([2]);
    expect(row).toEqual([1, 2]);
  });

  it('rejects a migration that does not fit the row', () => {
    expect(() => compileRowMigration([{ kind: 'drop-column', column: 'x', position: 3 }], 2)).toThrow(RangeError);
  });

  it('turns any row of the old columns into the new columns, by name (property)', () => {
    const names = ['a', 'b', 'c', 'd', 'e', 'f'];
    const layout = fc.shuffledSubarray(names).map((cols) => cols.map((name) => col(name)));
    fc.assert(
      fc.property(layout, layout, (previous, next) => {
        const { migrations, problems } = planValueMigration(previous, next);
        expect(problems).toEqual([]);
        const row = previous.map((f) => `value of ${f.name}`);
        const expected = next.map((f) => (previous.some((p) => p.name === f.name) ? `value of ${f.name}` : null));
        expect(migrateValueRow(row, migrations)).toEqual(expected);
      }),
    );
  });
});

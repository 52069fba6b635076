import { Diagnostics } from '../../diagnostics/catalogue.js';
import { typeToString, type Field } from '../../types/sql-type.js';
import { planValueMigration, type ColumnProblem, type Migration } from '../migrations.js';
import { finding, type Verdict } from './rule.js';

function problemFinding(uid: string, state: string, problem: ColumnProblem) {
  const { column } = problem;
  switch (problem.kind) {
    case 'added-not-null':
      return finding(Diagnostics.ValueColumnAddedNotNull, { uid, state, column, type: typeToString(problem.type) });
    case 'type-changed':
      return finding(Diagnostics.ValueColumnTypeChanged, { uid, state, column, previous: typeToString(problem.previous), next: typeToString(problem.next) });
    case 'became-not-null':
      return finding(Diagnostics.ValueColumnNowNotNull, { uid, state, column });
  }
}

function migrationFinding(uid: string, state: string, migration: Migration) {
  const { column } = migration;
  switch (migration.kind) {
    case 'add-nullable-column':
      return finding(Diagnostics.ColumnAdded, { uid, state, column, type: typeToString(migration.type) });
    case 'drop-column':
      return finding(Diagnostics.ColumnDropped, { uid, state, column });
    case 'move-column':
      return finding(Diagnostics.ColumnMoved, { uid, state, column, from: migration.from + 1, to: migration.to + 1 });
    case 'widen-number':
      return finding(Diagnostics.NumberWidened, { uid, state, column, previous: typeToString(migration.from), next: typeToString(migration.to) });
  }
}

/**
 * The verdicts on a state's value schema: one `incompatible` per column no migration bridges, else one
 * `compatible-after-migration` per migration (none when the schemas are alike).
 */
export function valueMigrationVerdicts(uid: string, state: string, previous: readonly Field[], next: readonly Field[]): Verdict[] {
  const { migrations, problems } = planValueMigration(previous, next);
  if (problems.length > 0) return problems.map((p) => ({ uid, state, verdict: 'incompatible', finding: problemFinding(uid, state, p) }));
  return migrations.map((m) => ({ uid, state, verdict: 'compatible-after-migration', finding: migrationFinding(uid, state, m), migrations: [m] }));
}

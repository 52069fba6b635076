import { compileRowMigration } from '../../../compiler/savepoint-compat/migrations.js';
import type { CompatibilityReport } from '../../../compiler/savepoint-compat/report.js';
import { migrateJoinRows } from '../../operators/join/packed-rows.js';
import { isPackedWindowsKey, migratePackedWindows } from '../../operators/packed-windows.js';
import type { StateEntry } from '../../state/keyed-state-backend.js';
import type { ParsedKeyedState } from '../../state/snapshot-format.js';
import type { LoadedCheckpoint } from './load-checkpoint.js';

/** How one operator's restored keyed values are reshaped: per state name, one compiled function per value. */
export interface OperatorMigration {
  readonly description: string;
  /** `mapKey`: the entry's, for a map state's entry. */
  readonly byState: ReadonlyMap<string, (value: unknown, mapKey?: unknown) => unknown>;
}

/**
 * The migrations a restore performs, per uid: those of every `compatible-after-migration` state of the report,
 * compiled once for rows as the previous job graph declared them. A list state's value is its list: each
 * element is a row. A map entry packing several windows (a window aggregate's, operators/packed-windows.ts)
 * holds a row per window; a window join's entry holds the side's rows of its window, as a list or packed
 * (operators/join/packed-rows.ts), each migrated.
 */
export function rowMigrationsOf(report: CompatibilityReport, loaded: LoadedCheckpoint): Map<string, OperatorMigration> {
  const previous = new Map((loaded.metadata.graph?.operators ?? []).flatMap((op) => (op.uid === null ? [] : [[op.uid, op] as const])));
  const result = new Map<string, OperatorMigration>();
  for (const op of report.operators) {
    const byState = new Map<string, (value: unknown) => unknown>();
    for (const state of op.states) {
      const descriptor = previous.get(op.uid)?.state.find((d) => d.name === state.name);
      if (state.verdict !== 'compatible-after-migration' || state.migrations.length === 0 || descriptor?.scope !== 'keyed') continue;
      const row = compileRowMigration(state.migrations, descriptor.valueType.length);
      const migrateRow = (value: unknown): unknown => (Array.isArray(value) ? row(value) : value);
      const migrateMapValue =
        previous.get(op.uid)?.spec.kind === 'window_join'
          ? (value: unknown): unknown => migrateJoinRows(value, row)
          : (value: unknown, mapKey?: unknown): unknown => (isPackedWindowsKey(mapKey) ? migratePackedWindows(value, row) : migrateRow(value));
      byState.set(state.name, descriptor.kind === 'list' ? (list) => (Array.isArray(list) ? list.map(migrateRow) : list) : descriptor.kind === 'map' ? migrateMapValue : migrateRow);
    }
    if (byState.size > 0) {
      const names = [...byState.keys()].map((n) => `'${n}'`).join(', ');
      result.set(op.uid, { description: `the values of state ${names} of operator uid '${op.uid}' are migrated to the job's value schema`, byState });
    }
  }
  return result;
}

/** `files` with every value of a migrated state reshaped; the files themselves are left as they are. */
export function migrateKeyedState(files: readonly ParsedKeyedState[], migration: OperatorMigration | undefined): readonly ParsedKeyedState[] {
  if (migration === undefined) return files;
  return files.map((file) => ({
    header: file.header,
    entries: file.entries.map((entry): StateEntry => {
      const migrate = migration.byState.get(entry.state);
      return migrate === undefined ? entry : { ...entry, value: migrate(entry.value, entry.hasMapKey ? entry.mapKey : undefined) };
    }),
  }));
}

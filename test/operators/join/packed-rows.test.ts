import { describe, expect, it } from 'vitest';
import type { CompatibilityReport } from '../../../compiler/savepoint-compat/report.js';
import { migrateKeyedState, rowMigrationsOf } from '../../../runtime/checkpoint/restore/state-migration.js';
import type { LoadedCheckpoint } from '../../../runtime/checkpoint/restore/load-checkpoint.js';
import { migrateJoinRows, packRow, rowsOfStored } from '../../../runtime/operators/join/packed-rows.js';
import type { StateEntry } from '../../../runtime/state/keyed-state-backend.js';
import type { ParsedKeyedState } from '../../../runtime/state/snapshot-format.js';

const INT = { kind: 'INT' } as const;

describe('packed window-join rows', () => {
  it('packs one row after its width, and reads the rows of either layout', () => {
    const packed = packRow([1, 'a', null], 3);
    expect(packed).toEqual([3, 1, 'a', null]);
    expect(rowsOfStored(packed)).toEqual([[1, 'a', null]]);
    const list = [[1, 'a'], [2, 'b']];
    expect(rowsOfStored(list)).toBe(list);
    expect(rowsOfStored([])).toEqual([]);
  });

  it('migrates each row of an entry, in either layout', () => {
    const dropFirst = (row: unknown[]) => row.slice(1);
    expect(migrateJoinRows([3, 1, 'a', true], dropFirst)).toEqual([2, 'a', true]);
    expect(migrateJoinRows([[1, 'a', true], [2, 'b', false]], dropFirst)).toEqual([['a', true], ['b', false]]);
  });

  it('a restore migrates a window join side\'s rows row by row (packed and listed), not the value as one row', () => {
    const report = {
      operators: [
        {
          uid: 'wj',
          states: [{ name: 'left-rows', verdict: 'compatible-after-migration', migrations: [{ kind: 'drop-column', column: 'a', position: 0 }] }],
        },
      ],
    } as unknown as CompatibilityReport;
    const descriptor = {
      name: 'left-rows',
      scope: 'keyed',
      kind: 'map',
      keyType: [],
      valueType: [
        { name: 'a', type: INT, nullable: false },
        { name: 'b', type: INT, nullable: false },
      ],
    };
    const loaded = { metadata: { graph: { operators: [{ uid: 'wj', spec: { kind: 'window_join' }, state: [descriptor] }] } } } as unknown as LoadedCheckpoint;
    const migration = rowMigrationsOf(report, loaded).get('wj');
    const entry = (value: unknown): StateEntry => ({ state: 'left-rows', keyGroup: 0, key: '[1]', namespace: '', value, hasMapKey: true, mapKey: [0, 10] });
    const files = [{ header: {}, entries: [entry([2, 1, 10]), entry([[1, 10], [2, 20]])] }] as unknown as ParsedKeyedState[];
    const [migrated] = migrateKeyedState(files, migration);
    expect(migrated!.entries.map((e) => e.value)).toEqual([[1, 10], [[10], [20]]]);
  });
});

import { describe, expect, it } from 'vitest';
import { RowKind } from '../../../runtime/record-batch.js';
import { changelogLines, materialize, sortRows } from '../changelog.js';
import { OperatorHarness } from '../operator-harness.js';
import { runPipe } from '../run-pipe.js';
import { compiledOperator, program, s } from './pipes.js';

/** A continuous aggregate over another one's updates: the top amount per page, then per user over its pages. */
const STACKED = program(`|> AGGREGATE MAX(amount) AS top GROUP BY user, page UID 'per-page'
  |> AGGREGATE MIN(top) AS low, MAX(top) AS high, SUM(top) AS total, COUNT(*) AS pages, COUNT(DISTINCT top) AS levels
     GROUP BY user UID 'per-user'`);

/** The final table STACKED describes, computed directly. */
function expectedTable(rows: readonly (readonly unknown[])[]): unknown[][] {
  const tops = new Map<string, { user: string; top: number | null }>();
  for (const [user, page, amount] of rows as [string, string, number | null][]) {
    const id = `${user}/${page}`;
    const top = tops.get(id)?.top ?? null;
    tops.set(id, { user, top: amount === null ? top : top === null ? amount : Math.max(top, amount) });
  }
  const users = [...new Set([...tops.values()].map((t) => t.user))];
  return sortRows(
    users.map((user) => {
      const pages = [...tops.values()].filter((t) => t.user === user);
      const values = pages.map((p) => p.top).filter((t): t is number => t !== null);
      const none = values.length === 0;
      return [user, none ? null : Math.min(...values), none ? null : Math.max(...values), none ? null : values.reduce((a, b) => a + b, 0), pages.length, new Set(values).size];
    }),
  );
}

describe('continuous aggregate over an updating input', () => {
  const rows = Array.from({ length: 600 }, (_, i) => [`u${i % 5}`, `p${(i * 7) % 9}`, i % 17 === 0 ? null : ((i * 37) % 101) / 4, s(i)]);

  for (const [parallelism, batchSize] of [
    [1, 1],
    [1, 7],
    [2, 7],
  ] as const) {
    it(`retracts the previous row of each upsert key (parallelism ${parallelism}, batches of ${batchSize})`, async () => {
      const run = await runPipe(STACKED, { sources: { clicks: rows }, parallelism, job: { batchSize } });
      expect(materialize(run.sinks.out!)).toEqual(expectedTable(rows));
    });
  }

  it('recomputes a MIN that lost its minimum, and deletes a group left empty, clearing its state', async () => {
    const harness = await OperatorHarness.open(compiledOperator(STACKED, 'per-user', 'group_aggregate'));
    harness.process([
      ['a', 'p', 1],
      ['a', 'q', 3],
    ]);
    harness.process(
      [
        ['a', 'p', 1],
        ['a', 'p', 4],
      ],
      0,
      [RowKind.UPDATE_BEFORE, RowKind.UPDATE_AFTER],
    );
    harness.process([['a', 'q', 3]], 0, [RowKind.DELETE]);
    expect(await harness.keyedEntries()).not.toEqual([]);
    harness.process([['a', 'p', 4]], 0, [RowKind.DELETE]);
    expect(changelogLines(harness.output)).toEqual([
      '+I ["a",1,3,4,2,2]',
      '-U ["a",1,3,4,2,2]',
      '+U ["a",3,4,7,2,2]',
      '-U ["a",3,4,7,2,2]',
      '+U ["a",4,4,4,1,1]',
      '-D ["a",4,4,4,1,1]',
    ]);
    expect(await harness.keyedEntries()).toEqual([]);
    await harness.finish();
  });

  it('ignores the retraction of a row it never saw', async () => {
    const harness = await OperatorHarness.open(compiledOperator(STACKED, 'per-user', 'group_aggregate'));
    harness.process([['a', 'p', 1]], 0, [RowKind.DELETE]);
    expect(harness.output.rows).toEqual([]);
    expect(await harness.keyedEntries()).toEqual([]);
    await harness.finish();
  });
});

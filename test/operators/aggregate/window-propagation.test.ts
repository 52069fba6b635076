import { describe, expect, it } from 'vitest';
import { sortRows } from '../changelog.js';
import { runPipe } from '../run-pipe.js';
import { program, s } from './pipes.js';

/** Rows of three users over three 10-second windows, each at most 1 s out of order (inside the 2 s delay). */
const rows = Array.from({ length: 90 }, (_, i) => [['a', 'b', 'c'][i % 3], 'p', i % 4, Math.floor(s(i) / 3) + ((i * 389) % 1000)]);

/** Rows per (user, 10-second window), computed directly. */
function countsPerUserAndWindow(kept: readonly (readonly unknown[])[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const row of kept) {
    const start = Math.floor((row[3] as number) / 10_000) * 10_000;
    const id = `${row[0]}@${start}`;
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

describe('window aggregate over rows that carry their window (window propagation)', () => {
  for (const parallelism of [1, 2]) {
    it(`aggregates a window aggregate's output again by the same windows (parallelism ${parallelism})`, async () => {
      const text = program(`|> WINDOW TUMBLE(ts, INTERVAL '10' SECOND)
        |> AGGREGATE COUNT(*) AS n GROUP BY user, window_start, window_end UID 'per-user'
        |> AGGREGATE MAX(n) AS top, SUM(n) AS clicks, COUNT(*) AS users GROUP BY window_start, window_end UID 'agg'`);
      const run = await runPipe(text, { sources: { clicks: rows }, parallelism, job: { batchSize: 8 } });
      expect(run.graph.operators.filter((op) => op.spec.kind === 'window_aggregate').map((op) => op.uid)).toEqual(['per-user', 'agg']);
      const counts = countsPerUserAndWindow(rows);
      const expected = [0, 10_000, 20_000, 30_000].flatMap((start) => {
        const mine = [...counts].filter(([id]) => id.endsWith(`@${start}`)).map(([, n]) => n);
        return mine.length === 0 ? [] : [[start, start + 10_000, Math.max(...mine), mine.reduce((a, b) => a + b, 0), mine.length]];
      });
      expect(sortRows(run.sinks.out!.rows)).toEqual(sortRows(expected));
    });
  }

  it('groups rows assigned to windows by an earlier WINDOW step by the bounds they carry', async () => {
    const text = program(`|> WINDOW TUMBLE(ts, INTERVAL '10' SECOND) |> WHERE amount > 1
      |> AGGREGATE COUNT(*) AS n GROUP BY user, window_start, window_end UID 'agg'`);
    const run = await runPipe(text, { sources: { clicks: rows }, job: { batchSize: 8 } });
    expect(run.graph.operators.map((op) => op.spec.kind)).toEqual(['source', 'window_assign', 'filter', 'window_aggregate', 'sink']);
    const expected = [...countsPerUserAndWindow(rows.filter((r) => (r[2] as number) > 1))].map(([id, n]) => {
      const [user, start] = id.split('@') as [string, string];
      return [user, Number(start), Number(start) + 10_000, n];
    });
    expect(sortRows(run.sinks.out!.rows)).toEqual(sortRows(expected));
  });

  it("keeps the sessions of a session aggregate's output as they are, grouping equal bounds", async () => {
    const text = program(`|> WINDOW SESSION(ts, INTERVAL '3' SECOND)
      |> AGGREGATE COUNT(*) AS n GROUP BY user, window_start, window_end UID 'per-user'
      |> AGGREGATE SUM(n) AS clicks, COUNT(*) AS users GROUP BY window_start, window_end UID 'agg'`);
    const sessionRows = [
      ['a', 'p', 1, s(1)],
      ['b', 'p', 1, s(1)],
      ['a', 'p', 1, s(2)],
      ['b', 'p', 1, s(2)],
      ['c', 'p', 1, s(3)],
    ];
    const run = await runPipe(text, { sources: { clicks: sessionRows } });
    expect(sortRows(run.sinks.out!.rows)).toEqual([
      [s(1), s(5), 4, 2],
      [s(3), s(6), 1, 1],
    ]);
  });
});

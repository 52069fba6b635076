import { describe, expect, it } from 'vitest';
import { sortRows } from '../changelog.js';
import { OperatorHarness } from '../operator-harness.js';
import { runPipe } from '../run-pipe.js';
import { compiledOperator, program, s } from './pipes.js';

const SESSIONS = program(`|> WINDOW SESSION(ts, INTERVAL '5' SECOND)
  |> AGGREGATE COUNT(*) AS n, SUM(amount) AS total, COUNT(DISTINCT page) AS pages GROUP BY user, window_start, window_end UID 'agg'`);

describe('window aggregate over SESSION windows', () => {
  it('ends a session at its last row plus the gap, merging rows whose sessions touch', async () => {
    const rows = [
      ['a', 'p', 1, s(1)],
      ['b', 'p', 2, s(2)],
      ['a', 'p', 3, s(6)],
      ['a', 'q', 4, s(20)],
    ];
    const run = await runPipe(SESSIONS, { sources: { clicks: rows } });
    expect(sortRows(run.sinks.out!.rows)).toEqual([
      ['a', s(1), s(11), 2, 4, 1],
      ['a', s(20), s(25), 1, 4, 1],
      ['b', s(2), s(7), 1, 2, 1],
    ]);
  });

  it('merges open sessions that a late-arriving row bridges, and drops a row only when its session has fired', async () => {
    // One row per batch, watermark = time - 2 s.
    const rows = [
      ['a', 'p', 1, s(1)], // [1, 6)
      ['a', 'p', 2, s(6.5)], // [6.5, 11.5); watermark 4.5 s
      ['b', 'p', 100, s(3)],
      ['a', 'q', 4, s(3)], // [3, 8) bridges both: [1, 11.5)
      ['a', 'p', 8, s(20)], // watermark 18 s: fires [1, 11.5) and b's [3, 8)
      ['a', 'p', 16, s(2)], // late
      ['a', 'q', 32, s(14)], // behind the watermark, but its session [14, 19) has not fired
      ['a', 'r', 64, s(16.5)], // bridges [14, 19) and [20, 25)
    ];
    const run = await runPipe(SESSIONS, { sources: { clicks: rows }, job: { batchSize: 1 } });
    expect(sortRows(run.sinks.out!.rows)).toEqual([
      ['a', s(1), s(11.5), 3, 7, 2],
      ['a', s(14), s(25), 3, 104, 3],
      ['b', s(3), s(8), 1, 100, 1],
    ]);
    expect(run.result.metrics.operators.find((m) => m.uid === 'agg')!.lateRowsDropped).toBe(1);
  });

  it('gives the same sessions at parallelism 1 and 2', async () => {
    const users = ['ann', 'bob', 'cy'];
    // Bursts of 30 rows 0.4 s apart (up to 1 s out of order, inside the 2 s delay), more than the gap apart: one
    // session per user and burst.
    const rows = Array.from({ length: 900 }, (_, i) => {
      const time = Math.floor(i / 30) * 20_000 + (i % 30) * 400 + ((i * 7919) % 1000);
      return [users[i % 3], `p${i % 4}`, i % 10, time];
    });
    const one = await runPipe(SESSIONS, { sources: { clicks: rows }, parallelism: 1, job: { batchSize: 16 } });
    const two = await runPipe(SESSIONS, { sources: { clicks: rows }, parallelism: 2, job: { batchSize: 16 } });
    expect(sortRows(two.sinks.out!.rows)).toEqual(sortRows(one.sinks.out!.rows));
    expect(one.sinks.out!.rows.reduce((sum, row) => sum + (row[3] as number), 0)).toBe(rows.length);
    expect(one.sinks.out!.rows.length).toBe(users.length * 30);
  });

  it('moves merged sessions to their new bounds in state (accumulators, distinct values, timer) and clears them when they fire', async () => {
    const harness = await OperatorHarness.open(compiledOperator(SESSIONS, 'agg', 'window_aggregate'));
    harness.process([
      ['a', 'p', 1, s(1)],
      ['a', 'p', 1, s(7)],
    ]);
    const before = await harness.keyedEntries();
    expect(before.filter((e) => e.state === 'windows').map((e) => e.mapKey)).toEqual([
      [s(1), s(6)],
      [s(7), s(12)],
    ]);
    harness.process([['a', 'q', 1, s(4)]]);
    const after = await harness.keyedEntries();
    expect(after.filter((e) => e.state === 'windows').map((e) => [e.mapKey, e.value])).toEqual([[[s(1), s(12)], [3, 3, 3, 2]]]);
    expect(after.filter((e) => e.state === 'distinct-pages').map((e) => [e.mapKey, e.value])).toEqual([
      [[s(1), s(12), 'p'], 2],
      [[s(1), s(12), 'q'], 1],
    ]);
    expect(after.filter((e) => e.state === '__timers.event').map((e) => e.mapKey)).toEqual([s(12) - 1]);
    harness.watermark(s(12) - 1);
    expect(harness.output.rows).toEqual([['a', s(1), s(12), 3, 3, 2]]);
    expect(await harness.keyedEntries()).toEqual([]);
    await harness.finish();
  });
});

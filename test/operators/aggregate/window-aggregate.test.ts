import { describe, expect, it } from 'vitest';
import { sortRows } from '../changelog.js';
import { OperatorHarness } from '../operator-harness.js';
import { runPipe, type PipeRun } from '../run-pipe.js';
import { compiledOperator, program, s } from './pipes.js';

const TUMBLE = "|> WINDOW TUMBLE(ts, INTERVAL '10' SECOND)";
const HOP = "|> WINDOW HOP(ts, INTERVAL '5' SECOND, INTERVAL '10' SECOND)";
const byWindow = (window: string, aggregates: string, keys = 'user, '): string =>
  program(`${window} |> AGGREGATE ${aggregates} GROUP BY ${keys}window_start, window_end UID 'agg'`);

const lateRows = (run: PipeRun): number => run.result.metrics.operators.find((m) => m.uid === 'agg')!.lateRowsDropped;

describe('window aggregate over TUMBLE and HOP windows', () => {
  it('aggregates out-of-order rows within the watermark delay, each window once, when the watermark passes its end', async () => {
    // Watermark = time - 2 s, one row per batch: the 11 s row moves it to 9 s, so window [0, 10) is still open
    // for the 9.5 s row, and the 12.5 s row (watermark 10.5 s) makes it fire.
    const rows = [
      ['a', 'p', 1, s(1)],
      ['b', 'p', 2, s(3)],
      ['a', 'p', 3, s(11)],
      ['a', 'p', 4, s(9.5)],
      ['b', 'p', 5, s(12.5)],
      ['a', 'p', 6, s(12)],
    ];
    const run = await runPipe(byWindow(TUMBLE, 'COUNT(*) AS n, SUM(amount) AS total'), { sources: { clicks: rows }, job: { batchSize: 1 } });
    // Windows of different keys that end together fire in no particular order.
    const out = run.sinks.out!.rows;
    expect(sortRows(out.slice(0, 2))).toEqual([
      ['a', 0, s(10), 2, 5],
      ['b', 0, s(10), 1, 2],
    ]);
    expect(sortRows(out.slice(2))).toEqual([
      ['a', s(10), s(20), 2, 9],
      ['b', s(10), s(20), 1, 5],
    ]);
    expect(lateRows(run)).toBe(0);
  });

  it('drops and counts rows whose windows have all fired', async () => {
    const rows = [
      ['a', 'p', 1, s(1)],
      ['a', 'p', 2, s(15)],
      ['a', 'p', 3, s(5)],
      ['b', 'p', 4, s(9)],
      ['a', 'p', 5, s(14)],
    ];
    const run = await runPipe(byWindow(TUMBLE, 'COUNT(*) AS n, SUM(amount) AS total'), { sources: { clicks: rows }, job: { batchSize: 1 } });
    expect(run.sinks.out!.rows).toEqual([
      ['a', 0, s(10), 1, 1],
      ['a', s(10), s(20), 2, 7],
    ]);
    expect(lateRows(run)).toBe(2);
  });

  it('HOP adds a row to every window containing it that has not fired, and drops it only when all have', async () => {
    // Windows of 10 s every 5 s. The 14 s row moves the watermark to 12 s: [-5, 5) and [0, 10) fire, so the 8 s
    // row only joins [5, 15); the 17 s row fires [5, 15), after which the 3 s row has no open window left.
    const rows = [
      ['a', 'p', 1, s(4)],
      ['a', 'p', 2, s(14)],
      ['a', 'p', 4, s(8)],
      ['a', 'p', 8, s(17)],
      ['a', 'p', 16, s(3)],
    ];
    const run = await runPipe(byWindow(HOP, 'SUM(amount) AS total'), { sources: { clicks: rows }, job: { batchSize: 1 } });
    expect(run.sinks.out!.rows).toEqual([
      ['a', -s(5), s(5), 1],
      ['a', 0, s(10), 1],
      ['a', s(5), s(15), 6],
      ['a', s(10), s(20), 10],
      ['a', s(15), s(25), 8],
    ]);
    expect(lateRows(run)).toBe(1);
  });

  it('fires every open window at the end of input; rows with a NULL time belong to no window', async () => {
    const rows = [
      [null, 'p', 1, s(1)],
      ['a', 'p', 2, null],
      ['a', null, null, s(2)],
    ];
    const run = await runPipe(byWindow(TUMBLE, 'COUNT(*) AS n, COUNT(page) AS pages, MAX(amount) AS top'), { sources: { clicks: rows } });
    expect(sortRows(run.sinks.out!.rows)).toEqual(sortRows([
      [null, 0, s(10), 1, 1, 1],
      ['a', 0, s(10), 1, 0, null],
    ]));
    expect(lateRows(run)).toBe(0);
  });

  it('counts distinct values per window', async () => {
    const rows = [
      ['a', 'p', 1, s(1)],
      ['a', 'q', 1, s(2)],
      ['a', 'p', 1, s(3)],
      ['a', 'p', 1, s(11)],
    ];
    const run = await runPipe(byWindow(TUMBLE, 'COUNT(DISTINCT page) AS pages'), { sources: { clicks: rows }, job: { batchSize: 2 } });
    expect(run.sinks.out!.rows).toEqual([
      ['a', 0, s(10), 2],
      ['a', s(10), s(20), 1],
    ]);
  });

  it('gives the same windows at parallelism 1 and 2, keyed and global', async () => {
    const users = ['ann', 'bob', 'cy', 'dee', 'eve'];
    // Times run forward with jitter of up to 1.5 s, inside the 2 s watermark delay: nothing is late.
    const rows = Array.from({ length: 2000 }, (_, i) => [users[i % 5], `p${i % 3}`, (i % 40) / 4, i * 100 + ((i * 7919) % 1500)]);
    for (const keys of ['user, ', '']) {
      const text = byWindow(HOP, 'COUNT(*) AS n, SUM(amount) AS total, COUNT(DISTINCT page) AS pages', keys);
      const one = await runPipe(text, { sources: { clicks: rows }, parallelism: 1, job: { batchSize: 64 } });
      const two = await runPipe(text, { sources: { clicks: rows }, parallelism: 2, job: { batchSize: 64 } });
      expect(lateRows(one) + lateRows(two)).toBe(0);
      expect(one.sinks.out!.rows.length).toBeGreaterThan(10);
      expect(sortRows(two.sinks.out!.rows)).toEqual(sortRows(one.sinks.out!.rows));
      const total = one.sinks.out!.rows.reduce((sum, row) => sum + (row[row.length - 3] as number), 0);
      expect(total).toBe(2 * rows.length);
    }
  });

  it('counts every row when one batch of one key spans more windows than the operator keeps at hand', async () => {
    // 150 windows of one key in one batch, each met twice (forward, then backward) with a distinct page each
    // time: windows pushed out of the batch's table to state are found there again, not started anew.
    const rows: unknown[][] = [];
    for (let w = 0; w < 150; w++) rows.push(['a', `p${w}`, w, s(10 * w + 1)]);
    for (let w = 149; w >= 0; w--) rows.push(['a', `q${w}`, 1, s(10 * w + 2)]);
    const run = await runPipe(byWindow(TUMBLE, 'COUNT(*) AS n, SUM(amount) AS total, COUNT(DISTINCT page) AS pages'), { sources: { clicks: rows }, job: { batchSize: 1000 } });
    expect(sortRows(run.sinks.out!.rows)).toEqual(sortRows(Array.from({ length: 150 }, (_, w) => ['a', s(10 * w), s(10 * w + 10), 2, w + 1, 2])));
    expect(lateRows(run)).toBe(0);
  });

  it('keeps state only for open windows: a fired window leaves no accumulator, distinct value or timer behind', async () => {
    const harness = await OperatorHarness.open(compiledOperator(byWindow(TUMBLE, 'COUNT(DISTINCT page) AS pages'), 'agg', 'window_aggregate'));
    harness.process([
      ['a', 'p', 1, s(1)],
      ['a', 'q', 1, s(12)],
      ['b', 'q', 1, s(5)],
    ]);
    harness.watermark(s(10));
    const open = await harness.keyedEntries();
    expect(new Set(open.map((e) => e.state))).toEqual(new Set(['windows', 'distinct-pages', '__timers.event']));
    expect(open.every((e) => e.key === '["a"]')).toBe(true);
    harness.watermark(Infinity);
    expect(await harness.keyedEntries()).toEqual([]);
    await harness.finish();
    expect(sortRows(harness.output.rows)).toEqual([
      ['a', 0, s(10), 1],
      ['a', s(10), s(20), 1],
      ['b', 0, s(10), 1],
    ]);
    expect(harness.output.rows[2]).toEqual(['a', s(10), s(20), 1]);
  });
});

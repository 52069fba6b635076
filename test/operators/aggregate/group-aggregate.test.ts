import { describe, expect, it } from 'vitest';
import { changelogLines, materialize, sortRows } from '../changelog.js';
import { runPipe } from '../run-pipe.js';
import { program, s } from './pipes.js';

const perUser = (aggregates: string): string => program(`|> AGGREGATE ${aggregates} GROUP BY user UID 'agg'`);

describe('continuous AGGREGATE … GROUP BY', () => {
  it('emits +I for a new key, then -U old / +U new, and nothing when the results do not change', async () => {
    const rows = [
      ['a', 'p', 1.5, s(1)],
      ['b', 'p', 2, s(2)],
      ['a', 'p', 3.25, s(3)],
      ['a', 'q', 1, s(4)],
    ];
    const run = await runPipe(perUser('MAX(amount) AS top'), { sources: { clicks: rows }, job: { batchSize: 1 } });
    expect(changelogLines(run.sinks.out!)).toEqual(['+I ["a",1.5]', '+I ["b",2]', '-U ["a",1.5]', '+U ["a",3.25]']);
  });

  it('mini-batch: one update per key and batch, the result after all its rows', async () => {
    const rows = [
      ['a', 'p', 1, s(1)],
      ['b', 'p', 2, s(2)],
      ['a', 'p', 3, s(3)],
      ['a', 'p', 4, s(4)],
    ];
    const run = await runPipe(perUser('COUNT(*) AS n, SUM(amount) AS total'), { sources: { clicks: rows }, job: { batchSize: 3 } });
    expect(changelogLines(run.sinks.out!)).toEqual(['+I ["a",2,4]', '+I ["b",1,2]', '-U ["a",2,4]', '+U ["a",3,8]']);
  });

  it('NULL keys form a group; NULL arguments are skipped; SUM/MIN/AVG of only NULLs are NULL; DECIMAL sums keep their scale', async () => {
    const rows = [
      [null, 'p', 0.1, s(1)],
      [null, 'p', 0.2, s(2)],
      ['a', 'p', null, s(3)],
      ['a', null, null, s(4)],
    ];
    const run = await runPipe(perUser('COUNT(*) AS n, COUNT(page) AS pages, SUM(amount) AS total, MIN(amount) AS low, AVG(amount) AS mean'), {
      sources: { clicks: rows },
    });
    expect(materialize(run.sinks.out!)).toEqual(sortRows([
      [null, 2, 2, 0.3, 0.1, (0.1 + 0.2) / 2],
      ['a', 2, 1, null, null, null],
    ]));
  });

  it('COUNT(DISTINCT) counts each non-NULL value once per group', async () => {
    const rows = [
      ['a', 'p', 1, s(1)],
      ['a', 'q', 1, s(2)],
      ['a', 'p', 1, s(3)],
      ['a', null, 1, s(4)],
      ['b', 'p', 1, s(5)],
    ];
    const run = await runPipe(perUser('COUNT(DISTINCT page) AS pages, COUNT(page) AS views'), { sources: { clicks: rows }, job: { batchSize: 2 } });
    expect(materialize(run.sinks.out!)).toEqual([
      ['a', 2, 3],
      ['b', 1, 1],
    ]);
  });

  it('without GROUP BY, aggregates the whole stream as one group', async () => {
    const rows = [
      ['a', 'p', 1, s(1)],
      ['b', 'p', 2, s(2)],
    ];
    const run = await runPipe(program("|> AGGREGATE COUNT(*) AS n, FIRST_VALUE(user) AS first_user, LAST_VALUE(user) AS last_user UID 'agg'"), {
      sources: { clicks: rows },
      job: { batchSize: 1 },
    });
    expect(changelogLines(run.sinks.out!)).toEqual(['+I [1,"a","a"]', '-U [1,"a","a"]', '+U [2,"a","b"]']);
  });

  it('gives the same table at parallelism 1 and 2', async () => {
    const users = ['ann', 'bob', 'cy', 'dee', 'eve', 'fay', 'gus'];
    const rows = Array.from({ length: 3000 }, (_, i) => [users[i % 7], `page-${i % 11}`, i % 13 === 0 ? null : (i % 50) / 4, s(i)]);
    const text = perUser('COUNT(*) AS n, COUNT(DISTINCT page) AS pages, SUM(amount) AS total, MIN(amount) AS low, MAX(amount) AS high');
    const one = await runPipe(text, { sources: { clicks: rows }, parallelism: 1, job: { batchSize: 100 } });
    const two = await runPipe(text, { sources: { clicks: rows }, parallelism: 2, job: { batchSize: 100 } });
    const expected = users.map((user) => {
      const mine = rows.filter((r) => r[0] === user);
      const amounts = mine.map((r) => r[2]).filter((a): a is number => a !== null);
      return [user, mine.length, new Set(mine.map((r) => r[1])).size, amounts.reduce((x, y) => x + y, 0), Math.min(...amounts), Math.max(...amounts)];
    });
    expect(materialize(one.sinks.out!)).toEqual(sortRows(expected));
    expect(materialize(two.sinks.out!)).toEqual(sortRows(expected));
  });
});

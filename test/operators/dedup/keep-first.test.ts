import { describe, expect, it } from 'vitest';
import { RowKind } from '../../../runtime/record-batch.js';
import { sortRows } from '../changelog.js';
import { runPipe } from '../run-pipe.js';
import { dedupProgram, events, expectedDedup } from './dedup-fixtures.js';

const rows = events(3000);

describe('DEDUPLICATE … KEEP FIRST', () => {
  it.each([1, 2])('emits the first row of every key (NULL is a key) as inserts, at parallelism %i', async (parallelism) => {
    const run = await runPipe(dedupProgram('id', 'FIRST'), { sources: { events: rows }, parallelism, job: { batchSize: 64 } });
    const out = run.sinks['out']!;
    const expected = expectedDedup(rows, (r) => JSON.stringify(r[0]), 'first');
    expect(expected).toHaveLength(41);
    expect(sortRows(out.rows)).toEqual(sortRows(expected));
    expect(out.kinds.every((k) => k === RowKind.INSERT)).toBe(true);
    const dedup = run.result.metrics.operators.find((m) => m.uid === 'dedup')!;
    expect(dedup.subtasks.map((s) => s.recordsIn > 0)).toEqual(Array.from({ length: parallelism }, () => true));
  });

  it('keeps the input order of first rows within a subtask, and the time attribute for later event-time steps', async () => {
    const run = await runPipe(dedupProgram('id', 'FIRST'), { sources: { events: rows }, parallelism: 1, job: { batchSize: 7 } });
    expect(run.sinks['out']!.rows).toEqual(expectedDedup(rows, (r) => JSON.stringify(r[0]), 'first'));
    expect(run.graph.operators.find((o) => o.uid === 'dedup')!.output).toMatchObject({ changelog: 'append', rowtime: 3 });
  });

  it('decides by arrival, not event time: an earlier-timed row arriving later, even behind the watermark, is a duplicate, not late', async () => {
    const input = [
      ['a', 'eu', 1, 50_000],
      ['b', 'eu', 2, 60_000],
      ['a', 'eu', 3, 10_000],
      ['b', 'us', 4, 59_000],
    ];
    const run = await runPipe(dedupProgram('id', 'FIRST'), { sources: { events: input }, job: { batchSize: 1 } });
    expect(run.sinks['out']!.rows).toEqual([input[0], input[1]]);
    expect(run.result.metrics.operators.find((m) => m.uid === 'dedup')!.lateRowsDropped).toBe(0);
  });

  it('deduplicates by several keys and by expressions', async () => {
    const byPair = await runPipe(dedupProgram('region, id', 'FIRST'), { sources: { events: rows }, parallelism: 2 });
    expect(sortRows(byPair.sinks['out']!.rows)).toEqual(sortRows(expectedDedup(rows, (r) => JSON.stringify([r[1], r[0]]), 'first')));

    const byExpression = await runPipe(dedupProgram('UPPER(region)', 'FIRST'), { sources: { events: rows } });
    expect(byExpression.sinks['out']!.rows).toEqual([rows[0], rows[1]]);
  });

  it('emits everything at the end of a bounded input, with nothing left to flush', async () => {
    const run = await runPipe(dedupProgram('id', 'FIRST'), { sources: { events: [['x', 'eu', 1, 0]] }, job: { batchSize: 1024 } });
    expect(run.result.status).toBe('finished');
    expect(run.sinks['out']!.rows).toEqual([['x', 'eu', 1, 0]]);
  });
});

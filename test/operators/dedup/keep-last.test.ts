import { describe, expect, it } from 'vitest';
import { changelogLines, materialize, sortRows } from '../changelog.js';
import { runPipe } from '../run-pipe.js';
import { dedupProgram, events, expectedDedup } from './dedup-fixtures.js';

const rows = events(3000);
const lastPerId = sortRows(expectedDedup(rows, (r) => JSON.stringify(r[0]), 'last'));

describe('DEDUPLICATE … KEEP LAST', () => {
  it.each([1, 2])('is an upsert stream whose table holds the last row of every key, at parallelism %i', async (parallelism) => {
    const run = await runPipe(dedupProgram('id', 'LAST'), { sources: { events: rows }, parallelism, job: { batchSize: 50 } });
    expect(materialize(run.sinks['out']!)).toEqual(lastPerId);
    expect(run.graph.operators.find((o) => o.uid === 'dedup')!.output).toMatchObject({ changelog: 'upsert', upsertKey: [0] });
  });

  it('emits +I for a key’s first row, then -U of the row replaced and +U of the new one', async () => {
    const input = [
      ['a', 'eu', 1, 0],
      ['b', 'eu', 2, 0],
      ['a', 'us', 3, 0],
      [null, 'eu', 4, 0],
      [null, 'us', 5, 0],
    ];
    const run = await runPipe(dedupProgram('id', 'LAST'), { sources: { events: input }, job: { batchSize: 1 } });
    expect(changelogLines(run.sinks['out']!)).toEqual([
      '+I ["a","eu",1,0]',
      '+I ["b","eu",2,0]',
      '-U ["a","eu",1,0]',
      '+U ["a","us",3,0]',
      '+I [null,"eu",4,0]',
      '-U [null,"eu",4,0]',
      '+U [null,"us",5,0]',
    ]);
  });

  it('mini-batch: one update per key per batch, for the batch’s last row of the key', async () => {
    const input = [
      ['a', 'eu', 1, 0],
      ['a', 'eu', 2, 0],
      ['b', 'eu', 3, 0],
      ['a', 'eu', 4, 0],
      ['b', 'eu', 5, 0],
      ['a', 'eu', 6, 0],
    ];
    const run = await runPipe(dedupProgram('id', 'LAST'), { sources: { events: input }, job: { batchSize: 4 } });
    expect(changelogLines(run.sinks['out']!)).toEqual([
      '+I ["a","eu",4,0]',
      '+I ["b","eu",3,0]',
      '-U ["b","eu",3,0]',
      '+U ["b","eu",5,0]',
      '-U ["a","eu",4,0]',
      '+U ["a","eu",6,0]',
    ]);
  });

  it('keyed by an expression, the stream has no upsert key but the same changelog rules', async () => {
    const run = await runPipe(dedupProgram('UPPER(region)', 'LAST'), { sources: { events: rows }, parallelism: 2 });
    expect(materialize(run.sinks['out']!)).toEqual(sortRows(expectedDedup(rows, (r) => String(r[1]), 'last')));
    expect(run.graph.operators.find((o) => o.uid === 'dedup')!.output.upsertKey).toBeUndefined();
  });
});

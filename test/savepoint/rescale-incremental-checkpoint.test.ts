import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openCheckpoint } from '../../runtime/checkpoint/restore/load-checkpoint.js';
import { Job } from '../../runtime/execution/job.js';
import { committedRows } from '../checkpoint/chaos-harness.js';
import { tempDir } from '../checkpoint/state-fixtures.js';
import { compilePipe } from '../operators/run-pipe.js';

/** Bids counted per auction and one-second window (keyed state with many namespaces) into an exactly-once file sink. */
function pipe(sinkDir: string): string {
  return `
CREATE SOURCE bid (
  auction BIGINT, bidder BIGINT, price BIGINT, channel STRING, url STRING, date_time TIMESTAMP(3), extra STRING,
  WATERMARK FOR date_time AS date_time - INTERVAL '4' SECOND
) WITH ('connector' = 'nexmark', 'table' = 'bid', 'events' = '60000', 'rows-per-second' = '20000', 'rate' = '2000') UID 'bid-source';
CREATE SINK out WITH ('connector' = 'file', 'path' = '${sinkDir}', 'format' = 'jsonl', 'sink.semantic' = 'exactly-once') UID 'out';
INSERT INTO out
FROM bid
|> WINDOW TUMBLE(date_time, INTERVAL '1' SECOND)
|> AGGREGATE COUNT(*) AS bids, MAX(price) AS top GROUP BY auction, window_start, window_end UID 'bids-per-window'
|> SELECT auction, bids, top, window_start;
`;
}

function graph(dir: string, parallelism: number, settings: Record<string, string> = {}) {
  return compilePipe(pipe(path.join(dir, 'out')), {
    settings: {
      'parallelism.default': String(parallelism),
      'execution.checkpointing.interval': '20ms',
      'state.backend': 'fs',
      'state.checkpoints.dir': path.join(dir, 'checkpoints'),
      'state.checkpoints.num-retained': '2',
      ...settings,
    },
  });
}

const CASES = [
  { name: '2 → 3 subtasks: every new subtask reads the chains of the old subtasks its key groups come from', from: 2, to: 3, settings: {} },
  {
    name: '2 → 1 subtask, with 3 checkpoints in flight at once: the chains stay in checkpoint order',
    from: 2,
    to: 1,
    settings: { 'execution.checkpointing.interval': '10ms', 'execution.checkpointing.max-concurrent-checkpoints': '3', 'state.checkpoints.num-retained': '50' },
  },
];

describe('rescaling from an incremental checkpoint (a base and deltas per subtask)', () => {
  it.each(CASES)('$name', async ({ from, to, settings }) => {
    const referenceDir = tempDir();
    await (await Job.start(graph(referenceDir, 2), { batchSize: 8 })).done;
    const reference = committedRows(path.join(referenceDir, 'out')).sort();

    const dir = tempDir();
    const job = await Job.start(graph(dir, from, settings), { batchSize: 8 });
    // Stop once a retained checkpoint lists deltas of the window aggregate, and some output is committed.
    let newest: string | undefined;
    const found = new Promise<void>((resolve) => {
      const check = (stats: { location?: string }) => {
        if (committedRows(path.join(dir, 'out')).length === 0 || stats.location === undefined) return;
        const metadata = fs.readFileSync(path.join(stats.location, '_metadata'), 'utf8');
        if (!metadata.includes('"delta": true')) return;
        newest = stats.location;
        job.off('checkpoint-completed', check);
        resolve();
      };
      job.on('checkpoint-completed', check);
    });
    await Promise.race([
      found,
      job.done.then(() => {
        throw new Error('the job finished before a checkpoint listed deltas with output committed');
      }),
    ]);
    await job.cancel();
    const opened = await openCheckpoint(newest!);
    if ('error' in opened) throw new Error(opened.error);
    const aggregate = opened.checkpoint.metadata.operators.find((op) => op.uid === 'bids-per-window')!;
    expect(aggregate.subtasks).toHaveLength(from);
    expect(aggregate.subtasks.some((s) => s.keyedState.some((f) => f.delta === true))).toBe(true);

    const resumed = await Job.start(graph(dir, to, settings), { batchSize: 8, restoreFrom: newest! });
    expect(resumed.restoreInfo).toMatchObject({ kind: 'restored', type: 'checkpoint' });
    expect((await resumed.done).status).toBe('finished');
    expect(committedRows(path.join(dir, 'out')).sort()).toEqual(reference);
    // Two runs and a restore, at parallelism 2 and 3 in worker threads: up to 53 s at a load average of 20.
  }, 120_000);
});

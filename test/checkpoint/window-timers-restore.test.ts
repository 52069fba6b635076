import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCheckpoint, openCheckpoint } from '../../runtime/checkpoint/restore/load-checkpoint.js';
import { Job } from '../../runtime/execution/job.js';
import type { StateEntry } from '../../runtime/state/keyed-state-backend.js';
import { committedRows } from './chaos-harness.js';
import { tempDir } from './state-fixtures.js';
import { compilePipe } from '../operators/run-pipe.js';

/**
 * Nexmark q5 (bids per auction in HOP windows, the most per window, joined back by window) into an exactly-once
 * file sink, and every auction's count per window into another, paced so that checkpoints fall while windows are open: both window aggregates and the window join
 * keep their window timers in the timer service's window groups, which checkpoint bases (metadata version 8) leave
 * out.
 */
function q5(sinkDir: string): string {
  return `
CREATE SOURCE bid (
  auction BIGINT, bidder BIGINT, price BIGINT, channel STRING, url STRING, date_time TIMESTAMP(3), extra STRING,
  WATERMARK FOR date_time AS date_time - INTERVAL '4' SECOND
) WITH ('connector' = 'nexmark', 'table' = 'bid', 'events' = '60000', 'rows-per-second' = '20000', 'rate' = '2000') UID 'bid-source';

CREATE VIEW auction_bids AS
FROM bid
|> WINDOW HOP(date_time, INTERVAL '2' SECOND, INTERVAL '10' SECOND)
|> AGGREGATE COUNT(*) AS num GROUP BY auction, window_start, window_end UID 'count-per-auction';

CREATE VIEW max_bids AS
FROM auction_bids
|> AGGREGATE MAX(num) AS max_num GROUP BY window_start, window_end UID 'max-per-window';

CREATE SINK out WITH ('connector' = 'file', 'path' = '${sinkDir}', 'format' = 'jsonl', 'sink.semantic' = 'exactly-once') UID 'out';
CREATE SINK counts WITH ('connector' = 'file', 'path' = '${sinkDir}-counts', 'format' = 'jsonl', 'sink.semantic' = 'exactly-once') UID 'counts';

INSERT INTO counts FROM auction_bids;

INSERT INTO out
FROM auction_bids AS a
|> JOIN max_bids AS m
   ON a.window_start = m.window_start AND a.window_end = m.window_end AND a.num >= m.max_num
   UID 'join-max'
|> SELECT a.auction, a.num, a.window_start;
`;
}

function graph(dir: string) {
  return compilePipe(q5(path.join(dir, 'out')), {
    settings: {
      'execution.checkpointing.interval': '20ms',
      'state.backend': 'fs',
      'state.checkpoints.dir': path.join(dir, 'checkpoints'),
      'state.checkpoints.num-retained': '3',
    },
  });
}

const isTimer = (e: StateEntry) => e.state.startsWith('__timers');

describe('restoring a checkpoint whose bases leave the window timers out', () => {
  it('fires exactly the windows an undisturbed run fires (q5: two window aggregates and a window join)', async () => {
    const referenceDir = tempDir();
    await (await Job.start(graph(referenceDir), { batchSize: 8 })).done;
    const reference = committedRows(path.join(referenceDir, 'out'));
    const referenceCounts = committedRows(path.join(referenceDir, 'out-counts'));
    expect(reference.length).toBeGreaterThan(10);
    expect(referenceCounts.length).toBeGreaterThan(1000);

    // A checkpoint holding open windows, taken once some output was committed (output on both sides of the
    // restore). On a loaded machine the first commit may come only with the end of input, when no window is
    // open: then the run is repeated.
    let attempt: { dir: string; chosen: string; committedBefore: number } | undefined;
    for (let tries = 0; tries < 3 && attempt === undefined; tries++) {
      const dir = tempDir();
      const job = await Job.start(graph(dir), { batchSize: 8 });
      // The newest checkpoint when the job is cancelled: a restore from an older one would find output committed
      // after it already in the sink's directory.
      let newest: string | undefined;
      let committed = false;
      const found = new Promise<void>((resolve) => {
        job.on('checkpoint-completed', (stats: { location?: string }) => {
          if (stats.location === undefined) return;
          newest = stats.location;
          if (!committed && committedRows(path.join(dir, 'out-counts')).length > 0) {
            committed = true;
            resolve();
          }
        });
      });
      await Promise.race([found, job.done]);
      await job.cancel();
      const chosen = newest;
      if (!committed || chosen === undefined) continue;
      const opened = await openCheckpoint(chosen);
      if ('error' in opened) throw new Error(opened.error);
      expect(opened.checkpoint.metadata.version).toBe(10);
      const loaded = await loadCheckpoint(opened.checkpoint);
      const entriesOf = (uid: string) => loaded.operators.find((op) => op.entry.uid === uid)!.keyed.flatMap((file) => [...file.entries]);
      const counts = entriesOf('count-per-auction');
      if (counts.filter((e) => e.state === 'windows').length < 10) continue;
      // Open windows, and not one timer beside them: the restore has to register them from the windows.
      expect(counts.filter(isTimer)).toEqual([]);
      expect(entriesOf('max-per-window').filter(isTimer)).toEqual([]);
      attempt = { dir, chosen, committedBefore: committedRows(path.join(dir, 'out-counts')).length };
    }
    if (attempt === undefined) throw new Error('no run took a checkpoint with open windows after its first commit');
    const { dir, chosen, committedBefore } = attempt;

    const resumed = await Job.start(graph(dir), { batchSize: 8, restoreFrom: chosen });
    expect(resumed.restoreInfo).toMatchObject({ kind: 'restored', type: 'checkpoint' });
    expect((await resumed.done).status).toBe('finished');
    const counts = committedRows(path.join(dir, 'out-counts'));
    expect(committedBefore).toBeLessThan(counts.length);
    expect(counts).toEqual(referenceCounts);
    expect(committedRows(path.join(dir, 'out'))).toEqual(reference);
  }, 120_000);
});

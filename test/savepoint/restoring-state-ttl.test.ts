import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCheckpoint, openCheckpoint } from '../../runtime/checkpoint/restore/load-checkpoint.js';
import { checkLoadedSnapshot } from '../../runtime/checkpoint/restore/snapshot-summary.js';
import { Job } from '../../runtime/execution/job.js';
import { compilePipe } from '../operators/run-pipe.js';
import { finalCounts, restoringSetUp } from './restoring-harness.js';

/** Bids counted per auction into a file, with `ttl` after the aggregate's uid. */
function bidsPipe(sinkDir: string, ttl: string): string {
  return `
CREATE SOURCE bid (auction BIGINT, bidder BIGINT, price BIGINT, channel STRING, url STRING, date_time TIMESTAMP(3), extra STRING)
  WITH ('connector' = 'nexmark', 'table' = 'bid', 'events' = '2000') UID 'bid-source';
CREATE SINK out WITH ('connector' = 'file', 'path' = '${sinkDir}', 'format' = 'jsonl') UID 'out';
INSERT INTO out FROM bid |> AGGREGATE COUNT(*) AS bids GROUP BY auction UID 'per-auction'${ttl};
`;
}

describe('a checkpoint of a real run with a state TTL', () => {
  let dir: string;
  let snapshot: string;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-ttl-restore-'));
    const checkpoints = path.join(dir, 'checkpoints');
    const graph = compilePipe(bidsPipe(path.join(dir, 'out-0'), " TTL INTERVAL '1' DAY"), {
      settings: { 'parallelism.default': '2', 'state.checkpoints.dir': checkpoints, 'execution.checkpointing.interval': '1h' },
    });
    await (await Job.start(graph)).done;
    const jobDir = path.join(checkpoints, graph.config.pipelineName);
    snapshot = path.join(jobDir, fs.readdirSync(jobDir).find((n) => n.startsWith('chk-'))!);
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const check = async (ttl: string) => {
    const opened = await openCheckpoint(snapshot);
    if ('error' in opened) throw new Error(opened.error);
    const loaded = await loadCheckpoint(opened.checkpoint);
    return { loaded, report: checkLoadedSnapshot(loaded, compilePipe(bidsPipe(path.join(dir, 'o'), ttl)), false)! };
  };

  it("holds each key's write time and cleanup timer beside its accumulators", async () => {
    const { loaded } = await check('');
    const states = new Map<string, number>();
    for (const op of loaded.operators) {
      if (op.entry.uid !== 'per-auction') continue;
      for (const file of op.keyed) for (const e of file.entries) states.set(e.state, (states.get(e.state) ?? 0) + 1);
    }
    expect(states.get('accumulators')).toBeGreaterThan(0);
    expect(states.get('__ttl.written')).toBe(states.get('accumulators'));
    expect(states.get('__timers.processing')).toBe(states.get('accumulators'));
  });

  it('restores with the TTL removed or changed: compatible, with a note, the write times not counted as unmatched state', async () => {
    for (const [ttl, next] of [['', 'none (kept forever)'], [" TTL INTERVAL '2' HOUR", '2 h']] as const) {
      const { report } = await check(ttl);
      expect(report.restorable).toBe(true);
      const op = report.operators.find((o) => o.uid === 'per-auction')!;
      expect(op.findings.map((f) => `${f.code} ${f.message}`)).toEqual([`SLC2052 the state TTL of 'per-auction' changes from 1 d to ${next}`]);
      expect(op.states.map((s) => [s.name, s.verdict])).toEqual([['accumulators', 'compatible']]);
    }
  });
});

describe('a TTL changed between runs, restored from a savepoint taken midway', () => {
  const setUp = restoringSetUp();
  afterAll(setUp.dispose);
  const counts = (ttl: string): string => `|> AGGREGATE COUNT(*) AS bids GROUP BY auction UID 'bids-per-auction'${ttl}`;

  it('continues the counts exactly with the TTL removed, and with it shortened at another parallelism (nothing is idle that long)', async () => {
    const reference = finalCounts(await setUp.runThrough('reference', counts('')));
    const removed = await setUp.stopWithSavepoint('removed', counts(" TTL INTERVAL '1' DAY"));
    const { job, rows } = await setUp.resume('removed', counts(''), removed);
    expect(job.restoreInfo).toMatchObject({ kind: 'restored', type: 'savepoint' });
    expect(finalCounts(rows)).toEqual(reference);

    const shortened = await setUp.stopWithSavepoint('shortened', counts(" TTL INTERVAL '1' DAY"));
    const resumed = await setUp.resume('shortened', counts(" TTL INTERVAL '1' HOUR"), shortened, 1);
    expect(finalCounts(resumed.rows)).toEqual(reference);
  });
});

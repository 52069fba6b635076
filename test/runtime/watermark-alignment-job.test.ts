import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Job } from '../../runtime/execution/job.js';
import type { JobOptions } from '../../runtime/execution/job-options.js';
import { committedRows } from '../checkpoint/chaos-harness.js';
import { nexmarkJoinPipe } from '../checkpoint/nexmark-join-pipe.js';
import { tempDir } from '../checkpoint/state-fixtures.js';
import { compilePipe } from '../operators/run-pipe.js';

const ALIGNED = ", 'scan.watermark.alignment.group' = 'q8', 'scan.watermark.alignment.max-drift' = '1 s'";

/**
 * The Nexmark join pipeline (q8 with one-second windows) with both sources in one alignment group, or not. The person
 * source runs three times faster through event time per batch than the auction source; `pacedAuctions` also paces
 * the auction source by wall clock (events of all tables per second), so that the person source is paused most of
 * the run.
 */
function q8(sinkDir: string, { aligned = true, events = 50_000, pacedAuctions }: { aligned?: boolean; events?: number; pacedAuctions?: number } = {}): string {
  let text = nexmarkJoinPipe({ sinkDir, events });
  const withClause = (table: string) => `'table' = '${table}', 'events' = '${events}'`;
  if (pacedAuctions !== undefined) text = text.replace(withClause('auction'), `${withClause('auction')}, 'rows-per-second' = '${pacedAuctions}'`);
  if (aligned) for (const table of ['person', 'auction']) text = text.replace(withClause(table), `${withClause(table)}${ALIGNED}`);
  return text;
}

async function runToEnd(text: string, settings: Record<string, string> = {}, options: JobOptions = {}) {
  const job = await Job.start(compilePipe(text, { settings }), { batchSize: 64, ...options });
  const result = await job.done;
  return { job, result };
}

describe('watermark alignment in a running job', () => {
  it('gives exactly the output of the unaligned job, at parallelism 1 and 2, and shows the pauses in the metrics', async () => {
    const reference = tempDir();
    await runToEnd(q8(path.join(reference, 'out'), { aligned: false }));
    const expected = committedRows(path.join(reference, 'out'));
    expect(expected.length).toBeGreaterThan(100);
    for (const parallelism of ['1', '2']) {
      const dir = tempDir();
      const { result } = await runToEnd(q8(path.join(dir, 'out')), { 'parallelism.default': parallelism });
      expect(committedRows(path.join(dir, 'out'))).toEqual(expected);
      const sources = result.metrics.operators.filter((o) => o.kind === 'source');
      // Every aligned source reports a paused time (the person source, ahead per batch, pauses); others none.
      expect(sources.map((s) => s.alignmentPausedMs === null)).toEqual([false, false]);
      expect(sources.every((s) => s.alignmentPausedSubtasks === 0)).toBe(true);
      expect(result.metrics.operators.filter((o) => o.kind !== 'source').every((o) => o.alignmentPausedMs === null)).toBe(true);
    }
  });

  it('does not let an idle source hold its group back', async () => {
    // `stalled` gives one row at the epoch, then nothing until every bid has reached the sink: were it not left out
    // of the group's minimum once idle (after a second without rows), the bids would wait for it forever.
    const text = `
      CREATE SOURCE bid (auction BIGINT, price BIGINT, date_time TIMESTAMP(3), WATERMARK FOR date_time AS date_time)
        WITH ('connector' = 'nexmark', 'table' = 'bid', 'events' = '20000'${ALIGNED}) UID 'bids';
      CREATE SOURCE stalled (date_time TIMESTAMP(3), WATERMARK FOR date_time AS date_time)
        WITH ('connector' = 'datagen'${ALIGNED}) UID 'stalled';
      CREATE SINK out WITH ('connector' = 'blackhole') UID 'out';
      INSERT INTO out FROM bid |> SELECT date_time |> UNION ALL stalled;`;
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    async function* stalled() {
      yield [0];
      await released;
    }
    let rows = 0;
    const bids = 20_000 * (46 / 50);
    const job = await Job.start(compilePipe(text), {
      batchSize: 64,
      sources: { stalled: stalled() },
      sinks: {
        out: (batch) => {
          rows += batch.length;
          if (rows >= bids + 1) release();
        },
      },
    });
    const result = await job.done;
    expect(result.status).toBe('finished');
    expect(rows).toBe(bids + 1);
  });

  it('takes checkpoints and a savepoint while a source is paused, and a restore of the savepoint finishes exactly as an undisturbed run', async () => {
    const reference = tempDir();
    await runToEnd(q8(path.join(reference, 'out'), { aligned: false }));
    const expected = committedRows(path.join(reference, 'out'));

    const dir = tempDir();
    const sinkDir = path.join(dir, 'out');
    const settings = {
      'execution.checkpointing.interval': '20ms',
      'state.checkpoints.dir': path.join(dir, 'checkpoints'),
      'state.savepoints.dir': path.join(dir, 'savepoints'),
    };
    // The auction source is paced over about 2.5 s; the person source, unpaced, waits for it most of the time.
    const job = await Job.start(compilePipe(q8(sinkDir, { pacedAuctions: 20_000 }), { settings }), { batchSize: 64 });
    let completedWhilePaused = 0;
    await new Promise<void>((resolve, reject) => {
      job.on('checkpoint-completed', () => {
        const person = job.metrics().operators.find((o) => o.uid === 'person-source')!;
        if (person.alignmentPausedSubtasks > 0 && ++completedWhilePaused === 2) resolve();
      });
      void job.done.then(() => reject(new Error('the job ended before two checkpoints completed while the person source was paused')), reject);
    });
    expect(job.metrics().operators.find((o) => o.uid === 'person-source')!.alignmentPausedMs).toBeGreaterThan(0);
    const { savepointPath } = await job.stop({ savepoint: true });
    expect(await job.done).toMatchObject({ status: 'stopped', savepointPath });
    expect(committedRows(sinkDir).length).toBeLessThan(expected.length);

    const resumed = await Job.start(compilePipe(q8(sinkDir), { settings }), { batchSize: 64, restoreFrom: savepointPath! });
    expect(resumed.restoreInfo).toMatchObject({ kind: 'restored', type: 'savepoint' });
    expect((await resumed.done).status).toBe('finished');
    expect(committedRows(sinkDir)).toEqual(expected);
  });
});

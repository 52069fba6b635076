import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Job } from '../../runtime/execution/job.js';
import { committedRows } from '../checkpoint/chaos-harness.js';
import { compilePipe } from '../operators/run-pipe.js';

/**
 * Restore tests run the same paced Nexmark bid stream under an old query, stop it with a savepoint midway, and
 * resume it under a new query; each query is the steps after `FROM bid`, its sink is the directory given. Paced to
 * 2.5 s: at 1 s, under a load average of 20, the input was sometimes done before the stop.
 */
export function bidsPipe(sinkDir: string, steps: string, watermarkLag?: string): string {
  const watermark = watermarkLag === undefined ? '' : `,\n  WATERMARK FOR date_time AS date_time - INTERVAL ${watermarkLag}`;
  return `
CREATE SOURCE bid (auction BIGINT, bidder BIGINT, price BIGINT, channel STRING, url STRING, date_time TIMESTAMP(3), extra STRING${watermark})
  WITH ('connector' = 'nexmark', 'table' = 'bid', 'events' = '20000', 'rows-per-second' = '8000') UID 'bid-source';
CREATE SINK out WITH ('connector' = 'file', 'path' = '${sinkDir}', 'format' = 'jsonl') UID 'out';
INSERT INTO out
FROM bid
${steps};
`;
}

/** `watermarkLag`: the bids have event time, the watermark this far (`'4' SECOND`) behind their latest. */
export function restoringSetUp(watermarkLag?: string) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-restoring-'));
  const settings = (parallelism: number) => ({
    'parallelism.default': String(parallelism),
    'execution.checkpointing.interval': '20ms',
    'state.checkpoints.dir': path.join(dir, 'checkpoints'),
  });
  const sink = (name: string) => path.join(dir, name);

  /** Runs `steps` from start to end, undisturbed: the reference output. */
  const runThrough = async (name: string, steps: string, parallelism = 2) => {
    await (await Job.start(compilePipe(bidsPipe(sink(name), steps, watermarkLag), { settings: settings(parallelism) }), { batchSize: 8 })).done;
    return committedRows(sink(name));
  };

  /** Runs `steps` until its first checkpoint completed (state and output exist by then), then stops it with a savepoint. */
  const stopWithSavepoint = async (name: string, steps: string, parallelism = 2) => {
    const job = await Job.start(compilePipe(bidsPipe(sink(name), steps, watermarkLag), { settings: settings(parallelism) }), { batchSize: 8 });
    await new Promise<void>((resolve) => job.once('checkpoint-completed', () => resolve()));
    const { savepointPath } = await job.stop({ savepoint: path.join(dir, 'savepoints') });
    await job.done;
    if (savepointPath === undefined) throw new Error('stop with a savepoint returned no path');
    return savepointPath;
  };

  /** Resumes `steps` from `savepoint` into the same sink `name` and runs it to the end. */
  const resume = async (name: string, steps: string, savepoint: string, parallelism = 2) => {
    const job = await Job.start(compilePipe(bidsPipe(sink(name), steps, watermarkLag), { settings: settings(parallelism) }), { batchSize: 8, restoreFrom: savepoint });
    await job.done;
    return { job, rows: committedRows(sink(name)) };
  };

  return { dir, runThrough, stopWithSavepoint, resume, dispose: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** A committed jsonl line as an object: `op` is its change kind. */
export function parseRow(line: string): Record<string, unknown> & { readonly op: string } {
  return JSON.parse(line) as Record<string, unknown> & { readonly op: string };
}

/**
 * The final `bids` per auction of a changelog of growing counts: the largest inserted value per key, whatever
 * order the sink's part files put the changes in.
 */
export function finalCounts(lines: readonly string[]): Map<number, number> {
  const counts = new Map<number, number>();
  for (const row of lines.map(parseRow)) {
    if (row.op !== '+I' && row.op !== '+U') continue;
    const auction = row['auction'] as number;
    counts.set(auction, Math.max(counts.get(auction) ?? 0, row['bids'] as number));
  }
  return counts;
}

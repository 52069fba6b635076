import { describe, expect, it } from 'vitest';
import { Job } from '../../runtime/execution/job.js';
import { JobInputError } from '../../runtime/job-input-error.js';
import type { SinkCallback } from '../../runtime/operators/callback-sink.js';
import { compilePipe } from '../operators/run-pipe.js';

const PROGRAM = `
  CREATE SOURCE s (n INT) WITH ('connector' = 'datagen') UID 's';
  CREATE SINK out WITH ('connector' = 'blackhole') UID 'out';
  INSERT INTO out FROM s;`;

const rows = (count: number) => Array.from({ length: count }, (_, i) => [i]);
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A callback taking `ms` per call, recording how many of its calls (and their rows) were unsettled at once and the rows' order. */
function slowCallback(ms: number) {
  let pending = 0;
  let pendingRows = 0;
  const seen = { maxPending: 0, maxPendingRows: 0, calls: 0, rows: [] as number[] };
  const callback: SinkCallback = async (batch) => {
    seen.calls++;
    seen.maxPending = Math.max(seen.maxPending, ++pending);
    seen.maxPendingRows = Math.max(seen.maxPendingRows, (pendingRows += batch.length));
    await sleep(ms);
    for (const row of batch) seen.rows.push(row[0] as number);
    pending--;
    pendingRows -= batch.length;
  };
  return { callback, seen };
}

describe('a sink callback that returns promises', () => {
  it('has calls overlap by default, up to a flush every 8,192 rows', async () => {
    const { callback, seen } = slowCallback(2);
    const job = await Job.start(compilePipe(PROGRAM), { sources: { s: rows(20_000) }, sinks: { out: callback }, batchSize: 64 });
    await job.done;
    expect(seen.rows).toHaveLength(20_000);
    // The sink waits for its calls once 8,192 rows are unflushed: the batch that reaches it may end past it (by at
    // most 63 rows, in batches of up to 64). Counted in rows, not calls: a batch bounded by time holds fewer rows.
    expect(seen.maxPending).toBeGreaterThan(1);
    expect(seen.maxPendingRows).toBeGreaterThan(64);
    expect(seen.maxPendingRows).toBeLessThanOrEqual(8192 + 63);
  });

  it('with maxInFlight: 1, is called one batch at a time, in order', async () => {
    const { callback, seen } = slowCallback(1);
    const job = await Job.start(compilePipe(PROGRAM), { sources: { s: rows(2_000) }, sinks: { out: { callback, maxInFlight: 1 } }, batchSize: 64 });
    await job.done;
    expect(seen.maxPending).toBe(1);
    expect(seen.rows).toEqual(rows(2_000).map(([n]) => n));
  });

  it('with maxInFlight: 3, has at most three calls pending', async () => {
    const { callback, seen } = slowCallback(1);
    const job = await Job.start(compilePipe(PROGRAM), { sources: { s: rows(2_000) }, sinks: { out: { callback, maxInFlight: 3 } }, batchSize: 64 });
    await job.done;
    expect(seen.maxPending).toBe(3);
    expect(seen.rows).toHaveLength(2_000);
  });

  it('refuses a maxInFlight that is not a whole number of at least 1 (SLC9235)', async () => {
    const start = Job.start(compilePipe(PROGRAM), { sources: { s: [] }, sinks: { out: { callback: () => undefined, maxInFlight: 0 } } });
    await expect(start).rejects.toThrow(JobInputError);
    await expect(start).rejects.toMatchObject({ code: 'SLC9235' });
  });

  it('shows as back-pressure in metrics() while it holds the job back', async () => {
    const { callback } = slowCallback(20);
    async function* endless(): AsyncGenerator<number[]> {
      for (let i = 0; ; i++) yield [i];
    }
    const job = await Job.start(compilePipe(PROGRAM), { sources: { s: endless() }, sinks: { out: { callback, maxInFlight: 1 } }, batchSize: 16 });
    job.metrics(); // starts the sampling window
    await sleep(600);
    const { tasks } = job.metrics();
    await job.cancel();
    // One task (source and sink chained): nearly all of its time is spent waiting for the callback.
    expect(tasks).toHaveLength(1);
    expect(tasks[0]!.backpressureRatio).toBeGreaterThan(0.5);
  });
});

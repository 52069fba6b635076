import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Job } from '../../runtime/execution/job.js';
import { jobFunctions } from '../../runtime/execution/job-functions.js';
import { compilePipe } from '../operators/run-pipe.js';

const ROWS = 4096;
let rowsThroughUdf = 0;
/** Busy for 0.2 ms per row: 4096 rows are four default batches of about 200 ms each. */
const slow = {
  name: 'slow',
  args: [{ name: 'BIGINT' }],
  returns: { name: 'BIGINT' },
  fn: (value: number) => {
    rowsThroughUdf++;
    const until = performance.now() + 0.2;
    while (performance.now() < until);
    return value;
  },
} as const;
const functions = { scalars: [slow] };

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

describe('barriers behind a slow operator', () => {
  it('complete checkpoints while the source still has input: its batches shrink to the time budget', async () => {
    const checkpoints = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-timely-'));
    dirs.push(checkpoints);
    const graph = compilePipe(
      `CREATE SOURCE numbers (n BIGINT NOT NULL) WITH ('connector' = 'datagen') UID 'numbers';
       CREATE SINK out WITH ('connector' = 'blackhole') UID 'out';
       INSERT INTO out FROM numbers |> SELECT slow(n) AS n;`,
      { functions, settings: { 'execution.checkpointing.interval': '20ms', 'state.checkpoints.dir': checkpoints } },
    );
    rowsThroughUdf = 0;
    // How far the input was when each periodic checkpoint completed.
    const progressAtCompletion: number[] = [];
    const job = await Job.start(graph, {
      ...jobFunctions(functions),
      sources: { numbers: Array.from({ length: ROWS }, (_, i) => [i]) },
      sinks: { out: () => undefined },
    });
    job.on('checkpoint-completed', (stats) => {
      if (!stats.final) progressAtCompletion.push(rowsThroughUdf);
    });
    await job.done;
    expect(rowsThroughUdf).toBe(ROWS);
    // With whole batches of 1024 rows the event loop turns once per batch, and a checkpoint's completion (its
    // files written, renamed) needs several turns: at most one could complete before the input ended.
    const midInput = progressAtCompletion.filter((rows) => rows < ROWS);
    expect(midInput.length).toBeGreaterThanOrEqual(2);
  });

  it('after a shuffle, the slow task processes its input batches in slices and checkpoints complete mid-input', async () => {
    const checkpoints = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-timely-'));
    dirs.push(checkpoints);
    // DEDUPLICATE is keyed: the source's 1,024-row batches reach the UDF's task whole, through a network channel.
    const graph = compilePipe(
      `CREATE SOURCE numbers (n BIGINT NOT NULL) WITH ('connector' = 'datagen') UID 'numbers';
       CREATE SINK out WITH ('connector' = 'blackhole') UID 'out';
       INSERT INTO out FROM numbers |> DEDUPLICATE BY n KEEP FIRST UID 'by-n' |> SELECT slow(n) AS n;`,
      { functions, settings: { 'execution.checkpointing.interval': '20ms', 'state.checkpoints.dir': checkpoints } },
    );
    rowsThroughUdf = 0;
    const progressAtCompletion: number[] = [];
    const sinkCalls: number[] = [];
    const received: number[] = [];
    const job = await Job.start(graph, {
      ...jobFunctions(functions),
      sources: { numbers: Array.from({ length: ROWS }, (_, i) => [i]) },
      sinks: {
        out: (batch) => {
          sinkCalls.push(batch.length);
          for (const row of batch) received.push(row[0] as number);
        },
      },
      // One batch in flight per channel: a barrier waits behind at most that much input.
      channelCapacity: 1,
    });
    job.on('checkpoint-completed', (stats) => {
      if (!stats.final) progressAtCompletion.push(rowsThroughUdf);
    });
    await job.done;
    expect(rowsThroughUdf).toBe(ROWS);
    // The UDF's task took the four batches in slices of about 5 ms of work (25 rows at 0.2 ms each), each slice
    // going down the chain to the sink: many more calls than batches, none of a whole batch, rows in order.
    expect(received).toEqual(Array.from({ length: ROWS }, (_, i) => i));
    expect(sinkCalls.length).toBeGreaterThan(4 * 8);
    expect(Math.max(...sinkCalls)).toBeLessThan(1024);
    // The event loop turned between slices, so a checkpoint could complete while input remained. (How soon a
    // barrier gets through still depends on the input queued ahead of it in the channel: one batch here.)
    expect(progressAtCompletion.filter((rows) => rows < ROWS).length).toBeGreaterThanOrEqual(1);
  });
});

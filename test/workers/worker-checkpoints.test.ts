import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Job } from '../../runtime/execution/job.js';
import type { RestartEvent } from '../../runtime/execution/job-events.js';
import { committedJsonRows } from '../checkpoint/committed-output.js';
import { tempDir } from '../checkpoint/state-fixtures.js';
import { compilePipe } from '../operators/run-pipe.js';
import { SlotWorker } from '../../runtime/workers/slot-worker.js';
import type { FromWorker } from '../../runtime/workers/worker-protocol.js';
import { THREAD_FUNCTIONS, threadFunctions, useWorkers } from './worker-run.js';

useWorkers();
afterEach(() => vi.restoreAllMocks());

/**
 * Six seconds of paced input; the failure comes at the first row after the checkpoints the test needs completed
 * (the first one waits for the workers to start, seconds on a loaded machine).
 */
const SOURCE = `CREATE SOURCE bid (auction BIGINT, bidder BIGINT, price BIGINT, date_time TIMESTAMP(3),
  WATERMARK FOR date_time AS date_time - INTERVAL '4' SECOND)
  WITH ('connector' = 'nexmark', 'table' = 'bid', 'events' = '60000', 'rows-per-second' = '10000') UID 'bids';
CREATE SINK out WITH ('connector' = 'file', 'path' = '<out>', 'format' = 'jsonl', 'sink.semantic' = 'exactly-once') UID 'out';
INSERT INTO out FROM bid |> SELECT fail_once_armed(auction) AS auction, price, date_time
  |> WINDOW TUMBLE(date_time, INTERVAL '1' SECOND)
  |> AGGREGATE COUNT(*) AS n, MAX(price) AS top GROUP BY window_start, window_end, auction UID 'counts';`;

async function run(settings: Record<string, string>, failOnce: boolean) {
  const scalars = await threadFunctions();
  const dir = tempDir();
  const out = path.join(dir, 'out');
  // A file sink, not a callback (whose chain, the windows' with it, would stay on the main thread): the windows'
  // keyed state is in the workers.
  const graph = compilePipe(SOURCE.replace('<out>', out), { functions: { scalars }, settings: { ...settings, 'state.checkpoints.dir': path.join(dir, 'checkpoints') } });
  // Workers copy the environment when they start.
  const arm = path.join(dir, 'armed');
  if (failOnce) Object.assign(process.env, { SLUICE_TEST_FAIL_MARKER: path.join(dir, 'failed'), SLUICE_TEST_ARM_FILE: arm });
  // What the workers send the main thread.
  const received = vi.spyOn(SlotWorker.prototype as unknown as { receive(message: FromWorker): void }, 'receive');
  const job = await Job.start(graph, {
    udfs: new Map(scalars.map((f) => [f.name, f])),
    functionModules: [THREAD_FUNCTIONS],
  });
  const restarts: RestartEvent[] = [];
  let completed = 0;
  /** Completed checkpoints that list a delta of keyed state (read at once: retention deletes them later). */
  let incremental = 0;
  job.on('restart', (event) => restarts.push(event));
  job.on('checkpoint-completed', (stats) => {
    completed++;
    const memory = stats.location === undefined || stats.location.startsWith('memory:');
    if (!memory && fs.readFileSync(path.join(stats.location!, '_metadata'), 'utf8').includes('"delta": true')) incremental++;
    // The failure comes after a checkpoint (on fs and disk, one with a delta) to restart from.
    if (memory || incremental > 0) fs.writeFileSync(arm, '');
  });
  await job.done;
  delete process.env['SLUICE_TEST_FAIL_MARKER'];
  delete process.env['SLUICE_TEST_ARM_FILE'];
  const rows = new Set(committedJsonRows(out).map((row) => JSON.stringify(row)));
  const messages = new Set(received.mock.calls.map(([message]) => message.type));
  return { rows, restarts, completed, incremental, messages };
}

describe('checkpoints of tasks in worker threads', () => {
  it.each(['memory', 'fs', 'disk'])('restarts from a checkpoint the workers wrote (%s) and ends with the rows of an undisturbed run', async (backend) => {
    const undisturbed = await run({ 'parallelism.default': '1' }, false);
    const failing = await run(
      {
        'parallelism.default': '2',
        'execution.checkpointing.interval': '50ms',
        'state.backend.type': backend,
        'restart-strategy.type': 'fixed-delay',
        'restart-strategy.fixed-delay.delay': '0ms',
      },
      true,
    );
    expect(failing.completed).toBeGreaterThan(0);
    // fs and disk checkpoint incrementally from workers too: a base, then deltas (written in the workers, recorded in the main thread's chains).
    if (backend !== 'memory') expect(failing.incremental).toBeGreaterThan(0);
    // fs and disk: the workers write every state file themselves; the main thread gets the chains' file handles.
    if (backend !== 'memory') expect([failing.messages.has('record-chain'), failing.messages.has('write-state')]).toEqual([true, false]);
    else expect(failing.messages.has('write-state')).toBe(true);
    expect(failing.restarts).toHaveLength(1);
    expect(failing.restarts[0]!.reason).toMatch(/^operator '.*' \(.*\) subtask [12]\/2 failed at test\.pipe:\d+:\d+: fail_once_armed: armed/);
    expect(failing.restarts[0]!.checkpointId).toEqual(expect.any(Number));
    expect(failing.rows).toEqual(undisturbed.rows);
    // Two paced runs of six seconds each, workers starting twice: on a loaded machine, more than the usual 60 s.
  }, 120_000);
});

import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Job } from '../../runtime/execution/job.js';
import type { RestartEvent } from '../../runtime/execution/job-events.js';
import { DiagnosticError } from '../../runtime/diagnostic-error.js';
import { tempDir } from '../checkpoint/state-fixtures.js';
import { compilePipe } from '../operators/run-pipe.js';
import { THREAD_FUNCTIONS, threadFunctions, useWorkers } from './worker-run.js';

useWorkers();

/** A function in a worker never returns on auction 1500 (once per job): its thread stops answering. */
const PIPE = `CREATE SOURCE bid (auction BIGINT, bidder BIGINT, price BIGINT, date_time TIMESTAMP(3),
  WATERMARK FOR date_time AS date_time - INTERVAL '4' SECOND)
  WITH ('connector' = 'nexmark', 'table' = 'bid', 'events' = '40000', 'rows-per-second' = '20000') UID 'bids';
CREATE SINK out WITH ('connector' = 'blackhole') UID 'out';
INSERT INTO out FROM bid |> SELECT spin_once_at(auction, 1500) AS auction, price, date_time
  |> WINDOW TUMBLE(date_time, INTERVAL '1' SECOND)
  |> AGGREGATE COUNT(*) AS n, MAX(price) AS top GROUP BY window_start, window_end, auction UID 'counts';`;

const TASKS = /bid\w*\[[01]\]/;

async function run(settings: Record<string, string>, spin: boolean) {
  const scalars = await threadFunctions();
  const dir = tempDir();
  const graph = compilePipe(PIPE, { functions: { scalars }, settings: { 'heartbeat.timeout': '2s', ...settings, 'state.checkpoints.dir': path.join(dir, 'checkpoints') } });
  // Workers copy the environment when they start.
  if (spin) process.env['SLUICE_TEST_SPIN_MARKER'] = path.join(dir, 'spun');
  const rows = new Set<string>();
  const restarts: RestartEvent[] = [];
  try {
    const job = await Job.start(graph, {
      udfs: new Map(scalars.map((f) => [f.name, f])),
      functionModules: [THREAD_FUNCTIONS],
      sinks: { out: (batch) => void batch.forEach((r) => rows.add(JSON.stringify(r))) },
    });
    job.on('restart', (event) => restarts.push(event));
    await job.done;
    return { rows, restarts };
  } finally {
    delete process.env['SLUICE_TEST_SPIN_MARKER'];
  }
}

describe('a worker thread that stops answering', () => {
  it('fails the job with SLC9263 naming the slot and the subtasks it ran, once heartbeat.timeout has passed', async () => {
    const failure = await run({ 'parallelism.default': '2' }, true).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(DiagnosticError);
    expect((failure as DiagnosticError).code).toBe('SLC9263');
    expect((failure as DiagnosticError).message).toMatch(/^the worker thread of slot [01] stopped answering \(no sign of life for \d+ ms, heartbeat\.timeout 2000 ms\) while running /);
    expect((failure as DiagnosticError).message).toMatch(TASKS);
  });

  it('is a task failure the restart strategy handles: the job restarts from its checkpoint and ends with the rows of an undisturbed run', async () => {
    const undisturbed = await run({ 'parallelism.default': '1' }, false);
    const hung = await run(
      {
        'parallelism.default': '2',
        'execution.checkpointing.interval': '50ms',
        'state.backend.type': 'fs',
        'restart-strategy.type': 'fixed-delay',
        'restart-strategy.fixed-delay.delay': '0ms',
      },
      true,
    );
    expect(hung.restarts).toHaveLength(1);
    expect(hung.restarts[0]!.reason).toMatch(/^the worker thread of slot [01] stopped answering /);
    expect(hung.rows).toEqual(undisturbed.rows);
  });
});

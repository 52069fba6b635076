import { describe, expect, it } from 'vitest';
import { Job } from '../../runtime/execution/job.js';
import type { JobResult } from '../../runtime/execution/job-options.js';
import { OperatorFailure } from '../../runtime/execution/operator-failure.js';
import { DiagnosticError } from '../../runtime/diagnostic-error.js';
import { compilePipe } from '../operators/run-pipe.js';
import { THREAD_FUNCTIONS, threadFunctions, useWorkers } from './worker-run.js';

useWorkers();

const SOURCE = `CREATE SOURCE bid (auction BIGINT, bidder BIGINT, price BIGINT, date_time TIMESTAMP(3),
  WATERMARK FOR date_time AS date_time - INTERVAL '4' SECOND)
  WITH ('connector' = 'nexmark', 'table' = 'bid', 'events' = '20000') UID 'bids';
CREATE SINK out WITH ('connector' = 'blackhole') UID 'out';`;

/** Runs `body` at `parallelism` with the sink read by callback (on the main thread); its rows, sorted. */
async function run(body: string, parallelism: number, options: { readonly modules?: boolean } = {}): Promise<{ rows: unknown[][]; result: JobResult }> {
  const scalars = await threadFunctions();
  const graph = compilePipe(`${SOURCE}\n${body}`, { functions: { scalars } }, parallelism);
  const rows: unknown[][] = [];
  const job = await Job.start(graph, {
    udfs: new Map(scalars.map((f) => [f.name, f])),
    ...(options.modules === false ? {} : { functionModules: [THREAD_FUNCTIONS] }),
    sinks: { out: (batch) => void rows.push(...batch.map((r) => [...r])) },
  });
  const result = await job.done;
  return { rows: rows.sort((a, b) => String(a).localeCompare(String(b))), result };
}

const COUNTS = `INSERT INTO out FROM bid |> WHERE price > 1000 |> WINDOW TUMBLE(date_time, INTERVAL '1' SECOND)
  |> AGGREGATE COUNT(*) AS n, MAX(price) AS top GROUP BY window_start, window_end, auction UID 'counts';`;

describe('subtasks in worker threads', () => {
  it('gives the same result at parallelism 2 and 3 as in-process at parallelism 1, with metrics from every thread', async () => {
    const one = await run(COUNTS, 1);
    expect(one.rows.length).toBeGreaterThan(100);
    for (const parallelism of [2, 3]) {
      const many = await run(COUNTS, parallelism);
      expect(many.rows).toEqual(one.rows);
      const source = many.result.metrics.operators.find((op) => op.kind === 'source')!;
      expect(source.recordsOut).toBe(one.result.metrics.operators.find((op) => op.kind === 'source')!.recordsOut);
      expect(source.subtasks.map((s) => s.subtask).sort()).toEqual(Array.from({ length: parallelism }, (_, i) => i));
      expect(many.result.metrics.tasks.length).toBeGreaterThanOrEqual(2 * parallelism);
    }
  });

  it('runs the steps of a functions module in the workers, and steps calling closures on the main thread', async () => {
    // The sink, read by callback, runs on the main thread; the source chain (up to the exchange) in the workers.
    const body = "INSERT INTO out FROM bid |> SELECT auction, thread_of(auction) AS thread |> AGGREGATE COUNT(*) AS n GROUP BY thread UID 'per-thread';";
    const inWorkers = await run(body, 2);
    const threads = new Set(inWorkers.rows.map((r) => r[0]));
    expect(threads.size).toBe(2);
    expect(threads.has(0)).toBe(false);
    const onMain = await run(body, 2, { modules: false });
    expect(new Set(onMain.rows.map((r) => r[0]))).toEqual(new Set([0]));
  });

  it('reports an exception in a worker as the operator failure, with its subtask and row', async () => {
    const failure = await run("INSERT INTO out FROM bid |> SELECT fail_at(auction, 1003) AS a |> AGGREGATE COUNT(*) AS n GROUP BY a UID 'counts';", 2).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(OperatorFailure);
    expect((failure as OperatorFailure).message).toMatch(/^operator '.*' \(.*\) subtask [12]\/2 failed at test\.pipe:\d+:\d+: fail_at met 1003\n {2}row: /);
  });

  it('fails the job with SLC9260 when user code in a worker calls process.exit', async () => {
    const failure = await run("INSERT INTO out FROM bid |> SELECT exit_at(auction, 1003) AS a |> AGGREGATE COUNT(*) AS n GROUP BY a UID 'counts';", 2).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(DiagnosticError);
    expect((failure as DiagnosticError).code).toBe('SLC9260');
    expect((failure as DiagnosticError).message).toMatch(/^the worker thread of slot [01] exited \(code 7\) while running /);
  });
});

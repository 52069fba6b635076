/**
 * Checkpoints behind slow rows (issue 13): a fed source into a scalar UDF that busy-waits 0.4 ms per row, into a
 * counting sink, with a checkpoint every 200 ms, in two shapes: the UDF chained with the source (whose batches
 * shrink to the time budget) and the UDF after a shuffle (a DEDUPLICATE keyed by the row, so the UDF's task reads
 * whole batches from a network channel and slices them by time). Prints, per shape, the checkpoints' end-to-end
 * duration and their asynchronous part (mean and max) from the job's checkpoint stats: a barrier that waits
 * behind a large batch shows as a long duration, snapshot I/O starved by a busy event loop as a long async part.
 *
 *   npx tsx bench/timely-barriers.ts [rows]     (default 10,000 rows: about 4 s of UDF work per shape)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { compile } from '../compiler/compile.js';
import type { CheckpointStats } from '../runtime/checkpoint/checkpoint-stats.js';
import { Job } from '../runtime/execution/job.js';
import { jobFunctions } from '../runtime/execution/job-functions.js';

const rows = Number(process.argv[2] ?? 10_000);
const ROW_COST_MS = 0.4;

const slow = {
  name: 'slow',
  args: [{ name: 'BIGINT' }],
  returns: { name: 'BIGINT' },
  fn: (value: number) => {
    const until = performance.now() + ROW_COST_MS;
    while (performance.now() < until);
    return value;
  },
} as const;
const functions = { scalars: [slow] };

const SHAPES = {
  'chained with the source': 'FROM numbers |> SELECT slow(n) AS n',
  'after a shuffle': "FROM numbers |> DEDUPLICATE BY n KEEP FIRST UID 'by-n' |> SELECT slow(n) AS n",
};

async function run(shape: string, pipeline: string): Promise<void> {
  const checkpoints = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-bench-timely-'));
  try {
    const program = `
SET 'execution.checkpointing.interval' = '200ms';
SET 'state.checkpoints.dir' = '${checkpoints}';
CREATE SOURCE numbers (n BIGINT NOT NULL) WITH ('connector' = 'datagen') UID 'numbers';
CREATE SINK out WITH ('connector' = 'blackhole') UID 'out';
INSERT INTO out ${pipeline};
`;
    const { value: graph, diagnostics } = compile(program, { file: 'timely-barriers.pipe', functions });
    if (graph === undefined) throw new Error(diagnostics.map((d) => d.message).join('\n'));
    const completed: CheckpointStats[] = [];
    let received = 0;
    const wall = performance.now();
    const job = await Job.start(graph, {
      ...jobFunctions(functions),
      sources: { numbers: Array.from({ length: rows }, (_, i) => [i]) },
      sinks: {
        out: (batch) => {
          received += batch.length;
        },
      },
    });
    job.on('checkpoint-completed', (stats) => completed.push(stats));
    await job.done;
    if (received !== rows) throw new Error(`the sink received ${received} rows, not ${rows}`);
    const periodic = completed.filter((c) => !c.final);
    const mean = (values: readonly number[]) => (values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length);
    const max = (values: readonly number[]) => values.reduce((a, b) => Math.max(a, b), 0);
    const ms = (value: number) => `${Math.round(value)} ms`;
    const durations = periodic.map((c) => c.durationMs);
    const asyncParts = periodic.map((c) => c.asyncMs);
    console.log(
      `${shape}: ${rows.toLocaleString('en-US')} rows at ${ROW_COST_MS} ms each in ${((performance.now() - wall) / 1000).toFixed(1)} s wall: ` +
        `${periodic.length} periodic checkpoints (+ final); duration mean ${ms(mean(durations))}, max ${ms(max(durations))}; ` +
        `async mean ${ms(mean(asyncParts))}, max ${ms(max(asyncParts))}`,
    );
  } finally {
    fs.rmSync(checkpoints, { recursive: true, force: true });
  }
}

for (const [shape, pipeline] of Object.entries(SHAPES)) await run(shape, pipeline);

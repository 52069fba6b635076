/**
 * Checkpoints under back-pressure, aligned versus unaligned (issue 13): a fed source at parallelism 2, a keyed
 * shuffle (DEDUPLICATE BY n), and a sink whose callback busy-waits per row, so the channels between the source and
 * the sink's chain stay full; a checkpoint every 200 ms. Runs the job once with aligned checkpoints and once with
 * unaligned ones, and prints the periodic checkpoints' count, end-to-end duration (median, max) and the bytes of
 * records in flight they wrote (median, max).
 *
 *   npx tsx bench/unaligned-checkpoints.ts [rows] [sink ms per row]     (default 20,000 rows at 0.1 ms: about 2 s of sink work)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { compile } from '../compiler/compile.js';
import type { CheckpointStats } from '../runtime/checkpoint/checkpoint-stats.js';
import { Job } from '../runtime/execution/job.js';

const rows = Number(process.argv[2] ?? 20_000);
const SINK_MS_PER_ROW = Number(process.argv[3] ?? 0.1);
/** Small batches keep each step short (the event loop turns often, so snapshot I/O is not starved); deep channels
 * hold about 0.4 s of the sink's work each, which an aligned barrier waits behind. */
const BATCH_SIZE = 64;
const CHANNEL_CAPACITY = 64;

async function measure(unaligned: boolean): Promise<string> {
  const checkpoints = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-bench-unaligned-'));
  const program = `
SET 'execution.checkpointing.interval' = '200ms';
SET 'execution.checkpointing.unaligned.enabled' = '${unaligned}';
SET 'state.checkpoints.dir' = '${checkpoints}';
SET 'parallelism.default' = '2';
CREATE SOURCE numbers (n BIGINT NOT NULL) WITH ('connector' = 'datagen') UID 'numbers';
CREATE SINK out WITH ('connector' = 'blackhole') UID 'out';
INSERT INTO out FROM numbers |> DEDUPLICATE BY n UID 'first-n' |> SELECT n;
`;
  try {
    const { value: graph, diagnostics } = compile(program, { file: 'unaligned-checkpoints.pipe' });
    if (graph === undefined) throw new Error(diagnostics.map((d) => d.message).join('\n'));
    const completed: CheckpointStats[] = [];
    let received = 0;
    const wall = performance.now();
    const job = await Job.start(graph, {
      batchSize: BATCH_SIZE,
      channelCapacity: CHANNEL_CAPACITY,
      sources: { numbers: Array.from({ length: rows }, (_, i) => [i]) },
      sinks: {
        out: {
          // A slow external system, one call at a time: busy for SINK_MS_PER_ROW per row.
          callback: (batch) => {
            const until = performance.now() + batch.length * SINK_MS_PER_ROW;
            while (performance.now() < until);
            received += batch.length;
          },
          maxInFlight: 1,
        },
      },
    });
    job.on('checkpoint-completed', (stats) => completed.push(stats));
    await job.done;
    if (received !== rows) throw new Error(`the sink received ${received} rows, not ${rows}`);
    const periodic = completed.filter((c) => !c.final);
    const durations = periodic.map((c) => c.durationMs);
    const inFlight = periodic.map((c) => c.inFlightBytes);
    const unalignedCount = periodic.filter((c) => c.unaligned).length;
    return (
      `${unaligned ? 'unaligned' : 'aligned  '}: ${((performance.now() - wall) / 1000).toFixed(1)} s wall, ${periodic.length} periodic checkpoints ` +
      `(${unalignedCount} unaligned); duration median ${ms(median(durations))}, max ${ms(max(durations))}; ` +
      `in flight median ${kb(median(inFlight))}, max ${kb(max(inFlight))}`
    );
  } finally {
    fs.rmSync(checkpoints, { recursive: true, force: true });
  }
}

function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
const max = (values: readonly number[]) => values.reduce((a, b) => Math.max(a, b), 0);
const ms = (value: number) => `${Math.round(value)} ms`;
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

console.log(`${rows.toLocaleString('en-US')} rows, sink ${SINK_MS_PER_ROW} ms per row, checkpoint every 200 ms, parallelism 2:`);
for (const unaligned of [false, true]) console.log(`  ${await measure(unaligned)}`);

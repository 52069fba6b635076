/**
 * How checkpoints scale with the number of keys: a continuous GROUP BY (COUNT and SUM per key) over N keys, fed
 * 3 × N generated rows as fast as it can, on `fs` and on `disk`, without checkpoints and with one every second;
 * each run in a fresh child process. Prints events/s (wall, and per CPU-second of the process: on a shared machine
 * the figure to compare), the checkpoints' duration (mean, max) and its parts (alignment, sync, async write), bytes
 * written per checkpoint (incremental) against the state each lists (what a full checkpoint would write), and peak
 * RSS.
 *
 *   npx tsx bench/key-scaling.ts [--keys 10000,100000] [--backends fs,disk] [--checkpoints none,1s] [--seconds N] [--json]
 *     [--disk-cache-size '64 mb'] [--disk-cache-cells N]   (the `disk` cache: its size, or a count of cells instead)
 *     [--rows-per-second N]   (paces the source: runs of different speed then checkpoint the same work per second)
 *
 * `--seconds N` cancels a run after N seconds of wall time and reports what it did by then (events read, the
 * checkpoints completed): on a loaded machine the 3 M-key runs take longer than anyone waits. Each completed
 * checkpoint is also printed to stderr as it completes.
 *
 * The default sizes take seconds; SLUICE_BENCH_KEYS=1000000,3000000 (or --keys) adds the big ones, which take minutes.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { compile } from '../compiler/compile.js';
import type { CheckpointStats } from '../runtime/checkpoint/checkpoint-stats.js';
import { Job } from '../runtime/execution/job.js';

interface Spec {
  readonly keys: number;
  readonly backend: 'fs' | 'disk';
  readonly checkpoints: boolean;
  /** Cancel the job after this many seconds. */
  readonly seconds: number | undefined;
  /** `state.backend.disk.cache-size` (e.g. '22 mb'), when not the default. */
  readonly diskCacheSize?: string | undefined;
  /** `state.backend.disk.cache-cells`, when set. */
  readonly diskCacheCells?: number | undefined;
  /** The source's pace (`rows-per-second`), when set: runs of different speed then checkpoint the same work per second. */
  readonly rowsPerSecond?: number | undefined;
}

interface Result extends Spec {
  /** Events read: all of them, unless cancelled after `seconds`. */
  readonly events: number;
  readonly finished: boolean;
  readonly wallSeconds: number;
  /** CPU time of the process (user + system, all threads). */
  readonly cpuSeconds: number;
  readonly maxRssBytes: number;
  readonly completed: readonly Pick<CheckpointStats, 'durationMs' | 'bytes' | 'stateBytes' | 'alignmentMs' | 'syncMs' | 'asyncMs' | 'final'>[];
}

const ROWS_PER_KEY = 3;

function pipe(spec: Spec, checkpointsDir: string): string {
  return `
SET 'pipeline.name' = 'key-scaling';
SET 'state.backend' = '${spec.backend}';
SET 'state.checkpoints.dir' = '${checkpointsDir}';
${spec.checkpoints ? "SET 'execution.checkpointing.interval' = '1 s';" : ''}
${spec.diskCacheSize === undefined ? '' : `SET 'state.backend.disk.cache-size' = '${spec.diskCacheSize}';`}
${spec.diskCacheCells === undefined ? '' : `SET 'state.backend.disk.cache-cells' = '${spec.diskCacheCells}';`}
CREATE SOURCE events (k BIGINT, v BIGINT) WITH ('connector' = 'datagen', 'number-of-rows' = '${spec.keys * ROWS_PER_KEY}',
  'fields.k.min' = '1', 'fields.k.max' = '${spec.keys}', 'fields.v.min' = '1', 'fields.v.max' = '1000'${spec.rowsPerSecond === undefined ? '' : `, 'rows-per-second' = '${spec.rowsPerSecond}'`}) UID 'events';
CREATE SINK out WITH ('connector' = 'blackhole') UID 'out';
INSERT INTO out FROM events |> AGGREGATE COUNT(*) AS n, SUM(v) AS total GROUP BY k UID 'per-key';
`;
}

async function measure(spec: Spec): Promise<Result> {
  const checkpointsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-bench-keys-'));
  try {
    const { value: graph, diagnostics } = compile(pipe(spec, checkpointsDir), { file: 'key-scaling.pipe' });
    if (graph === undefined) throw new Error(diagnostics.map((d) => `${d.code} ${d.message}`).join('\n'));
    const completed: Result['completed'][number][] = [];
    const started = performance.now();
    const cpuBefore = process.cpuUsage();
    const job = await Job.start(graph, {});
    const cancel = spec.seconds === undefined ? undefined : setTimeout(() => void job.cancel(), spec.seconds * 1000);
    job.on('checkpoint-completed', (stats) => {
      process.stderr.write(
        `  checkpoint ${stats.checkpointId} at ${Math.round((performance.now() - started) / 1000)} s: ${Math.round(stats.durationMs)} ms (alignment ${Math.round(stats.alignmentMs)}, ` +
          `sync ${Math.round(stats.syncMs)}, async ${Math.round(stats.asyncMs)}), written ${mib(stats.bytes)} of ${mib(stats.stateBytes)}\n`,
      );
      completed.push({
        durationMs: stats.durationMs,
        bytes: stats.bytes,
        stateBytes: stats.stateBytes,
        alignmentMs: stats.alignmentMs,
        syncMs: stats.syncMs,
        asyncMs: stats.asyncMs,
        final: stats.final,
      });
    });
    const result = await job.done;
    clearTimeout(cancel);
    const wallSeconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    const events = result.metrics.operators.filter((op) => op.kind === 'source').reduce((sum, op) => sum + op.recordsOut, 0);
    return {
      ...spec,
      events,
      finished: result.status === 'finished',
      wallSeconds,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      maxRssBytes: process.resourceUsage().maxRSS * 1024,
      completed,
    };
  } finally {
    fs.rmSync(checkpointsDir, { recursive: true, force: true });
  }
}

const THIS_FILE = fileURLToPath(import.meta.url);

function measureInChild(spec: Spec): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = execFile(process.execPath, [...process.execArgv, THIS_FILE, '--child', JSON.stringify(spec)], { maxBuffer: 64 * 1024 * 1024 }, (error, stdout) => {
      if (error !== null) reject(error);
      else resolve(JSON.parse(stdout) as Result);
    });
    child.stderr?.pipe(process.stderr);
  });
}

const mean = (values: readonly number[]) => (values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length);
const max = (values: readonly number[]) => values.reduce((a, b) => Math.max(a, b), 0);
const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

function describe(result: Result): string {
  const periodic = result.completed.filter((c) => !c.final);
  const checkpoints =
    result.completed.length === 0
      ? ''
      : `  ${periodic.length} periodic + final; duration mean ${Math.round(mean(result.completed.map((c) => c.durationMs)))} ms, max ${Math.round(max(result.completed.map((c) => c.durationMs)))} ms; ` +
        `alignment mean ${Math.round(mean(result.completed.map((c) => c.alignmentMs)))} ms, max ${Math.round(max(result.completed.map((c) => c.alignmentMs)))} ms; ` +
        `sync max ${Math.round(max(result.completed.map((c) => c.syncMs)))} ms; ` +
        `async (write) mean ${Math.round(mean(result.completed.map((c) => c.asyncMs)))} ms, max ${Math.round(max(result.completed.map((c) => c.asyncMs)))} ms; written mean ${mib(mean(result.completed.map((c) => c.bytes)))} of state ${mib(mean(result.completed.map((c) => c.stateBytes)))}`;
  return [
    `${result.keys.toLocaleString('en-US').padStart(9)} keys`,
    result.backend.padEnd(4),
    (result.checkpoints ? 'checkpoints 1 s' : 'none').padEnd(15),
    ...(result.finished ? [] : [`cancelled after ${Math.round(result.wallSeconds)} s, ${result.events.toLocaleString('en-US')} of ${(result.keys * ROWS_PER_KEY).toLocaleString('en-US')} events read`]),
    `${Math.round(result.events / result.wallSeconds / 1000).toLocaleString('en-US').padStart(5)} K ev/s`,
    `${Math.round(result.events / result.cpuSeconds / 1000).toLocaleString('en-US').padStart(5)} K ev/CPU-s`,
    `RSS ${mib(result.maxRssBytes).padStart(10)}`,
  ].join('  ') + checkpoints;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      child: { type: 'string' },
      keys: { type: 'string', default: process.env['SLUICE_BENCH_KEYS'] ?? '10000,100000' },
      backends: { type: 'string', default: 'fs,disk' },
      checkpoints: { type: 'string', default: 'none,1s' },
      seconds: { type: 'string' },
      'disk-cache-size': { type: 'string' },
      'disk-cache-cells': { type: 'string' },
      'rows-per-second': { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  if (values.child !== undefined) {
    process.stdout.write(JSON.stringify(await measure(JSON.parse(values.child) as Spec)));
    return;
  }
  const sizes = values.keys.split(',').map(Number);
  const backends = values.backends.split(',') as Spec['backend'][];
  const modes = values.checkpoints.split(',').map((mode) => mode === '1s');
  console.log(`Key-count scaling: continuous GROUP BY, ${ROWS_PER_KEY} rows per key, parallelism 1 (SLUICE_BENCH_KEYS=1000000,3000000 for the big sizes)`);
  for (const keys of sizes) {
    for (const backend of backends) {
      for (const checkpoints of modes) {
        const result = await measureInChild({
          keys,
          backend,
          checkpoints,
          seconds: values.seconds === undefined ? undefined : Number(values.seconds),
          diskCacheSize: values['disk-cache-size'],
          diskCacheCells: values['disk-cache-cells'] === undefined ? undefined : Number(values['disk-cache-cells']),
          rowsPerSecond: values['rows-per-second'] === undefined ? undefined : Number(values['rows-per-second']),
        });
        console.log(describe(result));
        if (values.json) console.log(JSON.stringify({ ...result, completed: result.completed.length }));
      }
    }
  }
}

try {
  await main();
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
}

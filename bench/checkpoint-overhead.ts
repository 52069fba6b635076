/**
 * What checkpoints cost: Nexmark queries run without checkpoints and with one every second (exactly-once), on heap
 * state (`fs`) and on disk state, each run in a fresh child process. Prints throughput per CPU-second and its
 * overhead against the same backend without checkpoints, and the checkpoints' count, duration, alignment time,
 * sync/async time, and bytes: written (incremental: deltas or a new base) against the state each lists (full).
 *
 * The overhead in percent depends on how many checkpoints a run holds, that is on its wall time, which a loaded
 * machine stretches; so it also prints the CPU one checkpoint costs (CPU with minus CPU without, per checkpoint)
 * and the overhead that cost makes at one checkpoint per CPU-second of work, which does not depend on the load
 * (and overstates the overhead of an idle machine, where a wall second of a job holds more than a CPU-second).
 * `--rounds N` alternates N pairs of runs and ends with the medians.
 *
 *   npx tsx bench/checkpoint-overhead.ts [--query q5,q8] [--events N] [--parallelism P] [--backends fs,disk] [--rounds N] [--json]
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { JobGraph } from '../compiler/graph/job-graph.js';
import type { CheckpointStats } from '../runtime/checkpoint/checkpoint-stats.js';
import { compileQuery, isNexmarkQuery, startQuery, type NexmarkQuery } from './nexmark/queries.js';

/** Heap state (checkpoints written by `fs`) and disk state, each without and with checkpoints. */
const BACKENDS = ['fs', 'disk'] as const;

interface Spec {
  readonly query: NexmarkQuery;
  readonly events: number;
  readonly parallelism: number;
  readonly backend: (typeof BACKENDS)[number];
  readonly checkpoints: boolean;
}

interface Result extends Spec {
  readonly cpuSeconds: number;
  readonly wallSeconds: number;
  readonly rowsOut: number;
  readonly completed: readonly CheckpointStats[];
}

/** The query with checkpoints every second into a fresh directory, or without. */
function graphFor(spec: Spec, checkpointsDir: string): JobGraph {
  const graph = compileQuery(spec.query, { events: spec.events, rate: 10_000, parallelism: spec.parallelism });
  const { config } = graph;
  return {
    ...graph,
    config: {
      ...config,
      checkpointing: { ...config.checkpointing, intervalMs: spec.checkpoints ? 1000 : null },
      state: { ...config.state, backend: spec.backend, checkpointsDir },
    },
  };
}

async function measure(spec: Spec): Promise<Result> {
  const checkpointsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-bench-chk-'));
  try {
    const graph = graphFor(spec, checkpointsDir);
    let rowsOut = 0;
    const completed: CheckpointStats[] = [];
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    const job = await startQuery(graph, (rows) => {
      rowsOut += rows.length;
    });
    job.on('checkpoint-completed', (stats) => completed.push(stats));
    await job.done;
    const cpu = process.cpuUsage(cpuBefore);
    return { ...spec, cpuSeconds: (cpu.user + cpu.system) / 1e6, wallSeconds: (performance.now() - started) / 1000, rowsOut, completed };
  } finally {
    fs.rmSync(checkpointsDir, { recursive: true, force: true });
  }
}

const THIS_FILE = fileURLToPath(import.meta.url);

function measureInChild(spec: Spec): Promise<Result> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [...process.execArgv, THIS_FILE, '--child', JSON.stringify(spec)], { maxBuffer: 64 * 1024 * 1024 }, (error, stdout) => {
      if (error !== null) reject(error);
      else resolve(JSON.parse(stdout) as Result);
    });
  });
}

const mean = (values: readonly number[]) => (values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length);
const max = (values: readonly number[]) => values.reduce((a, b) => Math.max(a, b), 0);
const ms = (value: number) => `${value.toFixed(1)} ms`;

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
const percent = (value: number) => `${(value * 100).toFixed(1).padStart(5)} %`;

/** What checkpoints cost in a pair of runs: in percent of throughput, in CPU per checkpoint, and at one per CPU-second. */
interface Overhead {
  readonly overhead: number;
  readonly cpuPerCheckpointSeconds: number;
  readonly overheadPerCpuSecond: number;
}

function overheadOf(result: Result, baseline: Result): Overhead {
  const overhead = 1 - result.events / result.cpuSeconds / (baseline.events / baseline.cpuSeconds);
  const cpuPerCheckpointSeconds = result.completed.length === 0 ? 0 : (result.cpuSeconds - baseline.cpuSeconds) / result.completed.length;
  return { overhead, cpuPerCheckpointSeconds, overheadPerCpuSecond: cpuPerCheckpointSeconds / (1 + cpuPerCheckpointSeconds) };
}

function describeOverhead({ overhead, cpuPerCheckpointSeconds, overheadPerCpuSecond }: Overhead): string {
  return `overhead ${percent(overhead)}  CPU per checkpoint ${ms(cpuPerCheckpointSeconds * 1000)}, at one per CPU-second ${percent(overheadPerCpuSecond).trim()}`;
}

function describe(result: Result, baseline: Result): string[] {
  const rate = result.events / result.cpuSeconds;
  const line = [
    result.query.padEnd(4),
    result.backend.padEnd(5),
    (result.checkpoints ? 'checkpoints every 1 s' : 'no checkpoints').padEnd(21),
    `${Math.round(rate / 1000).toLocaleString('en-US').padStart(6)} K ev/CPU-s`,
    `wall ${result.wallSeconds.toFixed(2)} s`,
    `rows ${result.rowsOut}${result.rowsOut === baseline.rowsOut ? '' : ' MISMATCH'}`,
    ...(result.checkpoints ? [describeOverhead(overheadOf(result, baseline))] : []),
  ].join('  ');
  if (result.completed.length === 0) return [line];
  const periodic = result.completed.filter((c) => !c.final);
  const all = result.completed;
  return [
    line,
    `        ${all.length} checkpoints (${periodic.length} periodic + final): duration mean ${ms(mean(all.map((c) => c.durationMs)))}, ` +
      `max ${ms(max(all.map((c) => c.durationMs)))}; alignment mean ${ms(mean(all.map((c) => c.alignmentMs)))}, max ${ms(max(all.map((c) => c.alignmentMs)))}; ` +
      `sync mean ${ms(mean(all.map((c) => c.syncMs)))}; async mean ${ms(mean(all.map((c) => c.asyncMs)))}; ` +
      `sync max ${ms(max(all.map((c) => c.syncMs)))}; ` +
      // Incremental checkpoints write their deltas (or a new base) and list the rest: a full checkpoint writes it all.
      `written mean ${Math.round(mean(all.map((c) => c.bytes)) / 1024)} KiB, full (state listed) mean ${Math.round(mean(all.map((c) => c.stateBytes)) / 1024)} KiB`,
  ];
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      child: { type: 'string' },
      query: { type: 'string', default: 'q5,q8' },
      events: { type: 'string', default: '300000' },
      parallelism: { type: 'string', default: '1' },
      backends: { type: 'string', default: BACKENDS.join(',') },
      rounds: { type: 'string', default: '1' },
      json: { type: 'boolean', default: false },
    },
  });
  if (values.child !== undefined) {
    process.stdout.write(JSON.stringify(await measure(JSON.parse(values.child) as Spec)));
    return;
  }
  const queries = values.query.split(',').map((q) => q.trim());
  for (const query of queries) if (!isNexmarkQuery(query)) throw new Error(`--query: unknown query '${query}'`);
  const events = Number(values.events);
  const parallelism = Number(values.parallelism);
  console.log(`Checkpoint overhead: checkpoints every second (exactly-once) vs none, ${events.toLocaleString('en-US')} events, parallelism ${parallelism}`);
  const rounds = Number(values.rounds);
  if (!Number.isSafeInteger(rounds) || rounds < 1) throw new Error(`--rounds takes a positive integer, not '${values.rounds}'`);
  for (const query of queries as NexmarkQuery[]) {
    for (const backend of values.backends.split(',') as (typeof BACKENDS)[number][]) {
      const pairs: Overhead[] = [];
      for (let round = 0; round < rounds; round++) {
        // Alternated (A B B A …), so that a change of the machine's load in the middle falls on both alike.
        const order = round % 2 === 0 ? [false, true] : [true, false];
        const [first, second] = [await measureInChild({ query, events, parallelism, backend, checkpoints: order[0]! }), await measureInChild({ query, events, parallelism, backend, checkpoints: order[1]! })];
        const [without, withCheckpoints] = order[0] ? [second, first] : [first, second];
        pairs.push(overheadOf(withCheckpoints, without));
        for (const result of [without, withCheckpoints]) {
          for (const line of describe(result, without)) console.log(line);
          if (values.json) console.log(JSON.stringify({ ...result, completed: result.completed.length }));
        }
      }
      if (rounds > 1) {
        console.log(
          `${query.padEnd(4)}  ${backend.padEnd(5)}  medians of ${rounds} rounds: ` +
            describeOverhead({
              overhead: median(pairs.map((p) => p.overhead)),
              cpuPerCheckpointSeconds: median(pairs.map((p) => p.cpuPerCheckpointSeconds)),
              overheadPerCpuSecond: median(pairs.map((p) => p.overheadPerCpuSecond)),
            }),
        );
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

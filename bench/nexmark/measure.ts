import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ConnectorRuntimes as SourceConnectorRuntimes } from '../../connectors/runtime-registry.js';
import type { JobGraph } from '../../compiler/graph/job-graph.js';
import { BASELINES } from './baselines.js';
import { loadBuiltRuntime } from './built-package.js';
import { Job as SourceJob } from '../../runtime/execution/job.js';
import type { SinkCallback } from '../../runtime/operators/callback-sink.js';
import { compileQuery, isNexmarkQuery, sinkUid, type NexmarkQuery } from './queries.js';

/**
 * One measured run of one query: Sluice (compile + Job.start, the sink read by a counting callback) or the
 * hand-written loop, over the same generated events; generation is inside both. Each run is a fresh child process
 * so that its peak RSS is its own and neither side inherits the other's JIT state or heap.
 */
export type Engine = 'sluice' | 'loop';

export interface MeasureSpec {
  readonly query: NexmarkQuery;
  readonly engine: Engine;
  readonly events: number;
  readonly rate: number;
  readonly parallelism: number;
  /**
   * `callback` (default): the sink read by a counting callback, which keeps the sink's chain on the main thread.
   * `connector`: the query's own (blackhole) sink, rows counted from the job's metrics, so that with worker
   * threads every chain runs in the slots (the scaling bench).
   */
  readonly sink?: 'callback' | 'connector';
  /**
   * Run the job with the built package (dist/, bench/nexmark/built-package.ts) rather than the TypeScript sources:
   * its worker threads then load compiled modules, as `node bin/sluice.js` does, instead of transpiling the
   * runtime through tsx each (seconds of CPU per worker). The query is still compiled from sources (a JobGraph is
   * plain data).
   */
  readonly built?: boolean;
  /** Checkpoints every `intervalMs` (exactly-once) on `backend`'s storage, in a fresh directory; none by default. */
  readonly checkpoints?: { readonly intervalMs: number; readonly backend: 'fs' | 'disk' };
}

export interface Measurement extends MeasureSpec {
  /** Rows the sink received (for updating queries, changelog rows). */
  readonly rowsOut: number;
  readonly wallSeconds: number;
  /** User + system CPU time of the process during the run (GC threads included). */
  readonly cpuSeconds: number;
  /**
   * CPU time of the main thread alone (Linux: /proc/self/task/<pid>/stat; undefined elsewhere): with worker threads,
   * what is left of the job on the thread that runs the coordinator.
   */
  readonly mainThreadCpuSeconds: number | undefined;
  /**
   * CPU time of the process's other threads that lived through the run (V8's background threads for compilation
   * and GC, libuv's pool, a loader's thread), from /proc like the main thread's. The slot workers, which end with
   * the job, are what is left: `cpuSeconds` minus both.
   */
  readonly otherThreadsCpuSeconds: number | undefined;
  /** Time its aligned sources spent paused for watermark alignment, summed over their subtasks (q8); null for none. */
  readonly alignmentPausedSeconds: number | null;
  /** Checkpoints completed (with `checkpoints`). */
  readonly checkpointsCompleted: number;
  /** Wall time the main thread spent paused in garbage collection during the run (V8's `gc` performance entries). */
  readonly gcSeconds: number;
  /** Resident set size when the run started (Node, the loader and the modules loaded), in MiB. */
  readonly startRssMiB: number;
  /** Peak resident set size of the process, in MiB. */
  readonly peakRssMiB: number;
}

export async function measure(spec: MeasureSpec): Promise<Measurement> {
  const { Job, ConnectorRuntimes } = spec.built === true ? await loadBuiltRuntime() : { Job: SourceJob, ConnectorRuntimes: SourceConnectorRuntimes };
  // Connector runtimes are imported when a job starts (connectors/runtime-registry.ts): load the query's before the
  // clock, as every other module is, so that the figure is the engine's work and not TypeScript transpiling a module.
  if (spec.engine === 'sluice') await ConnectorRuntimes.load(spec.sink === 'connector' ? ['nexmark', 'blackhole'] : ['nexmark']);
  let rowsOut = 0;
  let gcMs = 0;
  const gc = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) gcMs += entry.duration;
  });
  gc.observe({ entryTypes: ['gc'] });
  const startRssMiB = process.memoryUsage.rss() / 1024 / 1024;
  const checkpointsDir = spec.checkpoints === undefined ? undefined : fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-bench-chk-'));
  let checkpointsCompleted = 0;
  let alignmentPausedMs: number | null = null;
  const cpuBefore = process.cpuUsage();
  const threadsBefore = threadCpuSeconds();
  const started = performance.now();
  if (spec.engine === 'loop') {
    BASELINES[spec.query](spec.events, spec.rate, () => {
      rowsOut++;
    });
  } else {
    const graph = withCheckpoints(compileQuery(spec.query, spec), spec.checkpoints, checkpointsDir);
    const sink = sinkUid(graph);
    if (spec.sink === 'connector') {
      const job = await Job.start(graph);
      job.on('checkpoint-completed', () => checkpointsCompleted++);
      const { metrics } = await job.done;
      rowsOut = metrics.operators.find((op) => op.uid === sink)!.recordsIn;
      alignmentPausedMs = metrics.operators.some((op) => op.alignmentPausedMs !== null)
        ? metrics.operators.reduce((sum, op) => sum + (op.alignmentPausedMs ?? 0), 0)
        : null;
    } else {
      const onRows: SinkCallback = (rows) => {
        rowsOut += rows.length;
      };
      const job = await Job.start(graph, { sinks: { [sink]: onRows } });
      job.on('checkpoint-completed', () => checkpointsCompleted++);
      await job.done;
    }
  }
  const wallSeconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const threadsAfter = threadCpuSeconds();
  if (checkpointsDir !== undefined) fs.rmSync(checkpointsDir, { recursive: true, force: true });
  // Entries are delivered asynchronously: let the last ones in before reading the total.
  await new Promise((resolve) => setImmediate(resolve));
  for (const entry of gc.takeRecords()) gcMs += entry.duration;
  gc.disconnect();
  return {
    ...spec,
    rowsOut,
    wallSeconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    ...threadsDuring(threadsBefore, threadsAfter),
    alignmentPausedSeconds: alignmentPausedMs === null ? null : alignmentPausedMs / 1000,
    checkpointsCompleted,
    gcSeconds: gcMs / 1000,
    startRssMiB,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
  };
}

/** `graph` with checkpoints every `checkpoints.intervalMs` into `dir`, or as it is. */
function withCheckpoints(graph: JobGraph, checkpoints: MeasureSpec['checkpoints'], dir: string | undefined): JobGraph {
  if (checkpoints === undefined) return graph;
  const { config } = graph;
  return {
    ...graph,
    config: {
      ...config,
      checkpointing: { ...config.checkpointing, intervalMs: checkpoints.intervalMs },
      state: { ...config.state, backend: checkpoints.backend, checkpointsDir: dir! },
    },
  };
}

/** User + system CPU seconds of each thread of the process by task id, from /proc; undefined without it. */
function threadCpuSeconds(): Map<number, number> | undefined {
  let tasks: string[];
  try {
    tasks = fs.readdirSync('/proc/self/task');
  } catch {
    return undefined;
  }
  const seconds = new Map<number, number>();
  for (const task of tasks) {
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/self/task/${task}/stat`, 'utf8');
    } catch {
      continue; // the thread ended
    }
    // Fields after the command (which may hold spaces, inside parentheses): utime and stime are the 14th and 15th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    seconds.set(Number(task), (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS);
  }
  return seconds;
}

/** The main thread's CPU during the run, and that of the other threads alive at its start and end. */
function threadsDuring(
  before: Map<number, number> | undefined,
  after: Map<number, number> | undefined,
): Pick<Measurement, 'mainThreadCpuSeconds' | 'otherThreadsCpuSeconds'> {
  if (before === undefined || after === undefined) return { mainThreadCpuSeconds: undefined, otherThreadsCpuSeconds: undefined };
  let others = 0;
  for (const [task, seconds] of after) if (task !== process.pid && before.has(task)) others += seconds - before.get(task)!;
  return { mainThreadCpuSeconds: after.get(process.pid)! - before.get(process.pid)!, otherThreadsCpuSeconds: others };
}

/** The kernel's clock ticks per second for /proc times (USER_HZ, 100 on Linux). */
const CLOCK_TICKS = 100;

const THIS_FILE = fileURLToPath(import.meta.url);

/** Runs `measure` in a child Node process started like this one (so with the same TypeScript loader). */
export function measureInChild(spec: MeasureSpec): Promise<Measurement> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [...process.execArgv, THIS_FILE, JSON.stringify(spec)], { maxBuffer: 1 << 20 }, (error, stdout, stderr) => {
      if (error !== null) reject(new Error(`${spec.engine} ${spec.query} failed:\n${stderr || error.message}`));
      else resolve(JSON.parse(stdout) as Measurement);
    });
  });
}

function parseSpec(text: string | undefined): MeasureSpec {
  const spec = JSON.parse(text ?? '{}') as Partial<MeasureSpec>;
  if (spec.query === undefined || !isNexmarkQuery(spec.query) || (spec.engine !== 'sluice' && spec.engine !== 'loop')) {
    throw new Error(`usage: measure.ts '{"query":"q1","engine":"sluice","events":1000000,"rate":10000,"parallelism":1}'`);
  }
  return spec as MeasureSpec;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.stdout.write(`${JSON.stringify(await measure(parseSpec(process.argv[2])))}\n`);
}

import { execFile } from 'node:child_process';
import { PerformanceObserver } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ConnectorRuntimes as SourceConnectorRuntimes } from '../../connectors/runtime-registry.js';
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
}

export interface Measurement extends MeasureSpec {
  /** Rows the sink received (for updating queries, changelog rows). */
  readonly rowsOut: number;
  readonly wallSeconds: number;
  /** User + system CPU time of the process during the run (GC threads included). */
  readonly cpuSeconds: number;
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
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  if (spec.engine === 'loop') {
    BASELINES[spec.query](spec.events, spec.rate, () => {
      rowsOut++;
    });
  } else {
    const graph = compileQuery(spec.query, spec);
    const sink = sinkUid(graph);
    if (spec.sink === 'connector') {
      const result = await (await Job.start(graph)).done;
      rowsOut = result.metrics.operators.find((op) => op.uid === sink)!.recordsIn;
    } else {
      const onRows: SinkCallback = (rows) => {
        rowsOut += rows.length;
      };
      await (await Job.start(graph, { sinks: { [sink]: onRows } })).done;
    }
  }
  const wallSeconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  // Entries are delivered asynchronously: let the last ones in before reading the total.
  await new Promise((resolve) => setImmediate(resolve));
  for (const entry of gc.takeRecords()) gcMs += entry.duration;
  gc.disconnect();
  return {
    ...spec,
    rowsOut,
    wallSeconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    gcSeconds: gcMs / 1000,
    startRssMiB,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
  };
}

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

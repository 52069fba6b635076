import { workersEnabled } from '../../runtime/workers/worker-resources.js';
import { loadBuiltRuntime } from './built-package.js';
import { compileQuery, sinkUid, startQuery } from './queries.js';

/**
 * The continuous-memory check: q1 on an unbounded nexmark source for `seconds`, RSS sampled every second. With
 * bounded channels and no state, memory must level off after warm-up rather than grow with the events processed.
 * With worker threads on (the default; SLUICE_WORKERS=0 turns them off) the job runs from the built package with its blackhole sink, so that
 * every subtask runs in a worker (a callback sink would keep q1's one chain on the main thread); rows are then
 * counted from the job's metrics, and RSS (the process's) includes the workers, the heap only the main thread's.
 */
export interface SoakSample {
  readonly second: number;
  readonly rssMiB: number;
  readonly heapUsedMiB: number;
  readonly rowsOut: number;
}

export interface SoakReport {
  readonly seconds: number;
  readonly parallelism: number;
  /** Whether the subtasks ran in worker threads. */
  readonly workers: boolean;
  readonly rowsOut: number;
  readonly startRssMiB: number;
  readonly peakRssMiB: number;
  readonly endRssMiB: number;
  readonly samples: readonly SoakSample[];
}

const MiB = 1024 * 1024;

export async function soak(seconds: number, parallelism: number, rate: number, onSample: (sample: SoakSample) => void): Promise<SoakReport> {
  let rowsOut = 0;
  const graph = compileQuery('q1', { events: 'unbounded', rate, parallelism });
  const inWorkers = workersEnabled();
  const job = inWorkers
    ? await (await loadBuiltRuntime()).Job.start(graph)
    : await startQuery(graph, (rows) => {
        rowsOut += rows.length;
      });
  const sink = sinkUid(graph);
  const samples: SoakSample[] = [];
  await new Promise<void>((resolve, reject) => {
    job.done.then(() => reject(new Error('the unbounded q1 job ended on its own')), reject);
    const timer = setInterval(() => {
      if (inWorkers) rowsOut = job.metrics().operators.find((op) => op.uid === sink)!.recordsIn;
      const memory = process.memoryUsage();
      const sample = { second: samples.length + 1, rssMiB: memory.rss / MiB, heapUsedMiB: memory.heapUsed / MiB, rowsOut };
      samples.push(sample);
      onSample(sample);
      if (samples.length >= seconds) {
        clearInterval(timer);
        resolve();
      }
    }, 1000);
  });
  await job.cancel();
  const rss = samples.map((s) => s.rssMiB);
  return {
    seconds,
    parallelism,
    workers: inWorkers,
    rowsOut,
    startRssMiB: rss[0] ?? 0,
    peakRssMiB: Math.max(...rss),
    endRssMiB: rss[rss.length - 1] ?? 0,
    samples,
  };
}

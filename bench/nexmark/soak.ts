import { compileQuery, startQuery } from './queries.js';

/**
 * The continuous-memory check: q1 on an unbounded nexmark source for `seconds`, RSS sampled every second. With
 * bounded channels and no state, memory must level off after warm-up rather than grow with the events processed.
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
  readonly rowsOut: number;
  readonly startRssMiB: number;
  readonly peakRssMiB: number;
  readonly endRssMiB: number;
  readonly samples: readonly SoakSample[];
}

const MiB = 1024 * 1024;

export async function soak(seconds: number, parallelism: number, rate: number, onSample: (sample: SoakSample) => void): Promise<SoakReport> {
  let rowsOut = 0;
  const job = await startQuery(compileQuery('q1', { events: 'unbounded', rate, parallelism }), (rows) => {
    rowsOut += rows.length;
  });
  const samples: SoakSample[] = [];
  await new Promise<void>((resolve, reject) => {
    job.done.then(() => reject(new Error('the unbounded q1 job ended on its own')), reject);
    const timer = setInterval(() => {
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
    rowsOut,
    startRssMiB: rss[0] ?? 0,
    peakRssMiB: Math.max(...rss),
    endRssMiB: rss[rss.length - 1] ?? 0,
    samples,
  };
}

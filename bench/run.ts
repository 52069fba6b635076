/**
 * `npm run bench`: the Nexmark queries of examples/nexmark/ on Sluice next to hand-written TypeScript loops over
 * the same generated events; see bench/README.md for how to read the figures. Not a test: numbers vary by machine.
 *
 *   npm run bench -- [--query q1,q5] [--events N] [--rate R] [--parallelism P] [--json] [--micro]
 *   npm run bench -- --soak <seconds> [--parallelism P]      (in worker threads at P ≥ 2 unless SLUICE_WORKERS=0)
 *   npm run bench -- --scaling [--query q1,q5] [--events N] [--parallelism 1,2,4]
 */
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ensureBuiltPackage } from './nexmark/built-package.js';
import { measureInChild, type Measurement } from './nexmark/measure.js';
import { NEXMARK_QUERIES, isNexmarkQuery, type NexmarkQuery } from './nexmark/queries.js';
import { soak } from './nexmark/soak.js';
import { workersEnabled } from '../runtime/workers/worker-resources.js';

/** Events per query by default: enough for several seconds of Sluice CPU time each, so that JIT warm-up fades. */
const DEFAULT_EVENTS: Readonly<Record<NexmarkQuery, number>> = {
  q0: 1_000_000,
  q1: 1_000_000,
  q2: 1_000_000,
  q3: 1_000_000,
  q4: 300_000,
  q5: 300_000,
  q7: 300_000,
  q8: 1_000_000,
};

/** Flink ≥ 2.0 per core, generator included (Nexmark guide V2; ../shared/docs/NEXMARK.md). */
const FLINK_PER_CORE: Readonly<Record<NexmarkQuery, number>> = {
  q0: 380_000,
  q1: 395_000,
  q2: 414_000,
  q3: 219_000,
  q4: 28_000,
  q5: 75_000,
  q7: 23_000,
  q8: 162_000,
};

/** Queries whose sink receives a changelog, so that its row count differs from the loop's final rows. */
const UPDATING: ReadonlySet<NexmarkQuery> = new Set(['q4']);

const MICRO_BENCHES = ['startup.ts', 'nexmark-generator.ts', 'expressions.ts', 'compile.ts', 'checkpoint-overhead.ts', 'key-scaling.ts', 'timers.ts', 'state-ttl.ts', 'fed-source.ts', 'file-source.ts', 'jetstream.ts', 'postgres.ts', 'postgres-cdc.ts', 'web-ui.ts', 'timely-barriers.ts', 'unaligned-checkpoints.ts', 'thread-channel.ts'];

const { values } = parseArgs({
  options: {
    query: { type: 'string' },
    events: { type: 'string' },
    rate: { type: 'string', default: '10000' },
    parallelism: { type: 'string', default: '1' },
    json: { type: 'boolean', default: false },
    micro: { type: 'boolean', default: false },
    soak: { type: 'string' },
    scaling: { type: 'boolean', default: false },
  },
});

function positiveInteger(flag: string, text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`--${flag} takes a positive integer, not '${text}'`);
  return value;
}

function selectedQueries(list: string | undefined): NexmarkQuery[] {
  if (list === undefined) return [...NEXMARK_QUERIES];
  return list.split(',').map((name) => {
    const query = name.trim().toLowerCase();
    if (!isNexmarkQuery(query)) throw new Error(`--query: unknown query '${name}' (known: ${NEXMARK_QUERIES.join(', ')})`);
    return query;
  });
}

const perCpuSecond = (m: Measurement): number => m.events / m.cpuSeconds;
const ratio = (sluice: Measurement, loop: Measurement): number => perCpuSecond(sluice) / perCpuSecond(loop);
const thousands = (n: number): string => `${Math.round(n / 1000).toLocaleString('en-US')} K`;
const mib = (n: number): string => `${Math.round(n)} MiB`;

const COLUMNS = ['query', 'events', 'Sluice ev/s', 'loop ev/s', 'ratio', 'Sluice GC', 'Flink/core', 'Sluice RSS', 'loop RSS', 'rows out (Sluice / loop)'];

/**
 * GC pauses of the main thread as a share of the run's wall time. Both are wall-clock figures, so that a loaded
 * machine stretches them alike (a pause preempted by other processes is longer than the CPU it used).
 */
const gcShare = (m: Measurement): number => m.gcSeconds / m.wallSeconds;

function tableRow(query: NexmarkQuery, sluice: Measurement, loop: Measurement): string[] {
  const rowsMatch = UPDATING.has(query) || sluice.rowsOut === loop.rowsOut;
  return [
    query,
    sluice.events.toLocaleString('en-US'),
    thousands(perCpuSecond(sluice)),
    thousands(perCpuSecond(loop)),
    ratio(sluice, loop).toFixed(2),
    `${(100 * gcShare(sluice)).toFixed(0)} %`,
    thousands(FLINK_PER_CORE[query]),
    mib(sluice.peakRssMiB),
    mib(loop.peakRssMiB),
    `${sluice.rowsOut.toLocaleString('en-US')} / ${loop.rowsOut.toLocaleString('en-US')}${rowsMatch ? '' : '  MISMATCH'}`,
  ];
}

function printTable(rows: readonly string[][], print: (line: string) => void): void {
  const widths = COLUMNS.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i]!.length)));
  // Names left-aligned, figures right-aligned; the last column is not padded.
  const line = (cells: readonly string[]) =>
    cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : i === cells.length - 1 ? cell : cell.padStart(widths[i]!))).join('  ');
  print(line(COLUMNS));
  for (const row of rows) print(line(row));
}

async function runQueries(): Promise<void> {
  const rate = Number(values.rate);
  const parallelism = positiveInteger('parallelism', values.parallelism);
  const fixedEvents = values.events === undefined ? undefined : positiveInteger('events', values.events);
  // With --json, stdout carries only the JSON lines; the table goes to stderr.
  const print = values.json ? (line: string) => console.error(line) : (line: string) => console.log(line);
  print(`Nexmark on Sluice, parallelism ${parallelism}, rate ${rate} events/s of event time; ev/s per CPU-second, generation included`);
  const rows: string[][] = [];
  for (const query of selectedQueries(values.query)) {
    const spec = { query, events: fixedEvents ?? DEFAULT_EVENTS[query], rate, parallelism };
    const loop = await measureInChild({ ...spec, engine: 'loop' });
    const sluice = await measureInChild({ ...spec, engine: 'sluice' });
    rows.push(tableRow(query, sluice, loop));
    print(`  ${query} done: Sluice ${sluice.wallSeconds.toFixed(1)} s wall, loop ${loop.wallSeconds.toFixed(1)} s wall`);
    if (values.json) console.log(JSON.stringify({ query, sluice, loop, ratio: ratio(sluice, loop), gcShare: gcShare(sluice), flinkPerCore: FLINK_PER_CORE[query] }));
  }
  print('');
  printTable(rows, print);
}

/** The queries of the scaling bench (issue 10) and its event count per query: the same at every parallelism. */
const SCALING_QUERIES: readonly NexmarkQuery[] = ['q0', 'q1', 'q2', 'q5', 'q7', 'q8'];
const SCALING_EVENTS: Readonly<Partial<Record<NexmarkQuery, number>>> = { q0: 2_000_000, q1: 2_000_000, q2: 2_000_000, q5: 600_000, q7: 600_000, q8: 2_000_000 };
const SCALING_COLUMNS = ['query', 'p', 'events', 'wall ev/s', 'speed-up', 'CPU %', 'CPU µs/ev', 'CPU vs p1', 'CPU s: main / other / workers', 'peak RSS', 'RSS per extra worker'];

/**
 * Worker threads (docs/parallelism.md): each query at each parallelism with its own blackhole sink (a callback sink
 * would keep its chain on the main thread), in a child process with SLUICE_WORKERS=1 running the built package
 * (dist/, rebuilt first if a source changed), so that workers load compiled modules as with `node bin/sluice.js`.
 * Wall-clock events/s is the target's figure (workers use several cores); CPU % is the process's CPU time over
 * wall time (100 % = one core busy); CPU µs per event (all threads) is the figure that a loaded machine does not
 * change much: at parallelism 2 it should stay near parallelism 1's, plus the workers' start-up.
 */
async function runScaling(): Promise<void> {
  const parallelisms = values.parallelism === '1' ? [1, 2, 4] : values.parallelism.split(',').map((p) => positiveInteger('parallelism', p.trim()));
  const rate = Number(values.rate);
  const fixedEvents = values.events === undefined ? undefined : positiveInteger('events', values.events);
  process.env['SLUICE_WORKERS'] = '1';
  ensureBuiltPackage((line) => console.log(line));
  console.log(`Nexmark on Sluice (built package) in worker threads, parallelism ${parallelisms.join(', ')}, rate ${rate} events/s of event time, ${os.availableParallelism()} CPUs`);
  const rows: string[][] = [];
  for (const query of values.query === undefined ? SCALING_QUERIES : selectedQueries(values.query)) {
    const events = fixedEvents ?? SCALING_EVENTS[query] ?? DEFAULT_EVENTS[query];
    let base: Measurement | undefined;
    for (const parallelism of parallelisms) {
      const m = await measureInChild({ query, engine: 'sluice', events, rate, parallelism, sink: 'connector', built: true });
      base ??= m;
      const workers = Math.min(parallelism, os.availableParallelism());
      const extra = parallelism > 1 && base.parallelism === 1 && workers > 1 ? `${((m.peakRssMiB - base.peakRssMiB) / workers).toFixed(0)} MiB` : '';
      rows.push([
        query,
        String(parallelism),
        events.toLocaleString('en-US'),
        thousands(m.events / m.wallSeconds),
        `${(base.wallSeconds / m.wallSeconds).toFixed(2)}×`,
        `${((100 * m.cpuSeconds) / m.wallSeconds).toFixed(0)} %`,
        ((1e6 * m.cpuSeconds) / m.events).toFixed(2),
        `${(m.cpuSeconds / base.cpuSeconds).toFixed(2)}×`,
        threadsCpu(m),
        mib(m.peakRssMiB),
        extra,
      ]);
      console.log(`  ${query} p${parallelism} done: ${m.wallSeconds.toFixed(1)} s wall, ${m.rowsOut.toLocaleString('en-US')} rows`);
      if (values.json) console.log(JSON.stringify({ query, parallelism, measurement: m }));
    }
  }
  console.log('');
  const widths = SCALING_COLUMNS.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i]!.length)));
  for (const cells of [SCALING_COLUMNS, ...rows]) console.log(cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  '));
}

/**
 * The run's CPU by thread: the main thread, the others that outlive the job (V8's compiler and GC threads, libuv's,
 * a loader's) and the slot workers (the rest; none at parallelism 1, which runs in-process); '' where /proc is not
 * there to read.
 */
function threadsCpu(m: Measurement): string {
  if (m.mainThreadCpuSeconds === undefined || m.otherThreadsCpuSeconds === undefined) return '';
  const workers = m.parallelism === 1 ? '–' : Math.max(0, m.cpuSeconds - m.mainThreadCpuSeconds - m.otherThreadsCpuSeconds).toFixed(2);
  return `${m.mainThreadCpuSeconds.toFixed(2)} / ${m.otherThreadsCpuSeconds.toFixed(2)} / ${workers}`;
}

async function runSoak(seconds: number): Promise<void> {
  const parallelism = positiveInteger('parallelism', values.parallelism);
  if (workersEnabled()) ensureBuiltPackage((line) => console.log(line));
  console.log(`q1 unbounded for ${seconds} s at parallelism ${parallelism}${workersEnabled() ? ' in worker threads (built package, blackhole sink)' : ''}, RSS every second:`);
  const report = await soak(seconds, parallelism, Number(values.rate), (s) =>
    console.log(`  ${String(s.second).padStart(4)} s  rss ${mib(s.rssMiB).padStart(8)}  heap ${mib(s.heapUsedMiB).padStart(8)}  rows ${s.rowsOut.toLocaleString('en-US')}`),
  );
  const { samples: _samples, ...summary } = report;
  console.log(`RSS start ${mib(report.startRssMiB)}, peak ${mib(report.peakRssMiB)}, end ${mib(report.endRssMiB)}; ${report.rowsOut.toLocaleString('en-US')} rows`);
  if (values.json) console.log(JSON.stringify(summary));
}

function runMicroBenches(): void {
  for (const file of MICRO_BENCHES) {
    console.log(`\n# bench/${file}`);
    execFileSync(process.execPath, [...process.execArgv, fileURLToPath(new URL(file, import.meta.url))], { stdio: 'inherit' });
  }
}

async function main(): Promise<void> {
  if (!(Number(values.rate) >= 1)) throw new Error(`--rate takes a number of events per second of at least 1, not '${values.rate}'`);
  if (values.json && values.micro) throw new Error('the micro benches print tables, not JSON: drop --json or --micro');
  if (values.scaling) {
    if (values.soak !== undefined || values.micro) throw new Error('--scaling runs on its own: drop --soak and --micro');
    await runScaling();
  } else if (values.soak === undefined) {
    // The table measures what parallelism costs in one thread (bench/README.md); --scaling measures the threads.
    process.env['SLUICE_WORKERS'] ??= '0';
    await runQueries();
    if (values.micro) runMicroBenches();
  } else if (values.query !== undefined || values.events !== undefined || values.micro) {
    throw new Error('--soak runs q1 unbounded on its own: drop --query, --events and --micro, or drop --soak');
  } else {
    await runSoak(positiveInteger('soak', values.soak));
  }
}

try {
  await main();
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
}

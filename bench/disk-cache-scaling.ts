/**
 * What the `disk` backend's cell cache buys, per CPU-second (bench/key-scaling.ts measures wall time and checkpoints):
 * a continuous GROUP BY over many keys on each state backend: `datagen` rows with a key drawn uniformly from
 * `keys` values, `COUNT(*)` and `SUM` per key (an updating aggregate: one state read and write per row), into a
 * blackhole sink, no checkpoints. Each run is a fresh child process. Prints events per CPU-second, the ratio of
 * `disk` to `fs`, and peak RSS (for `disk`, the cell cache is `state.backend.disk.cache-cells`, default or
 * `--cache-cells`).
 *
 *   npx tsx bench/disk-cache-scaling.ts [--keys 100000,1000000,3000000] [--events N] [--backend fs,disk] [--cache-cells N] [--json]
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { compile } from '../compiler/compile.js';
import { Job } from '../runtime/execution/job.js';

const BACKENDS = ['fs', 'disk'] as const;
type Backend = (typeof BACKENDS)[number];

interface Spec {
  readonly keys: number;
  readonly events: number;
  readonly backend: Backend;
  readonly cacheCells: number | undefined;
}

interface Result extends Spec {
  readonly cpuSeconds: number;
  readonly wallSeconds: number;
  readonly peakRssMiB: number;
}

function pipeText(spec: Spec): string {
  return `
SET 'state.backend.type' = '${spec.backend}';
${spec.cacheCells === undefined ? '' : `SET 'state.backend.disk.cache-cells' = '${spec.cacheCells}';`}
CREATE SOURCE readings (k BIGINT, v INT) WITH (
  'connector' = 'datagen', 'number-of-rows' = '${spec.events}',
  'fields.k.min' = '0', 'fields.k.max' = '${spec.keys - 1}', 'fields.v.min' = '0', 'fields.v.max' = '100'
) UID 'readings';
CREATE SINK out WITH ('connector' = 'blackhole') UID 'out';
INSERT INTO out FROM readings |> AGGREGATE COUNT(*) AS n, SUM(v) AS total GROUP BY k UID 'per-key';
`;
}

async function measure(spec: Spec): Promise<Result> {
  const { value: graph, diagnostics } = compile(pipeText(spec), { file: 'disk-cache-scaling.pipe' });
  if (graph === undefined) throw new Error(diagnostics.map((d) => `${d.code} ${d.message}`).join('\n'));
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const job = await Job.start(graph, {});
  await job.done;
  const cpu = process.cpuUsage(cpuBefore);
  return {
    ...spec,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    wallSeconds: (performance.now() - started) / 1000,
    // maxRSS is in KiB.
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
  };
}

const THIS_FILE = fileURLToPath(import.meta.url);

function measureInChild(spec: Spec): Promise<Result> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [...process.execArgv, THIS_FILE, '--child', JSON.stringify(spec)], { maxBuffer: 1 << 20 }, (error, stdout) => {
      if (error !== null) reject(error);
      else resolve(JSON.parse(stdout) as Result);
    });
  });
}

const perCpuSecond = (r: Result) => r.events / r.cpuSeconds;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      child: { type: 'string' },
      keys: { type: 'string', default: '100000,1000000,3000000' },
      events: { type: 'string' },
      backend: { type: 'string', default: BACKENDS.join(',') },
      'cache-cells': { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  if (values.child !== undefined) {
    process.stdout.write(JSON.stringify(await measure(JSON.parse(values.child) as Spec)));
    return;
  }
  const backends = values.backend.split(',').map((b) => b.trim()) as Backend[];
  for (const backend of backends) if (!BACKENDS.includes(backend)) throw new Error(`--backend: unknown backend '${backend}'`);
  const cacheCells = values['cache-cells'] === undefined ? undefined : Number(values['cache-cells']);
  console.log(`Continuous GROUP BY, no checkpoints${cacheCells === undefined ? '' : `, disk cache ${cacheCells.toLocaleString('en-US')} cells`}`);
  console.log(['keys'.padStart(10), 'events'.padStart(11), 'backend', 'ev/CPU-s'.padStart(10), 'vs fs'.padStart(6), 'wall'.padStart(8), 'peak RSS'.padStart(9)].join('  '));
  for (const keys of values.keys.split(',').map(Number)) {
    // Three rows per key by default: most keys are updated more than once, as in a running aggregate.
    const events = values.events === undefined ? 3 * keys : Number(values.events);
    let fs: Result | undefined;
    for (const backend of backends) {
      const result = await measureInChild({ keys, events, backend, cacheCells });
      if (backend === 'fs') fs = result;
      console.log(
        [
          keys.toLocaleString('en-US').padStart(10),
          events.toLocaleString('en-US').padStart(11),
          backend.padEnd(7),
          `${Math.round(perCpuSecond(result) / 1000).toLocaleString('en-US')} K`.padStart(10),
          (fs === undefined || backend === 'fs' ? '' : (perCpuSecond(result) / perCpuSecond(fs)).toFixed(2)).padStart(6),
          `${result.wallSeconds.toFixed(1)} s`.padStart(8),
          `${Math.round(result.peakRssMiB)} MiB`.padStart(9),
        ].join('  '),
      );
      if (values.json) console.log(JSON.stringify(result));
    }
  }
}

try {
  await main();
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
}

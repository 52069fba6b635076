/**
 * State TTL over a long run with new keys: a regular JOIN of two generated streams on an id that never repeats
 * (every key is new), with a checkpoint every second, run once with `table.exec.state.ttl` and once without. Prints
 * the state each checkpoint lists (bytes of its canonical lines, timers and TTL write times included) over time:
 * with the TTL it levels off at about (rate × TTL) keys, without it it grows with every key. A real job on the
 * system clock, so the cleanup timers fire as they would in production.
 *
 *   npx tsx bench/state-ttl.ts [--seconds 20] [--rate 3000] [--ttl '1 s'] [--backend fs|disk] [--json]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { compile } from '../compiler/compile.js';
import { Job } from '../runtime/execution/job.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '20' },
    rate: { type: 'string', default: '3000' },
    ttl: { type: 'string', default: '1 s' },
    backend: { type: 'string', default: 'fs' },
    json: { type: 'boolean', default: false },
  },
});

const seconds = Number(values.seconds);
const rate = Number(values.rate);
const backend = values.backend === 'disk' ? 'disk' : 'fs';

interface Sample {
  readonly atSeconds: number;
  readonly stateBytes: number;
}

function pipe(ttl: string | undefined, checkpointsDir: string): string {
  const rows = Math.round(seconds * rate);
  const side = (name: string, column: string): string => `CREATE SOURCE ${name} (${column} BIGINT, v BIGINT) WITH ('connector' = 'datagen',
  'rows-per-second' = '${rate}', 'fields.${column}.kind' = 'sequence', 'fields.${column}.start' = '1', 'fields.${column}.end' = '${rows}') UID '${name}';`;
  return `
SET 'pipeline.name' = 'state-ttl-bench';
SET 'state.backend' = '${backend}';
SET 'state.checkpoints.dir' = '${checkpointsDir}';
SET 'execution.checkpointing.interval' = '1 s';
${ttl === undefined ? '' : `SET 'table.exec.state.ttl' = '${ttl}';`}
${side('orders', 'id')}
${side('payments', 'order_id')}
CREATE SINK out WITH ('connector' = 'blackhole') UID 'out';
INSERT INTO out FROM orders |> JOIN payments ON orders.id = payments.order_id UID 'pay';
`;
}

async function run(ttl: string | undefined): Promise<Sample[]> {
  const checkpointsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-bench-ttl-'));
  try {
    const { value: graph, diagnostics } = compile(pipe(ttl, checkpointsDir), { file: 'state-ttl.pipe' });
    if (graph === undefined) throw new Error(diagnostics.map((d) => `${d.code} ${d.message}`).join('\n'));
    const samples: Sample[] = [];
    const started = performance.now();
    const job = await Job.start(graph, {});
    job.on('checkpoint-completed', (stats) => samples.push({ atSeconds: (performance.now() - started) / 1000, stateBytes: stats.stateBytes }));
    await job.done;
    return samples;
  } finally {
    fs.rmSync(checkpointsDir, { recursive: true, force: true });
  }
}

const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

const withTtl = await run(values.ttl);
const without = await run(undefined);
if (values.json) {
  console.log(JSON.stringify({ seconds, rate, ttl: values.ttl, backend, withTtl, without }));
} else {
  console.log(`regular JOIN, every key new, ${rate} rows/s per side for ${seconds} s, ${backend} backend; state listed by each checkpoint`);
  console.log(`${'t (s)'.padStart(6)}  ${`TTL ${values.ttl}`.padStart(12)}  ${'no TTL'.padStart(12)}`);
  for (let i = 0; i < Math.max(withTtl.length, without.length); i++) {
    const a = withTtl[i];
    const b = without[i];
    const t = (a ?? b)!.atSeconds;
    console.log(`${t.toFixed(1).padStart(6)}  ${(a === undefined ? '' : mib(a.stateBytes)).padStart(12)}  ${(b === undefined ? '' : mib(b.stateBytes)).padStart(12)}`);
  }
}

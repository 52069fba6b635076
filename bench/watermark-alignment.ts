/**
 * Nexmark q8 with and without watermark alignment of its two sources (docs/connectors.md, "Options of every
 * source"): the backlog the window join keeps on its person side, and throughput.
 * `tsx bench/watermark-alignment.ts [--events 3000000] [--rounds 3]`.
 *
 * Backlog: a run with a checkpoint every 200 ms (fs backend); each completed checkpoint is loaded as a restore reads
 * it, and its `q8-person-join-seller` entries are counted per side (left: persons, right: sellers), as the state the
 * join held at that barrier. Throughput: runs without checkpoints, events per CPU-second of this process (the
 * variants interleaved, medians over rounds). Both variants compute the same rows (test/runtime/watermark-alignment-job.test.ts).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { compilePipe } from '../test/operators/run-pipe.js';
import { loadCheckpoint, openCheckpoint } from '../runtime/checkpoint/restore/load-checkpoint.js';
import { Job } from '../runtime/execution/job.js';

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(args[i + 1]);
};
const events = option('events', 3_000_000);
const rounds = option('rounds', 3);
const ALIGNED = ", 'scan.watermark.alignment.group' = 'q8', 'scan.watermark.alignment.max-drift' = '1 s'";

/** examples/nexmark/q8.pipe at `events`, its sources aligned or not. */
function q8(aligned: boolean): string {
  const text = fs.readFileSync(new URL('../examples/nexmark/q8.pipe', import.meta.url), 'utf8');
  return text.replace(/'events' = '\d+'[^)]*\)/g, `'events' = '${events}'${aligned ? ALIGNED : ''})`);
}

async function backlog(aligned: boolean): Promise<{ persons: number[]; sellers: number[] }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-wm-align-'));
  const graph = compilePipe(q8(aligned), {
    settings: { 'execution.checkpointing.interval': '200 ms', 'state.backend': 'fs', 'state.checkpoints.dir': dir, 'state.checkpoints.num-retained': '1000' },
  });
  const job = await Job.start(graph);
  const locations: string[] = [];
  job.on('checkpoint-completed', (stats) => {
    if (!stats.final && stats.location !== undefined) locations.push(stats.location);
  });
  await job.done;
  const persons: number[] = [];
  const sellers: number[] = [];
  for (const location of locations) {
    const opened = await openCheckpoint(location);
    if ('error' in opened) throw new Error(opened.error);
    const join = (await loadCheckpoint(opened.checkpoint)).operators.find((op) => op.entry.uid === 'q8-person-join-seller');
    const entries = join?.keyed.flatMap((file) => file.entries) ?? [];
    persons.push(entries.filter((e) => e.state === 'left-rows').length);
    sellers.push(entries.filter((e) => e.state === 'right-rows').length);
  }
  fs.rmSync(dir, { recursive: true, force: true });
  return { persons, sellers };
}

async function throughput(aligned: boolean): Promise<number> {
  const graph = compilePipe(q8(aligned));
  const start = process.cpuUsage();
  const job = await Job.start(graph);
  await job.done;
  const used = process.cpuUsage(start);
  return events / ((used.user + used.system) / 1e6);
}

const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const thousands = (n: number) => `${Math.round(n / 1000).toLocaleString('en')} K`;

for (const aligned of [false, true]) {
  const { persons, sellers } = await backlog(aligned);
  const sampled = persons.map((p, i) => `${p}/${sellers[i]}`);
  console.log(`${aligned ? 'aligned  ' : 'unaligned'} join entries person/seller per checkpoint (every 200 ms): ${sampled.join(' ')}`);
  console.log(`${aligned ? 'aligned  ' : 'unaligned'} person side: peak ${Math.max(0, ...persons)}, median ${persons.length === 0 ? 0 : median(persons)} over ${persons.length} checkpoints`);
}
const figures = { unaligned: [] as number[], aligned: [] as number[] };
for (let round = 0; round < rounds; round++) {
  figures.unaligned.push(await throughput(false));
  figures.aligned.push(await throughput(true));
}
console.log(`events/CPU-s, median of ${rounds}: unaligned ${thousands(median(figures.unaligned))}, aligned ${thousands(median(figures.aligned))} (aligned ÷ unaligned ${(median(figures.aligned) / median(figures.unaligned)).toFixed(2)})`);

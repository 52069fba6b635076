/**
 * Events per second through the jetstream connector next to the raw NATS client doing the same in a plain loop:
 * JetStream source → blackhole against an ordered consumer that parses each payload, and file → JetStream sink
 * (exactly-once, checkpoints every second) against `js.publish` of the same payloads, 1000 acknowledgements awaited
 * at a time. Wall-clock, on the local nats-server (127.0.0.1:4222); the ratio Sluice/raw is the figure.
 * `tsx bench/jetstream.ts [events]`. Not a test: numbers vary by machine.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compile } from '../compiler/compile.js';
import { LOCAL_NATS, testJetStream, uniqueStreamName, unreachableReason } from '../connectors/jetstream/test-helpers.js';
import { Job } from '../runtime/execution/job.js';

const events = Number(process.argv[2] ?? 200_000);
const COLUMNS = 'auction BIGINT, bidder BIGINT, price BIGINT, date_time TIMESTAMP(3)';

function payload(i: number): string {
  return JSON.stringify({ auction: 1000 + (i % 97), bidder: i % 311, price: 100 + (i % 900), date_time: new Date(Date.UTC(2024, 0, 1) + i).toISOString() });
}

async function runPipe(text: string, dir: string): Promise<number> {
  const { value, diagnostics } = compile(text, { file: 'bench.pipe', settings: { 'state.checkpoints.dir': join(dir, 'checkpoints') } });
  if (value === undefined) throw new Error(diagnostics.map((d) => `${d.code} ${d.message}`).join('\n'));
  const start = performance.now();
  const job = await Job.start(value);
  await job.done;
  return performance.now() - start;
}

const reason = await unreachableReason();
if (reason !== undefined) {
  console.log(`jetstream bench skipped: ${reason}`);
  process.exit(0);
}
const nats = await testJetStream();
const dir = mkdtempSync(join(tmpdir(), 'sluice-bench-jetstream-'));
try {
  const input = uniqueStreamName('bench_in');
  await nats.createStream(input, [`${input}.>`]);
  await nats.publishAll(
    input,
    Array.from({ length: events }, (_, i) => ({ subject: `${input}.${i % 2}`, data: payload(i) })),
  );

  const sourceMs = await runPipe(
    `CREATE SOURCE bids (${COLUMNS}) WITH ('connector' = 'jetstream', 'servers' = '${LOCAL_NATS}', 'stream' = '${input}',
       'scan.bounded.mode' = 'latest-offset') UID 'bids';
     CREATE SINK out WITH ('connector' = 'blackhole') UID 'out';
     INSERT INTO out FROM bids;`,
    dir,
  );
  let rawStart = performance.now();
  const consumer = await nats.js.consumers.get(input);
  const messages = await consumer.consume();
  let read = 0;
  for await (const m of messages) {
    JSON.parse(m.string());
    if (++read === events) break;
  }
  const rawReadMs = performance.now() - rawStart;

  const file = join(dir, 'bids.jsonl');
  writeFileSync(file, Array.from({ length: events }, (_, i) => payload(i)).join('\n') + '\n');
  const output = uniqueStreamName('bench_out');
  await nats.createStream(output, [`${output}.>`]);
  const sinkMs = await runPipe(
    `SET 'execution.checkpointing.interval' = '1 s';
     CREATE SOURCE bids (${COLUMNS}) WITH ('connector' = 'file', 'path' = '${file}') UID 'bids';
     CREATE SINK out WITH ('connector' = 'jetstream', 'servers' = '${LOCAL_NATS}', 'subject' = '${output}.all') UID 'out';
     INSERT INTO out FROM bids;`,
    dir,
  );
  const rawOutput = uniqueStreamName('bench_raw');
  await nats.createStream(rawOutput, [`${rawOutput}.>`]);
  rawStart = performance.now();
  for (let i = 0; i < events; i += 1000) {
    const publishes: Promise<unknown>[] = [];
    for (let j = i; j < Math.min(events, i + 1000); j++) publishes.push(nats.js.publish(`${rawOutput}.all`, payload(j)));
    await Promise.all(publishes);
  }
  const rawPublishMs = performance.now() - rawStart;

  const rate = (ms: number) => Math.round(events / (ms / 1000));
  const line = (what: string, sluiceMs: number, rawMs: number) =>
    console.log(`  ${what.padEnd(30)} ${rate(sluiceMs).toLocaleString('en-US').padStart(9)}/s   raw client ${rate(rawMs).toLocaleString('en-US').padStart(9)}/s   ratio ${(rawMs / sluiceMs).toFixed(2)}`);
  console.log(`jetstream connector, ${events.toLocaleString('en-US')} events, wall clock (Sluice includes job start):`);
  line('source → blackhole', sourceMs, rawReadMs);
  line('file → sink (exactly-once)', sinkMs, rawPublishMs);
} finally {
  await nats.close();
  rmSync(dir, { recursive: true, force: true });
}

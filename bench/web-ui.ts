/**
 * What the web dashboard costs a job: Nexmark q5 run without a dashboard and with one whose live stream a client
 * reads (as an open page does), alternating, each run in a fresh child process. The client runs in this process,
 * as a browser would run outside the job's. Prints events per wall-second and per CPU-second of the job's process.
 *
 *   npx tsx bench/web-ui.ts [--query q5] [--events N] [--rounds R]
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { serveWebUi } from '../web/server/serve-web-ui.js';
import { compileQuery, isNexmarkQuery, startQuery, type NexmarkQuery } from './nexmark/queries.js';

interface Spec {
  readonly query: NexmarkQuery;
  readonly events: number;
  readonly dashboard: boolean;
}

interface Result extends Spec {
  readonly wallSeconds: number;
  readonly cpuSeconds: number;
  readonly rowsOut: number;
  /** Updates the client read from the stream. */
  readonly updates: number;
}

type ChildMessage = { readonly kind: 'listening'; readonly port: number; readonly token: string; readonly jobId: string } | { readonly kind: 'done'; readonly result: Omit<Result, 'updates'> };

async function runChild(spec: Spec): Promise<void> {
  const graph = compileQuery(spec.query, { events: spec.events, rate: 10_000, parallelism: 1 });
  let rowsOut = 0;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const job = await startQuery(graph, (rows) => {
    rowsOut += rows.length;
  });
  const webUi = spec.dashboard ? await serveWebUi(job, { port: 0 }) : undefined;
  if (webUi !== undefined) process.send!({ kind: 'listening', port: webUi.address.port, token: webUi.token, jobId: job.jobId } satisfies ChildMessage);
  await job.done;
  const cpu = process.cpuUsage(cpuBefore);
  const wallSeconds = (performance.now() - started) / 1000;
  await webUi?.close();
  process.send!({ kind: 'done', result: { ...spec, wallSeconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, rowsOut } } satisfies ChildMessage, () => process.exit(0));
}

/** Reads the job's live stream until it closes; the number of `update` events. */
async function readStream(port: number, token: string, jobId: string): Promise<number> {
  let updates = 0;
  try {
    const response = await fetch(`http://127.0.0.1:${port}/jobs/${jobId}/stream`, { headers: { authorization: `Bearer ${token}` } });
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      updates += value.split('event: update').length - 1;
    }
  } catch {
    // The job's process ended the stream by closing the server.
  }
  return updates;
}

function measure(spec: Spec): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), ['--child', JSON.stringify(spec)], { execArgv: process.execArgv });
    let reading: Promise<number> = Promise.resolve(0);
    child.on('message', (message: ChildMessage) => {
      if (message.kind === 'listening') reading = readStream(message.port, message.token, message.jobId);
      else void reading.then((updates) => resolve({ ...message.result, updates }));
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) reject(new Error(`the child exited with code ${code}`));
    });
  });
}

const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      child: { type: 'string' },
      query: { type: 'string', default: 'q5' },
      events: { type: 'string', default: '1000000' },
      rounds: { type: 'string', default: '3' },
    },
  });
  if (values.child !== undefined) return runChild(JSON.parse(values.child) as Spec);
  const query = values.query;
  if (!isNexmarkQuery(query)) throw new Error(`--query: unknown query '${query}'`);
  const events = Number(values.events);
  const rounds = Number(values.rounds);
  const results: Result[] = [];
  for (let round = 0; round < rounds; round++) {
    for (const dashboard of [false, true]) {
      const result = await measure({ query, events, dashboard });
      results.push(result);
      console.log(
        `${query} ${dashboard ? 'dashboard + stream client' : 'no dashboard             '}  ${Math.round(events / result.wallSeconds / 1000)} K ev/s  ` +
          `${Math.round(events / result.cpuSeconds / 1000)} K ev/CPU-s  wall ${result.wallSeconds.toFixed(2)} s  rows ${result.rowsOut}  updates ${result.updates}`,
      );
    }
  }
  for (const dashboard of [false, true]) {
    const runs = results.filter((r) => r.dashboard === dashboard);
    console.log(
      `median ${dashboard ? 'with dashboard' : 'without       '}: ${Math.round(median(runs.map((r) => events / r.wallSeconds)) / 1000)} K ev/s, ` +
        `${Math.round(median(runs.map((r) => events / r.cpuSeconds)) / 1000)} K ev/CPU-s`,
    );
  }
}

try {
  await main();
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
}

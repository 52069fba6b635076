/**
 * Batches between two threads (issue 10): rows/s and MB/s of Nexmark bid batches (7 columns, as the generator
 * makes them) sent by a worker thread to the main thread through a thread channel (thread-channel.ts), against
 * the same batches as structured-clone `postMessage` (one message per batch, the same credit of `capacity`
 * batches returned by acknowledgement messages), with the single-thread `Channel` (no copy at all) as the ceiling
 * and the thread channel with both ends in one thread (encode + copy + decode, no second core) beside it.
 * MB/s counts the encoded bytes of the batches for every line, so that lines compare. Rows per CPU-second (both
 * threads' CPU) is the steadier figure on a loaded machine. Each line is timed from when the worker has started
 * and made its batches (a worker's start-up under tsx is seconds of CPU: it was most of these lines' CPU once) to
 * the last row read. `tsx bench/thread-channel.ts [rows per batch size]`.
 */
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { NexmarkGenerator } from '../connectors/nexmark/generator.js';
import { DEFAULT_NEXMARK_RATE } from '../connectors/nexmark/model.js';
import { EventEncoder } from '../runtime/channels/batch-codec.js';
import { Channel, type ChannelReader, type ChannelWriter } from '../runtime/channels/channel.js';
import { Signal } from '../runtime/channels/signal.js';
import {
  createThreadChannel,
  openThreadChannelReader,
  openThreadChannelWriter,
  type ThreadChannelDescriptor,
} from '../runtime/channels/thread-channel.js';
import type { RecordBatch } from '../runtime/record-batch.js';

const ROWS = Number(process.argv[2] ?? 1_000_000);
const BATCH_SIZES = [256, 1024];
const CAPACITY = 8;
/** Distinct batches generated up front and sent round robin: generation stays out of the figures. */
const DISTINCT_BATCHES = 64;

type Mode = 'thread-channel' | 'post-message';
interface WorkerSpec {
  readonly mode: Mode;
  readonly batchSize: number;
  readonly batches: number;
  readonly descriptor?: ThreadChannelDescriptor;
}

function bidBatches(batchSize: number): RecordBatch[] {
  const bid = new NexmarkGenerator(DEFAULT_NEXMARK_RATE).rowMaker('bid');
  return Array.from({ length: DISTINCT_BATCHES }, (_, b) => ({ rows: Array.from({ length: batchSize }, (_, r) => bid(b * batchSize + r)) }));
}

function encodedBytesPerBatch(batches: readonly RecordBatch[]): number {
  const encoder = new EventEncoder();
  return batches.reduce((sum, batch) => sum + encoder.encode({ type: 'batch', batch }).length, 0) / batches.length;
}

/** Pushes `count` batches then end-of-input, waiting for room whenever the channel is full. */
async function produce(writer: ChannelWriter, batches: readonly RecordBatch[], count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    writer.push({ type: 'batch', batch: batches[i % batches.length]! });
    if (writer.isFull) await writer.whenWritable();
  }
  writer.push({ type: 'end-of-input' });
}

/** Polls until end-of-input; returns the rows read (touching each row's first value, as a consumer would). */
async function consume(reader: ChannelReader): Promise<number> {
  const signal = new Signal();
  reader.setAvailabilityListener(signal);
  let rows = 0;
  for (;;) {
    const event = reader.poll();
    if (event === undefined) {
      await signal.wait();
    } else if (event.type === 'batch') {
      for (const row of event.batch.rows) if (row[0] !== undefined) rows++;
    } else if (event.type === 'end-of-input') {
      return rows;
    }
  }
}

function startWorker(spec: WorkerSpec): Worker {
  const url = new URL(import.meta.url).href;
  const code = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(url)}); })`;
  return new Worker(code, { eval: true, workerData: spec });
}

async function runWorker(spec: WorkerSpec): Promise<void> {
  const batches = bidBatches(spec.batchSize);
  // Started (modules loaded, batches made): the main thread starts its clock, then says go.
  await new Promise<void>((resolve) => {
    parentPort!.once('message', () => resolve());
    parentPort!.postMessage('ready');
  });
  if (spec.mode === 'thread-channel') {
    await produce(openThreadChannelWriter(spec.descriptor!), batches, spec.batches);
    return;
  }
  let credit = CAPACITY;
  const refill = new Signal();
  parentPort!.on('message', () => {
    credit++;
    refill.notify();
  });
  for (let i = 0; i < spec.batches; i++) {
    while (credit === 0) await refill.wait();
    credit--;
    parentPort!.postMessage(batches[i % batches.length]!.rows);
  }
  parentPort!.postMessage(null);
  parentPort!.removeAllListeners('message');
}

/** A worker started and ready to send: its start-up (seconds of CPU under tsx) is no part of the figures. */
async function readyWorker(spec: WorkerSpec): Promise<Worker> {
  const worker = startWorker(spec);
  await new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  return worker;
}

/** Rows received by the main thread from a worker that sends `batches` batches the `mode` way, timed from its go. */
async function acrossThreads(mode: Mode, batchSize: number, batches: number): Promise<Timed> {
  if (mode === 'thread-channel') {
    const descriptor = createThreadChannel(CAPACITY, 'bench');
    const worker = await readyWorker({ mode, batchSize, batches, descriptor });
    const result = await timed(() => {
      worker.postMessage('go');
      return consume(openThreadChannelReader(descriptor));
    });
    await worker.terminate();
    return result;
  }
  const worker = await readyWorker({ mode, batchSize, batches });
  const result = await timed(() => new Promise<number>((resolve, reject) => {
    let count = 0;
    worker.on('message', (received: unknown[][] | null) => {
      if (received === null) {
        resolve(count);
        return;
      }
      for (const row of received) if (row[0] !== undefined) count++;
      worker.postMessage(0);
    });
    worker.once('error', reject);
    worker.postMessage('go');
  }));
  await worker.terminate();
  return result;
}

async function inOneThread(writer: ChannelWriter, reader: ChannelReader, batchSize: number, batches: number): Promise<Timed> {
  const made = bidBatches(batchSize);
  return timed(async () => (await Promise.all([consume(reader), produce(writer, made, batches)]))[0]);
}

interface Timed {
  readonly rows: number;
  readonly seconds: number;
  /** The process's CPU (every thread's) while `run` ran. */
  readonly cpuSeconds: number;
}

async function timed(run: () => Promise<number>): Promise<Timed> {
  const start = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  const rows = await run();
  const cpu = process.cpuUsage(cpuStart);
  return { rows, seconds: Number(process.hrtime.bigint() - start) / 1e9, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
}

async function measure(label: string, bytesPerRow: number, run: () => Promise<Timed>): Promise<void> {
  await run(); // warm up (JIT)
  const { rows, seconds, cpuSeconds } = await run();
  const rowsPerSecond = rows / seconds;
  console.log(
    `  ${label.padEnd(34)} ${Math.round(rowsPerSecond).toLocaleString('en-US').padStart(11)} rows/s ${((rowsPerSecond * bytesPerRow) / 1e6).toFixed(0).padStart(5)} MB/s ${Math.round(rows / cpuSeconds).toLocaleString('en-US').padStart(11)} rows/CPU-s  (${seconds.toFixed(2)} s wall, process CPU ${((cpuSeconds / seconds) * 100).toFixed(0)} %)`,
  );
}

async function main(): Promise<void> {
  console.log(`Thread channel: ${ROWS.toLocaleString('en-US')} Nexmark bid rows per line, capacity ${CAPACITY} batches, worker → main thread`);
  for (const batchSize of BATCH_SIZES) {
    const batches = Math.ceil(ROWS / batchSize);
    const bytesPerRow = encodedBytesPerBatch(bidBatches(batchSize)) / batchSize;
    console.log(`batches of ${batchSize} rows (${bytesPerRow.toFixed(1)} encoded bytes per row)`);
    await measure('Channel, one thread (ceiling)', bytesPerRow, () => {
      const channel = new Channel(CAPACITY, 'bench');
      return inOneThread(channel, channel, batchSize, batches);
    });
    await measure('thread channel, one thread', bytesPerRow, () => {
      const descriptor = createThreadChannel(CAPACITY, 'bench');
      return inOneThread(openThreadChannelWriter(descriptor), openThreadChannelReader(descriptor), batchSize, batches);
    });
    await measure('thread channel, worker → main', bytesPerRow, () => acrossThreads('thread-channel', batchSize, batches));
    await measure('postMessage (structured clone)', bytesPerRow, () => acrossThreads('post-message', batchSize, batches));
  }
}

if (isMainThread) await main();
else await runWorker(workerData as WorkerSpec);


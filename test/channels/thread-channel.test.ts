import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import type { ChannelEvent } from '../../runtime/channels/channel-event.js';
import { Signal } from '../../runtime/channels/signal.js';
import {
  createThreadChannel,
  openThreadChannelReader,
  openThreadChannelWriter,
  type ThreadChannelDescriptor,
} from '../../runtime/channels/thread-channel.js';
import { generatedEvents } from './thread-channel-events.js';

const batch = (...ids: number[]): ChannelEvent => ({ type: 'batch', batch: { rows: ids.map((id) => [id, `row ${id}`]) } });

function drain(reader: { poll(): ChannelEvent | undefined }): ChannelEvent[] {
  const events: ChannelEvent[] = [];
  for (let event = reader.poll(); event !== undefined; event = reader.poll()) events.push(event);
  return events;
}

/** Reads until end-of-input, awaiting the availability signal whenever the channel is empty. */
async function readAll(reader: ReturnType<typeof openThreadChannelReader>): Promise<ChannelEvent[]> {
  const signal = new Signal();
  reader.setAvailabilityListener(signal);
  const events: ChannelEvent[] = [];
  for (;;) {
    const event = reader.poll();
    if (event === undefined) {
      await signal.wait();
      continue;
    }
    events.push(event);
    if (event.type === 'end-of-input') return events;
  }
}

/**
 * The code of a worker that runs the TypeScript module `url`: it registers tsx's loader in the worker first.
 * (`execArgv: ['--import', 'tsx']` does not work on Node 20: the worker's entry is resolved before the loader.)
 */
function typeScriptWorker(url: URL): string {
  return `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(url.href)}); })`;
}

function startWorker(role: 'produce' | 'consume', descriptor: ThreadChannelDescriptor, batches: number): Promise<Record<string, unknown>> {
  const worker = new Worker(typeScriptWorker(new URL('./thread-channel-worker.ts', import.meta.url)), {
    eval: true,
    workerData: { role, descriptor, batches },
  });
  return new Promise((resolve, reject) => {
    worker.once('message', (message: Record<string, unknown>) => {
      resolve(message);
      void worker.terminate();
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`worker exited with ${code} before answering`)));
  });
}

describe('thread channel, both ends in one thread', () => {
  it('delivers events in push order, control events in band', () => {
    const descriptor = createThreadChannel(4, 'a[0] → b[0]');
    const writer = openThreadChannelWriter(descriptor);
    const reader = openThreadChannelReader(descriptor);
    expect(reader.isEmpty).toBe(true);
    expect(reader.poll()).toBeUndefined();
    const events: ChannelEvent[] = [
      batch(1, 2),
      { type: 'watermark', timestamp: 10 },
      { type: 'barrier', checkpointId: 3, timestamp: 99, savepoint: true },
      batch(3),
      { type: 'status', idle: true },
      { type: 'cancel-barrier', checkpointId: 3 },
      { type: 'end-of-input' },
    ];
    for (const event of events) writer.push(event);
    expect(reader.isEmpty).toBe(false);
    expect(drain(reader)).toEqual(events);
    expect(reader.isEmpty).toBe(true);
  });

  it('is full at capacity batches unread (control events do not count) and the reader returns credit as it polls', async () => {
    const descriptor = createThreadChannel(2, 'a[0] → b[0]');
    const writer = openThreadChannelWriter(descriptor);
    const reader = openThreadChannelReader(descriptor);
    writer.push(batch(1));
    writer.push({ type: 'watermark', timestamp: 1 });
    expect(writer.isFull).toBe(false);
    writer.push(batch(2));
    expect(writer.isFull).toBe(true);
    let released = false;
    const writable = writer.whenWritable().then(() => {
      released = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(released).toBe(false);
    expect(reader.poll()).toEqual(batch(1));
    await writable;
    expect(released).toBe(true);
    expect(writer.isFull).toBe(false);
  });

  it('notifies the availability listener when the channel goes from empty to non-empty', async () => {
    const descriptor = createThreadChannel(4, 'a[0] → b[0]');
    const writer = openThreadChannelWriter(descriptor);
    const reader = openThreadChannelReader(descriptor);
    const signal = new Signal();
    reader.setAvailabilityListener(signal);
    expect(reader.poll()).toBeUndefined();
    setImmediate(() => writer.push(batch(7)));
    await signal.wait();
    expect(reader.poll()).toEqual(batch(7));
  });

  it('passes a batch larger than the ring, in order, the writer keeping the rest until the reader makes room', async () => {
    const descriptor = createThreadChannel(8, 'a[0] → b[0]', 1024);
    const writer = openThreadChannelWriter(descriptor);
    const reader = openThreadChannelReader(descriptor);
    const events = [...generatedEvents(6)];
    const read = readAll(reader);
    for (const event of events) writer.push(event);
    expect(await read).toEqual(events);
  });

  it('close from the reader releases a producer waiting for room, and the writer then drops what it pushes', async () => {
    const descriptor = createThreadChannel(1, 'a[0] → b[0]');
    const writer = openThreadChannelWriter(descriptor);
    const reader = openThreadChannelReader(descriptor);
    writer.push(batch(1));
    expect(writer.isFull).toBe(true);
    const writable = writer.whenWritable();
    reader.close();
    await writable;
    expect(writer.isFull).toBe(false);
    writer.push(batch(2));
    expect(drain(reader)).toEqual([batch(1)]);
  });

  it('close from the writer wakes a reader waiting for data', async () => {
    const descriptor = createThreadChannel(1, 'a[0] → b[0]');
    const writer = openThreadChannelWriter(descriptor);
    const reader = openThreadChannelReader(descriptor);
    const signal = new Signal();
    reader.setAvailabilityListener(signal);
    expect(reader.poll()).toBeUndefined();
    const woken = signal.wait();
    writer.close();
    await woken;
    expect(reader.poll()).toBeUndefined();
  });

  it('refuses a capacity below 1 and a ring size that is not a power of two', () => {
    expect(() => createThreadChannel(0, 'x')).toThrow(RangeError);
    expect(() => createThreadChannel(1, 'x', 1000)).toThrow(RangeError);
  });
});

describe('thread channel between threads', () => {
  const batches = 60;
  const expected = [...generatedEvents(batches)];

  it('worker → main thread, with back-pressure on the producer', async () => {
    const descriptor = createThreadChannel(2, 'w[0] → main[0]', 4096);
    const reader = openThreadChannelReader(descriptor);
    const produced = startWorker('produce', descriptor, batches);
    expect(await readAll(reader)).toEqual(expected);
    expect((await produced)['waits']).toBeGreaterThan(0);
  });

  it('main thread → worker', async () => {
    const descriptor = createThreadChannel(2, 'main[0] → w[0]', 4096);
    const writer = openThreadChannelWriter(descriptor);
    const consumed = startWorker('consume', descriptor, batches);
    for (const event of expected) {
      writer.push(event);
      if (writer.isFull) await writer.whenWritable();
    }
    expect((await consumed)['events']).toEqual(expected);
  });

  it('worker → worker', async () => {
    const descriptor = createThreadChannel(3, 'w[0] → w[1]');
    const consumed = startWorker('consume', descriptor, batches);
    await startWorker('produce', descriptor, batches);
    expect((await consumed)['events']).toEqual(expected);
  });
});

import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import type { ChannelEvent } from '../../runtime/channels/channel-event.js';
import { Signal } from '../../runtime/channels/signal.js';
import {
  createThreadChannel,
  openThreadChannelReader,
  openThreadChannelWriter,
  ringBytesWithin,
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

function startWorker(role: 'produce' | 'consume' | 'overtake', descriptor: ThreadChannelDescriptor, batches: number): Promise<Record<string, unknown>> {
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

  it('puts an overtaking barrier ahead of everything unread and returns the batches it overtook, which follow it', () => {
    const descriptor = createThreadChannel(8, 'a[0] → b[0]');
    const writer = openThreadChannelWriter(descriptor);
    const reader = openThreadChannelReader(descriptor);
    for (const event of [batch(1), batch(2), { type: 'watermark', timestamp: 5 } as const, batch(3)]) writer.push(event);
    expect(reader.poll()).toEqual(batch(1));
    const barrier: ChannelEvent = { type: 'barrier', checkpointId: 4, timestamp: 40, savepoint: false };
    const overtaken = writer.overtake!(barrier);
    expect(overtaken.map((b) => b.rows[0]![0])).toEqual([2, 3]);
    expect(reader.isEmpty).toBe(false);
    writer.push(batch(4));
    expect(drain(reader)).toEqual([barrier, batch(2), { type: 'watermark', timestamp: 5 }, batch(3), batch(4)]);
    // The overtaken batches were still unread: they counted against the capacity until now.
    expect(writer.isFull).toBe(false);
  });

  it('overtakes nothing in an empty channel and wakes its waiting reader', async () => {
    const descriptor = createThreadChannel(2, 'a[0] → b[0]');
    const writer = openThreadChannelWriter(descriptor);
    const reader = openThreadChannelReader(descriptor);
    const signal = new Signal();
    reader.setAvailabilityListener(signal);
    expect(reader.poll()).toBeUndefined();
    const woken = signal.wait();
    const barrier: ChannelEvent = { type: 'barrier', checkpointId: 1, timestamp: 10, savepoint: true };
    expect(writer.overtake!(barrier)).toEqual([]);
    await woken;
    expect(drain(reader)).toEqual([barrier]);
  });

  it('sends a second barrier in band while the first still waits to overtake, so that they stay in order', () => {
    const descriptor = createThreadChannel(8, 'a[0] → b[0]');
    const writer = openThreadChannelWriter(descriptor);
    const reader = openThreadChannelReader(descriptor);
    writer.push(batch(1));
    const first: ChannelEvent = { type: 'barrier', checkpointId: 1, timestamp: 10, savepoint: false };
    const second: ChannelEvent = { type: 'barrier', checkpointId: 2, timestamp: 20, savepoint: false };
    expect(writer.overtake!(first).length).toBe(1);
    writer.push(batch(2));
    expect(writer.overtake!(second)).toEqual([]);
    expect(drain(reader)).toEqual([first, batch(1), batch(2), second]);
  });

  it('sizes rings within a memory budget shared by the channels: 1 MiB at most, 64 KiB at least', () => {
    const MiB = 1 << 20;
    expect(ringBytesWithin(64 * MiB, 8)).toBe(MiB);
    expect(ringBytesWithin(64 * MiB, 64)).toBe(MiB);
    expect(ringBytesWithin(64 * MiB, 168)).toBe(256 * 1024);
    expect(ringBytesWithin(64 * MiB, 100_000)).toBe(64 * 1024);
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

  it('overtaking barriers from a worker: each lands ahead of exactly the batches the writer said it overtook', async () => {
    const descriptor = createThreadChannel(4, 'w[0] → main[0]', 8192);
    const reader = openThreadChannelReader(descriptor);
    const produced = startWorker('overtake', descriptor, 400);
    const events = await readAll(reader);
    const { overtakes } = (await produced) as { overtakes: { checkpointId: number; pushed: number; overtaken: number[] }[] };
    const ids = events.filter((e) => e.type === 'batch').map((e) => (e.type === 'batch' ? (e.batch.rows[0]![0] as number) : -1));
    expect(ids).toEqual(Array.from({ length: 400 }, (_, i) => i));
    expect(overtakes.some((o) => o.overtaken.length > 0)).toBe(true);
    for (const { checkpointId, pushed, overtaken } of overtakes) {
      const at = events.findIndex((e) => e.type === 'barrier' && e.checkpointId === checkpointId);
      // Batches pushed before the barrier that the reader got after it: exactly the ones overtaken.
      const after = events.slice(at + 1).flatMap((e) => (e.type === 'batch' && (e.batch.rows[0]![0] as number) < pushed ? [e.batch.rows[0]![0] as number] : []));
      expect(after).toEqual(overtaken);
    }
  });

  it('worker → worker', async () => {
    const descriptor = createThreadChannel(3, 'w[0] → w[1]');
    const consumed = startWorker('consume', descriptor, batches);
    await startWorker('produce', descriptor, batches);
    expect((await consumed)['events']).toEqual(expected);
  });
});

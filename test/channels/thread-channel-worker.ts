/**
 * A worker-thread end of a thread channel for thread-channel.test.ts: `produce` pushes `batches` generated
 * batches (waiting whenever the channel is full) then end-of-input; `overtake` pushes numbered
 * batches with overtaking barriers between them and posts back what each overtook; `consume` polls until
 * end-of-input and posts back everything it read. Started with `execArgv: ['--import', 'tsx']` so that it runs as TypeScript.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { ChannelEvent } from '../../runtime/channels/channel-event.js';
import { Signal } from '../../runtime/channels/signal.js';
import {
  openThreadChannelReader,
  openThreadChannelWriter,
  type ThreadChannelDescriptor,
} from '../../runtime/channels/thread-channel.js';
import { generatedEvents } from './thread-channel-events.js';

const { role, descriptor, batches } = workerData as { role: 'produce' | 'consume' | 'overtake'; descriptor: ThreadChannelDescriptor; batches: number };

if (role === 'produce') {
  const writer = openThreadChannelWriter(descriptor);
  let waits = 0;
  for (const event of generatedEvents(batches)) {
    writer.push(event);
    if (writer.isFull) {
      waits++;
      await writer.whenWritable();
    }
  }
  parentPort!.postMessage({ waits });
} else if (role === 'overtake') {
  // Batches [id] while the main thread reads, an overtaking barrier every 7 batches; reports what each overtook.
  const writer = openThreadChannelWriter(descriptor);
  const overtakes: { checkpointId: number; pushed: number; overtaken: number[] }[] = [];
  for (let id = 0; id < batches; id++) {
    writer.push({ type: 'batch', batch: { rows: [[id, 'x'.repeat(id % 200)]] } });
    if (id % 7 === 6) {
      const overtaken = writer.overtake!({ type: 'barrier', checkpointId: id, timestamp: id, savepoint: false });
      overtakes.push({ checkpointId: id, pushed: id + 1, overtaken: overtaken.map((b) => b.rows[0]![0] as number) });
    }
    if (writer.isFull) await writer.whenWritable();
  }
  writer.push({ type: 'end-of-input' });
  parentPort!.postMessage({ overtakes });
} else {
  const reader = openThreadChannelReader(descriptor);
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
    if (event.type === 'end-of-input') break;
  }
  parentPort!.postMessage({ events });
}

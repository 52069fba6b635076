/**
 * A worker-thread end of a thread channel for thread-channel.test.ts: `produce` pushes `batches` generated
 * batches (waiting whenever the channel is full) then end-of-input; `consume` polls until end-of-input and posts
 * back everything it read. Started with `execArgv: ['--import', 'tsx']` so that it runs as TypeScript.
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

const { role, descriptor, batches } = workerData as { role: 'produce' | 'consume'; descriptor: ThreadChannelDescriptor; batches: number };

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

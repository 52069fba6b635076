import { randomUUID } from 'node:crypto';
import type { ChannelEvent } from '../../../runtime/channels/channel-event.js';
import type { ChannelReader, ChannelWriter } from '../../../runtime/channels/channel.js';
import { Signal } from '../../../runtime/channels/signal.js';
import type { ThreadChannelDescriptor } from '../../../runtime/workers/thread-channels.js';

/**
 * A stand-in for runtime/channels/thread-channel.ts in tests of the worker runtime: one BroadcastChannel per
 * direction, events structured-cloned one message each, one credit message per batch read. Slow, but with the
 * semantics of `Channel`: batches count towards `capacity`, control events never wait. Each end says hello when it
 * opens and the writer holds its events until the reader answered, since a broadcast reaches only open ends.
 */
interface Descriptor extends ThreadChannelDescriptor {
  readonly id: string;
}

type Control = { readonly type: 'hello' } | { readonly type: 'ready' } | { readonly type: 'credit' };

export function createThreadChannel(capacity: number, name: string): Descriptor {
  return { name, capacity, id: randomUUID() };
}

export function openThreadChannelWriter(descriptor: ThreadChannelDescriptor): ChannelWriter & { close(): void } {
  const { id, capacity } = descriptor as Descriptor;
  const data = new BroadcastChannel(`${id}:data`);
  const control = new BroadcastChannel(`${id}:control`);
  const writable = new Signal();
  const held: ChannelEvent[] = [];
  let ready = false;
  let inFlight = 0;
  let closed = false;
  control.onmessage = (message: { data: Control }) => {
    if (message.data.type === 'ready' && !ready) {
      ready = true;
      for (const event of held.splice(0)) data.postMessage(event);
    } else if (message.data.type === 'credit' && --inFlight === capacity - 1) writable.notify();
  };
  control.postMessage({ type: 'hello' } satisfies Control);
  return {
    push(event) {
      if (event.type === 'batch') inFlight++;
      if (ready) data.postMessage(event);
      else held.push(event);
    },
    get isFull() {
      return !closed && inFlight >= capacity;
    },
    async whenWritable() {
      while (!closed && inFlight >= capacity) await writable.wait();
    },
    close() {
      closed = true;
      writable.notify();
      data.close();
      control.close();
    },
  };
}

export function openThreadChannelReader(descriptor: ThreadChannelDescriptor): ChannelReader & { close(): void } {
  const { id } = descriptor as Descriptor;
  const data = new BroadcastChannel(`${id}:data`);
  const control = new BroadcastChannel(`${id}:control`);
  const queue: ChannelEvent[] = [];
  let head = 0;
  let listener: Signal | undefined;
  data.onmessage = (message: { data: ChannelEvent }) => {
    queue.push(message.data);
    if (queue.length - head === 1) listener?.notify();
  };
  control.onmessage = (message: { data: Control }) => {
    if (message.data.type === 'hello') control.postMessage({ type: 'ready' } satisfies Control);
  };
  control.postMessage({ type: 'ready' } satisfies Control);
  return {
    poll() {
      if (head === queue.length) return undefined;
      const event = queue[head++]!;
      if (head === queue.length) {
        queue.length = 0;
        head = 0;
      }
      if (event.type === 'batch') control.postMessage({ type: 'credit' } satisfies Control);
      return event;
    },
    get isEmpty() {
      return head === queue.length;
    },
    setAvailabilityListener(signal) {
      listener = signal;
      if (head !== queue.length) signal.notify();
    },
    close() {
      data.close();
      control.close();
    },
  };
}

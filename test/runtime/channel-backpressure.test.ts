import { describe, expect, it } from 'vitest';
import type { ChannelEvent } from '../../runtime/channels/channel-event.js';
import { Channel } from '../../runtime/channels/channel.js';
import { Signal } from '../../runtime/channels/signal.js';

const batch = (n: number): ChannelEvent => ({ type: 'batch', batch: { rows: [[n]] } });

describe('a bounded channel', () => {
  it('delivers batches and control events in order', () => {
    const channel = new Channel(4);
    const events: ChannelEvent[] = [batch(1), { type: 'watermark', timestamp: 5 }, batch(2), { type: 'end-of-input' }];
    for (const e of events) channel.push(e);
    const out: ChannelEvent[] = [];
    for (let e = channel.poll(); e !== undefined; e = channel.poll()) out.push(e);
    expect(out).toEqual(events);
    expect(channel.isEmpty).toBe(true);
  });

  it('is full at capacity batches; control events do not count', () => {
    const channel = new Channel(2);
    channel.push(batch(1));
    channel.push({ type: 'watermark', timestamp: 1 });
    expect(channel.isFull).toBe(false);
    channel.push(batch(2));
    expect(channel.isFull).toBe(true);
  });

  it('makes a producer wait until the consumer drains below capacity', async () => {
    const channel = new Channel(2);
    channel.push(batch(1));
    channel.push(batch(2));
    let resumed = false;
    const waiting = channel.whenWritable().then(() => {
      resumed = true;
    });
    await Promise.resolve();
    expect(resumed).toBe(false);
    channel.poll();
    await waiting;
    expect(resumed).toBe(true);
  });

  it('bounds a fast producer by a slow consumer: the queue never exceeds capacity', async () => {
    const channel = new Channel(3);
    const signal = new Signal();
    channel.setAvailabilityListener(signal);
    let maxQueued = 0;
    const producer = (async () => {
      for (let i = 0; i < 200; i++) {
        channel.push(batch(i));
        maxQueued = Math.max(maxQueued, channel.size);
        if (channel.isFull) await channel.whenWritable();
      }
      channel.push({ type: 'end-of-input' });
    })();
    const received: number[] = [];
    for (;;) {
      const event = channel.poll();
      if (event === undefined) {
        await signal.wait();
        continue;
      }
      if (event.type === 'end-of-input') break;
      if (event.type === 'batch') received.push(event.batch.rows[0]![0] as number);
      // A slow consumer: one macrotask per batch.
      await new Promise((resolve) => setImmediate(resolve));
    }
    await producer;
    expect(received).toEqual(Array.from({ length: 200 }, (_, i) => i));
    expect(maxQueued).toBe(3);
  });

  it('releases a blocked producer when closed (cancellation)', async () => {
    const channel = new Channel(1);
    channel.push(batch(1));
    const waiting = channel.whenWritable();
    channel.close();
    await expect(waiting).resolves.toBeUndefined();
  });
});

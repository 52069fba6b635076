import { describe, expect, it } from 'vitest';
import type { ChannelEvent } from '../../runtime/channels/channel-event.js';
import { Channel } from '../../runtime/channels/channel.js';
import { Signal } from '../../runtime/channels/signal.js';

const batch = (tag: string): ChannelEvent => ({ type: 'batch', batch: { rows: [[tag]] } });
const barrier = (checkpointId: number): ChannelEvent => ({ type: 'barrier', checkpointId, timestamp: 0, savepoint: false });
const tagOf = (e: ChannelEvent | undefined) => (e?.type === 'batch' ? e.batch.rows[0]![0] : e?.type === 'barrier' ? `barrier ${e.checkpointId}` : e?.type);

function drain(channel: Channel): unknown[] {
  const seen: unknown[] = [];
  for (let e = channel.poll(); e !== undefined; e = channel.poll()) seen.push(tagOf(e));
  return seen;
}

describe('an unaligned barrier overtaking a channel', () => {
  it('goes ahead of everything unread, returns the batches it overtook, and leaves them queued in order behind it', () => {
    const channel = new Channel(2);
    for (const t of ['a', 'b', 'c']) channel.push(batch(t));
    channel.push({ type: 'watermark', timestamp: 5 });
    channel.push(batch('d'));
    expect(tagOf(channel.poll())).toBe('a');
    const overtaken = channel.overtake(barrier(3));
    expect(overtaken.map((b) => b.rows[0]![0])).toEqual(['b', 'c', 'd']);
    expect(drain(channel)).toEqual(['barrier 3', 'b', 'c', 'watermark', 'd']);
  });

  it('overtakes nothing in an empty channel, and wakes its reader', () => {
    const channel = new Channel(1);
    const signal = new Signal();
    channel.setAvailabilityListener(signal);
    let woken = false;
    void signal.wait().then(() => (woken = true));
    expect(channel.overtake(barrier(1))).toEqual([]);
    return Promise.resolve().then(() => {
      expect(woken).toBe(true);
      expect(drain(channel)).toEqual(['barrier 1']);
    });
  });

  it('does not count the barrier towards capacity: a full channel stays full until a batch is read', () => {
    const channel = new Channel(2);
    channel.push(batch('a'));
    channel.push(batch('b'));
    channel.overtake(barrier(1));
    expect(channel.isFull).toBe(true);
    channel.poll();
    expect(channel.isFull).toBe(true);
    channel.poll();
    expect(channel.isFull).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import type { ChannelEvent } from '../../runtime/channels/channel-event.js';
import { Channel } from '../../runtime/channels/channel.js';
import { InputGate } from '../../runtime/channels/input-gate.js';
import { Signal } from '../../runtime/channels/signal.js';

const batch = (tag: string): ChannelEvent => ({ type: 'batch', batch: { rows: [[tag]] } });
const tagOf = (e: ChannelEvent | undefined) => (e?.type === 'batch' ? e.batch.rows[0]![0] : e?.type);

function gateOf(n: number) {
  const channels = Array.from({ length: n }, () => new Channel(16));
  const signal = new Signal();
  const gate = new InputGate(
    channels.map((reader, i) => ({ reader, input: i, name: `c${i}`, edge: { from: 'up', to: 'down', toInput: i }, fromSubtask: 0 })),
    signal,
  );
  return { channels, gate, signal };
}

describe('the input gate', () => {
  it('merges channels round robin, keeping each channel in order', () => {
    const { channels, gate } = gateOf(2);
    for (const t of ['a1', 'a2', 'a3']) channels[0]!.push(batch(t));
    for (const t of ['b1', 'b2']) channels[1]!.push(batch(t));
    const seen: unknown[] = [];
    for (let e = gate.poll(); e !== undefined; e = gate.poll()) seen.push(`${tagOf(e)}@${gate.lastChannel}`);
    expect(seen).toEqual(['a1@0', 'b1@1', 'a2@0', 'b2@1', 'a3@0']);
  });

  it('holds a blocked channel back without reordering it, and serves it after unblock', () => {
    const { channels, gate } = gateOf(2);
    channels[0]!.push(batch('a1'));
    channels[0]!.push(batch('a2'));
    channels[1]!.push(batch('b1'));
    gate.block(0);
    expect(tagOf(gate.poll())).toBe('b1');
    expect(gate.poll()).toBeUndefined();
    gate.unblock(0);
    expect([tagOf(gate.poll()), tagOf(gate.poll())]).toEqual(['a1', 'a2']);
  });

  it('holds a channel for the task independently of alignment: it is served only once both let it go', () => {
    const { channels, gate } = gateOf(2);
    channels[0]!.push({ type: 'barrier', checkpointId: 1, timestamp: 0, savepoint: false });
    channels[1]!.push(batch('b1'));
    gate.hold(0);
    gate.block(0);
    expect(tagOf(gate.poll())).toBe('b1');
    gate.release(0);
    expect(gate.poll()).toBeUndefined();
    gate.unblock(0);
    expect(tagOf(gate.poll())).toBe('barrier');
  });

  it('counts ended channels and finishes when all have ended', () => {
    const { channels, gate } = gateOf(2);
    channels[0]!.push({ type: 'end-of-input' });
    channels[1]!.push(batch('b1'));
    channels[1]!.push({ type: 'end-of-input' });
    const seen: unknown[] = [];
    for (let e = gate.poll(); e !== undefined; e = gate.poll()) seen.push(tagOf(e));
    expect(seen).toEqual(['end-of-input', 'b1', 'end-of-input']);
    expect(gate.finished).toBe(true);
    channels[0]!.push(batch('late'));
    expect(gate.poll()).toBeUndefined();
  });

  it('wakes the task when an empty channel receives an event', async () => {
    const { channels, gate, signal } = gateOf(2);
    expect(gate.poll()).toBeUndefined();
    const woken = signal.wait();
    channels[1]!.push(batch('x'));
    await woken;
    expect(tagOf(gate.poll())).toBe('x');
  });
});

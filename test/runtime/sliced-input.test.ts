import { describe, expect, it } from 'vitest';
import { Channel } from '../../runtime/channels/channel.js';
import { InputGate } from '../../runtime/channels/input-gate.js';
import { Signal } from '../../runtime/channels/signal.js';
import type { OperatorHost } from '../../runtime/execution/operator-host.js';
import { SlicedInput } from '../../runtime/execution/sliced-input.js';
import type { RecordBatch } from '../../runtime/record-batch.js';

function setUp() {
  const channels = [new Channel(16), new Channel(16)];
  const gate = new InputGate(
    channels.map((reader, i) => ({ reader, input: 0, name: `c${i}`, edge: { from: 'up', to: 'down', toInput: 0 }, fromSubtask: i })),
    new Signal(),
  );
  const slices: RecordBatch[] = [];
  const head = { processInput: (batch: RecordBatch) => void slices.push(batch) } as unknown as OperatorHost;
  return { channels, gate, slices, input: new SlicedInput(gate, head) };
}

const rows = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => [from + i]);

describe('input batches in slices', () => {
  it('processes a large batch in slices, in order, holding its channel until the last row', () => {
    const { channels, gate, slices, input } = setUp();
    const kinds = Uint8Array.from(rows(0, 300), ([n]) => (n as number) % 4);
    input.begin({ rows: rows(0, 300), kinds }, 0);
    expect(slices.map((s) => s.rows.length)).toEqual([64]);
    expect(input.pending).toBe(true);
    // What follows the batch on its channel (its barrier) waits; other channels are served.
    channels[0]!.push({ type: 'barrier', checkpointId: 1, timestamp: 0, savepoint: false });
    channels[1]!.push({ type: 'watermark', timestamp: 5 });
    expect(gate.poll()?.type).toBe('watermark');
    expect(gate.poll()).toBeUndefined();
    const rest = input.unprocessed(0)!;
    expect(rest.rows).toEqual(rows(64, 300));
    expect([...rest.kinds!]).toEqual([...kinds.subarray(64)]);
    expect(input.unprocessed(1)).toBeUndefined();
    while (input.pending) input.next();
    expect(slices.flatMap((s) => s.rows)).toEqual(rows(0, 300));
    expect(slices.flatMap((s) => [...s.kinds!])).toEqual([...kinds]);
    expect(gate.poll()?.type).toBe('barrier');
  });

  it('hands a batch that fits the slice to the operator as it is, holding nothing', () => {
    const { channels, gate, slices, input } = setUp();
    const batch = { rows: rows(0, 10) };
    input.begin(batch, 1);
    expect(slices[0]).toBe(batch);
    expect(input.pending).toBe(false);
    channels[1]!.push({ type: 'watermark', timestamp: 5 });
    expect(gate.poll()?.type).toBe('watermark');
  });
});

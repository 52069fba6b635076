import { afterEach, describe, expect, it } from 'vitest';
import type { ProcessFunction } from '../../../runtime/operators/process/process-function.js';
import { ManualClock } from '../../../runtime/time/clock.js';
import { OperatorHarness } from '../operator-harness.js';
import { compilePipe } from '../run-pipe.js';
import { processProgram } from './process-fixtures.js';

/** Reminds each account 5 s of processing time after its first payment, unless cancelled by a payment of 0. */
const reminder: ProcessFunction = {
  name: 'reminder',
  args: [],
  output: [
    { name: 'account', type: { name: 'STRING' }, nullable: true },
    { name: 'fired_at', type: { name: 'TIMESTAMP', precision: 3 }, nullable: false },
    { name: 'domain', type: { name: 'STRING' }, nullable: false },
  ],
  state: [{ name: 'due', kind: 'value', valueType: [{ name: 'due', type: { name: 'TIMESTAMP', precision: 3 }, nullable: false }] }],
  processElement(row, ctx) {
    const due = ctx.state.value<number>('due');
    if (row['amount'] === 0 && due.value() !== undefined) {
      ctx.timers.deleteProcessingTime(due.value()!);
      due.clear();
    } else if (due.value() === undefined) {
      due.update(ctx.currentProcessingTime() + 5_000);
      ctx.timers.registerProcessingTime(due.value()!);
    }
  },
  onTimer(timestamp, ctx) {
    ctx.state.value('due').clear();
    ctx.emit({ account: ctx.currentKey![0], fired_at: timestamp, domain: ctx.timeDomain });
  },
};

const harnesses: OperatorHarness[] = [];
afterEach(async () => {
  await Promise.all(harnesses.splice(0).map((h) => h.close()));
});

async function open(clock: ManualClock, restore?: Awaited<ReturnType<OperatorHarness['snapshot']>>): Promise<OperatorHarness> {
  const operator = compilePipe(processProgram('reminder() PARTITION BY account'), { functions: { processes: [reminder] } }).operators.find((o) => o.uid === 'p')!;
  const harness = await OperatorHarness.open(operator, { processFunctions: { reminder }, clock, ...(restore === undefined ? {} : { restore }) });
  harnesses.push(harness);
  return harness;
}

describe('processing-time timers of a process function', () => {
  it('fire when the clock reaches them, with the key set; a deleted one does not fire', async () => {
    const clock = new ManualClock(1_000);
    const harness = await open(clock);
    harness.process([['a', 5, 0], ['b', 5, 0]]);
    clock.set(3_000);
    harness.process([['b', 0, 0], ['c', 1, 0]]);
    harness.advanceProcessingTime(5_999);
    expect(harness.output.rows).toEqual([]);
    harness.advanceProcessingTime(6_000);
    expect(harness.output.rows).toEqual([['a', 6_000, 'processing']]);
    harness.advanceProcessingTime(8_000);
    expect(harness.output.rows).toEqual([['a', 6_000, 'processing'], ['c', 8_000, 'processing']]);
  });

  it('do not fire at the end of input (only event time goes to +Infinity), and survive a snapshot', async () => {
    const clock = new ManualClock(0);
    const first = await open(clock);
    first.process([['a', 5, 0]]);
    const snapshot = await first.snapshot();
    await first.finish();
    expect(first.output.rows).toEqual([]);

    const restored = await open(clock, snapshot);
    restored.advanceProcessingTime(5_000);
    expect(restored.output.rows).toEqual([['a', 5_000, 'processing']]);
  });
});

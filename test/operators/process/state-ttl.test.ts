import { afterEach, describe, expect, it } from 'vitest';
import type { ManagedStateDeclarationInput } from '../../../compiler/functions/signature-schema.js';
import type { Operator } from '../../../compiler/graph/job-graph.js';
import type { ProcessFunction } from '../../../runtime/operators/process/process-function.js';
import type { StateBackendType } from '../../../runtime/state/keyed-state-backend.js';
import { ManualClock } from '../../../runtime/time/clock.js';
import { OperatorHarness, type HarnessSnapshot } from '../operator-harness.js';
import { compilePipe } from '../run-pipe.js';
import { processProgram } from './process-fixtures.js';

type Ttl = ManagedStateDeclarationInput['ttl'];

/**
 * Per account: a payment (amount > 0) adds to a value state `total` and to a list state `amounts`, and emits both;
 * a payment of 0 only reads them and emits what it saw (NULL total, 0 amounts when nothing is there).
 */
function ledger(ttl: Ttl): ProcessFunction {
  const withTtl = ttl === undefined ? {} : { ttl };
  return {
    name: 'ledger',
    args: [{ name: 'DOUBLE' }],
    output: [
      { name: 'account', type: { name: 'STRING' }, nullable: true },
      { name: 'total', type: { name: 'DOUBLE' }, nullable: true },
      { name: 'amounts', type: { name: 'BIGINT' }, nullable: false },
    ],
    state: [
      { name: 'total', kind: 'value', valueType: [{ name: 'total', type: 'DOUBLE' }], ...withTtl },
      { name: 'amounts', kind: 'list', valueType: [{ name: 'amount', type: 'DOUBLE' }], ...withTtl },
    ],
    processElement(_row, ctx) {
      const amount = ctx.args[0] as number;
      const total = ctx.state.value<number>('total');
      const amounts = ctx.state.list<number>('amounts');
      if (amount > 0) {
        total.update((total.value() ?? 0) + amount);
        amounts.add(amount);
      }
      ctx.emit({ account: ctx.currentKey![0], total: total.value() ?? null, amounts: amounts.get().length });
    },
  };
}

function operatorOf(fn: ProcessFunction): Operator {
  return compilePipe(processProgram('ledger(amount) PARTITION BY account'), { functions: { processes: [fn] } }).operators.find((o) => o.uid === 'p')!;
}

const open: OperatorHarness[] = [];
afterEach(async () => {
  for (const h of open.splice(0)) await h.close();
});

async function harness(ttl: Ttl, clock: ManualClock, backend: StateBackendType = 'memory', restore?: HarnessSnapshot): Promise<OperatorHarness> {
  const fn = ledger(ttl);
  const h = await OperatorHarness.open(operatorOf(fn), { processFunctions: { ledger: fn }, clock, backend, ...(restore === undefined ? {} : { restore }) });
  open.push(h);
  return h;
}

const pay = (account: string, amount: number): unknown[] => [account, amount, 0];
const userState = async (h: OperatorHarness) =>
  (await h.keyedEntries())
    .filter((e) => !e.state.startsWith('__'))
    .map((e) => `${e.state} ${e.key}`)
    .sort();

describe.each<StateBackendType>(['memory', 'disk'])('TTL of process-function state (%s backend)', (backend) => {
  it("defaults: expires 1 s after the last write, invisible at once, removed by the cleanup timer; reads do not extend it", async () => {
    const clock = new ManualClock(0);
    const h = await harness({ ms: '1 s' }, clock, backend);
    h.process([pay('a', 5), pay('b', 1)]);
    clock.set(900);
    h.process([pay('a', 0)]);
    clock.set(999);
    h.process([pay('a', 0)]);
    // Past its TTL, a's state is not seen even though its timer has not fired yet.
    clock.set(1000);
    h.process([pay('a', 0)]);
    expect(h.output.rows).toEqual([
      ['a', 5, 1],
      ['b', 1, 1],
      ['a', 5, 1],
      ['a', 5, 1],
      ['a', null, 0],
    ]);
    expect(await userState(h)).toEqual(['amounts ["b"]', 'total ["b"]']);
    // The cleanup timer removes b's state (and its write times) from the backend, so from the next checkpoint.
    h.advanceProcessingTime(1000);
    expect(await h.keyedEntries()).toEqual([]);
  });

  it('a write restarts the TTL of a value, while each list element expires on its own: written at 0 and 800, the total lives until 1800, the first amount until 1000', async () => {
    const clock = new ManualClock(0);
    const h = await harness({ ms: 1000 }, clock, backend);
    h.process([pay('a', 5)]);
    clock.set(800);
    h.process([pay('a', 2)]);
    h.advanceProcessingTime(1799);
    h.process([pay('a', 0)]);
    h.advanceProcessingTime(1800);
    expect(await h.keyedEntries()).toEqual([]);
    expect(h.output.rows).toEqual([
      ['a', 5, 1],
      ['a', 7, 2],
      ['a', 7, 1],
    ]);
  });

  it("with update 'on-read-and-write' a read restarts the TTL too", async () => {
    const clock = new ManualClock(0);
    const h = await harness({ ms: 1000, update: 'on-read-and-write' }, clock, backend);
    h.process([pay('a', 5)]);
    clock.set(800);
    h.process([pay('a', 0)]);
    h.advanceProcessingTime(1700);
    h.process([pay('a', 0)]);
    expect(h.output.rows.at(-1)).toEqual(['a', 5, 1]);
    h.advanceProcessingTime(2699);
    expect(await userState(h)).toEqual(['amounts ["a"]', 'total ["a"]']);
    h.advanceProcessingTime(2700);
    expect(await h.keyedEntries()).toEqual([]);
  });

  it("with visibility 'return-expired-if-not-cleaned-up' expired state is read until its timer removes it", async () => {
    const clock = new ManualClock(0);
    const h = await harness({ ms: 1000, visibility: 'return-expired-if-not-cleaned-up' }, clock, backend);
    h.process([pay('a', 5)]);
    clock.set(1500);
    h.process([pay('a', 0)]);
    h.advanceProcessingTime(1500);
    h.process([pay('a', 0)]);
    expect(h.output.rows).toEqual([
      ['a', 5, 1],
      ['a', 5, 1],
      ['a', null, 0],
    ]);
  });

  it('restored with another TTL, the saved write times count under the new one; restored without, state is kept', async () => {
    const first = await harness({ ms: 1000 }, new ManualClock(0), backend);
    first.process([pay('a', 5)]);
    const snapshot = await first.snapshot();
    await first.close();

    const longer = await harness({ ms: '1 h' }, new ManualClock(0), backend, snapshot);
    longer.advanceProcessingTime(1000);
    expect(await userState(longer)).toEqual(['amounts ["a"]', 'total ["a"]']);
    longer.advanceProcessingTime(3_600_000);
    expect(await longer.keyedEntries()).toEqual([]);

    const none = await harness(undefined, new ManualClock(0), backend, snapshot);
    none.advanceProcessingTime(10_000);
    expect(await userState(none)).toEqual(['amounts ["a"]', 'total ["a"]']);
    expect((await none.keyedEntries()).filter((e) => e.state === '__ttl.written')).toEqual([]);
  });
});

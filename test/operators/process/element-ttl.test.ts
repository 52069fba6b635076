import { afterEach, describe, expect, it } from 'vitest';
import type { ManagedStateDeclarationInput } from '../../../compiler/functions/signature-schema.js';
import type { ProcessFunction } from '../../../runtime/operators/process/process-function.js';
import type { StateBackendType } from '../../../runtime/state/keyed-state-backend.js';
import { ManualClock } from '../../../runtime/time/clock.js';
import { OperatorHarness, type HarnessSnapshot } from '../operator-harness.js';
import { compilePipe } from '../run-pipe.js';
import { processProgram } from './process-fixtures.js';

type Ttl = ManagedStateDeclarationInput['ttl'];

/**
 * Per account, a list `amounts` and a map `seen` (amount as text → amount), both with the TTL given. A positive
 * amount is written to both; 0 reads both and emits them; a negative amount reads one map entry and emits it.
 */
function basket(ttl: Ttl): ProcessFunction {
  const withTtl = ttl === undefined ? {} : { ttl };
  return {
    name: 'basket',
    args: [{ name: 'DOUBLE' }],
    output: [
      { name: 'list', type: { name: 'STRING' }, nullable: true },
      { name: 'keys', type: { name: 'STRING' }, nullable: true },
    ],
    state: [
      { name: 'amounts', kind: 'list', valueType: [{ name: 'amount', type: 'DOUBLE' }], ...withTtl },
      { name: 'seen', kind: 'map', mapKeyType: [{ name: 'k', type: 'STRING' }], valueType: [{ name: 'amount', type: 'DOUBLE' }], ...withTtl },
    ],
    processElement(_row, ctx) {
      const amount = ctx.args[0] as number;
      const amounts = ctx.state.list<number>('amounts');
      const seen = ctx.state.map<string, number>('seen');
      if (amount > 0) {
        amounts.add(amount);
        seen.put(String(amount), amount);
      } else if (amount === 0) {
        ctx.emit({ list: JSON.stringify(amounts.get()), keys: JSON.stringify([...seen.keys()].sort()) });
      } else {
        ctx.emit({ list: null, keys: String(seen.get(String(-amount)) ?? 'none') });
      }
    },
  };
}

const open: OperatorHarness[] = [];
afterEach(async () => {
  for (const h of open.splice(0)) await h.close();
});

async function harness(ttl: Ttl, clock: ManualClock, backend: StateBackendType, restore?: HarnessSnapshot): Promise<OperatorHarness> {
  const fn = basket(ttl);
  const operator = compilePipe(processProgram('basket(amount) PARTITION BY account'), { functions: { processes: [fn] } }).operators.find((o) => o.uid === 'p')!;
  const h = await OperatorHarness.open(operator, { processFunctions: { basket: fn }, clock, backend, ...(restore === undefined ? {} : { restore }) });
  open.push(h);
  return h;
}

const pay = (amount: number): unknown[] => ['a', amount, 0];
/** What the backend holds of the user's states and of their element times, as `state namespace value`. */
const held = async (h: OperatorHarness) =>
  (await h.keyedEntries())
    .filter((e) => !e.state.startsWith('__timers'))
    .map((e) => `${e.state} ${e.namespace} ${e.hasMapKey ? `${String(e.mapKey)}=` : ''}${JSON.stringify(e.value)}`)
    .sort();

describe.each<StateBackendType>(['memory', 'disk'])('per-element TTL of list and map state (%s backend)', (backend) => {
  it('expires each list element and map entry on its own, TTL after its write: invisible at once, removed by the cleanup timer without any access', async () => {
    const clock = new ManualClock(0);
    const h = await harness({ ms: 1000 }, clock, backend);
    h.process([pay(5)]);
    clock.set(600);
    h.process([pay(2)]);
    // The cleanup timer of the first write fires at 1000: 5 goes from memory or disk, 2 stays, and the timer follows it.
    h.advanceProcessingTime(1000);
    expect(await held(h)).toEqual([
      '__ttl.element-times amounts [600]',
      '__ttl.entry-times seen 2=600',
      '__ttl.written amounts 600',
      '__ttl.written seen 600',
      'amounts  [2]',
      'seen  2=2',
    ]);
    clock.set(1599);
    h.process([pay(0), pay(-2), pay(-5)]);
    // Past its TTL an element is not seen, even before its timer fired.
    clock.set(1600);
    h.process([pay(0)]);
    expect(h.output.rows).toEqual([
      ['[2]', '["2"]'],
      [null, '2'],
      [null, 'none'],
      ['[]', '[]'],
    ]);
    h.advanceProcessingTime(1600);
    expect(await held(h)).toEqual([]);
  });

  it("with update 'on-read-and-write' a read restarts the life of what it returns", async () => {
    const clock = new ManualClock(0);
    const h = await harness({ ms: 1000, update: 'on-read-and-write' }, clock, backend);
    h.process([pay(5), pay(7)]);
    clock.set(800);
    h.process([pay(-5)]); // one map entry read: 5 lives until 1800; 7 and the list until 1000
    h.advanceProcessingTime(1000);
    expect((await held(h)).filter((line) => !line.startsWith('__'))).toEqual(['seen  5=5']);
    clock.set(1500);
    h.process([pay(0)]); // every entry read: 5 lives until 2500
    h.advanceProcessingTime(2499);
    expect((await held(h)).filter((line) => !line.startsWith('__'))).toEqual(['seen  5=5']);
    h.advanceProcessingTime(2500);
    expect(await held(h)).toEqual([]);
    expect(h.output.rows).toEqual([
      [null, '5'],
      ['[]', '["5"]'],
    ]);
  });

  it("with visibility 'return-expired-if-not-cleaned-up' expired elements are read until their timer removes them", async () => {
    const clock = new ManualClock(0);
    const h = await harness({ ms: 1000, visibility: 'return-expired-if-not-cleaned-up' }, clock, backend);
    h.process([pay(5)]);
    clock.set(500);
    h.process([pay(2)]);
    clock.set(1200);
    h.process([pay(0)]);
    h.advanceProcessingTime(1200);
    h.process([pay(0)]);
    expect(h.output.rows).toEqual([
      ['[5,2]', '["2","5"]'],
      ['[2]', '["2"]'],
    ]);
  });

  it('restores state saved when a list or map expired as a whole: its elements count as written at its last write', async () => {
    const firstClock = new ManualClock(0);
    const first = await harness({ ms: 1000 }, firstClock, backend);
    first.process([pay(5)]);
    firstClock.set(800);
    first.process([pay(2)]);
    const saved = await first.snapshot();
    await first.close();
    // The form before per-element TTL: no element times, `__ttl.written` the last write of the whole state.
    const lines = saved.keyed!.split('\n').filter((line, i) => i === 0 || (!line.includes('__ttl.element-times') && !line.includes('__ttl.entry-times')));
    const entries = lines.filter((line) => line.startsWith('[')).length;
    const rewritten = lines.map((line) => line.replace(/("__ttl\.written",.*,)0\]$/, '$1800]').replace(/"entries":\d+/, `"entries":${entries}`));
    const old: HarnessSnapshot = { ...saved, keyed: rewritten.join('\n') };
    expect(old.keyed).toContain('"__ttl.written"');
    expect(old.keyed).not.toMatch(/"__ttl\.written",.*,0\]$/m);

    const clock = new ManualClock(0);
    const h = await harness({ ms: 1000 }, clock, backend, old);
    h.advanceProcessingTime(1000);
    clock.set(1500);
    h.process([pay(9), pay(0)]);
    h.advanceProcessingTime(1800);
    h.process([pay(0)]);
    expect(h.output.rows).toEqual([
      ['[5,2,9]', '["2","5","9"]'],
      ['[9]', '["9"]'],
    ]);
    h.advanceProcessingTime(2500);
    expect(await held(h)).toEqual([]);
  });
});

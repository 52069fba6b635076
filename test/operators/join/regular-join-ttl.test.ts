import { afterEach, describe, expect, it } from 'vitest';
import type { Operator } from '../../../compiler/graph/job-graph.js';
import type { StateBackendType } from '../../../runtime/state/keyed-state-backend.js';
import { ManualClock } from '../../../runtime/time/clock.js';
import { changelogLines } from '../changelog.js';
import { OperatorHarness, type HarnessSnapshot } from '../operator-harness.js';
import { compiledJoin, joinProgram } from './join-fixtures.js';

/** orders (id, customer, amount, ts) joined with payments (order_id, paid, ts) on the order id; each side lives 1 s. */
const join = (type: 'JOIN' | 'LEFT JOIN'): Operator =>
  compiledJoin(joinProgram(type, 'o.id = p.order_id').replace("UID 'j'", "UID 'j' TTL INTERVAL '1' SECOND"), 'join');

const order = (id: number): unknown[] => [id, 'c', 10, 0];
const payment = (id: number): unknown[] => [id, 1, 0];

const open: OperatorHarness[] = [];
async function harness(operator: Operator, clock: ManualClock, backend: StateBackendType, restore?: HarnessSnapshot): Promise<OperatorHarness> {
  const h = await OperatorHarness.open(operator, { clock, backend, ...(restore === undefined ? {} : { restore }) });
  open.push(h);
  return h;
}

afterEach(async () => {
  for (const h of open.splice(0)) await h.close();
});

/** Per state: the encoded keys that have an entry in it. */
async function held(h: OperatorHarness): Promise<string[]> {
  return [...new Set((await h.keyedEntries()).map((e) => `${e.state}${e.namespace === '' ? '' : `/${e.namespace}`} ${e.key}`))].sort();
}

describe.each<StateBackendType>(['memory', 'disk'])('regular JOIN with a state TTL (%s backend)', (backend) => {
  it('each side expires on its own, 1 s after its last row; forgotten rows no longer match', async () => {
    const clock = new ManualClock(0);
    const h = await harness(join('JOIN'), clock, backend);
    h.process([order(1)], 0);
    h.advanceProcessingTime(600);
    h.process([payment(1)], 1);
    expect(changelogLines(h.output)).toEqual(['+I [1,"c",10,0,1,1,0]']);
    h.advanceProcessingTime(1000);
    // The order side (written at 0) is gone; the payment side (written at 600) lives until 1600.
    expect(await held(h)).toEqual([
      '__timers.processing/__ttl:right [1]',
      '__ttl.written/right [1]',
      'right-rows [1]',
    ]);
    h.process([order(1)], 0);
    h.advanceProcessingTime(1600);
    // The payment expired at 1600; the order written at 1000 lives until 2000.
    h.process([payment(1)], 1);
    expect(changelogLines(h.output)).toEqual(['+I [1,"c",10,0,1,1,0]', '+I [1,"c",10,0,1,1,0]', '+I [1,"c",10,0,1,1,0]']);
    h.advanceProcessingTime(2600);
    expect(await h.keyedEntries()).toEqual([]);
  });

  it('a side past its TTL is not matched even before its timer fires', async () => {
    const clock = new ManualClock(0);
    const h = await harness(join('JOIN'), clock, backend);
    h.process([order(1)], 0);
    clock.set(1000);
    h.process([payment(1)], 1);
    expect(changelogLines(h.output)).toEqual([]);
  });

  it('LEFT JOIN: a right row joining a left row extends the left side; once forgotten, a left row is padded again', async () => {
    const clock = new ManualClock(0);
    const h = await harness(join('LEFT JOIN'), clock, backend);
    h.process([order(1)], 0);
    h.advanceProcessingTime(800);
    h.process([payment(1)], 1);
    h.advanceProcessingTime(1500);
    expect((await held(h)).filter((line) => line.startsWith('left-rows'))).toEqual(['left-rows [1]']);
    h.advanceProcessingTime(1800);
    expect(await h.keyedEntries()).toEqual([]);
    h.process([order(1)], 0);
    expect(changelogLines(h.output)).toEqual([
      '+I [1,"c",10,0,null,null,null]',
      '-D [1,"c",10,0,null,null,null]',
      '+I [1,"c",10,0,1,1,0]',
      '+I [1,"c",10,0,null,null,null]',
    ]);
  });

  it('restored from a snapshot taken before expiry, the sides are cleaned when time passes', async () => {
    const first = await harness(join('JOIN'), new ManualClock(0), backend);
    first.process([order(1)], 0);
    first.process([payment(2)], 1);
    const snapshot = await first.snapshot();
    await first.close();
    const second = await harness(join('JOIN'), new ManualClock(500), backend, snapshot);
    expect((await second.keyedEntries()).length).toBeGreaterThan(0);
    second.advanceProcessingTime(1000);
    expect(await second.keyedEntries()).toEqual([]);
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import type { Operator } from '../../../compiler/graph/job-graph.js';
import type { StateBackendType } from '../../../runtime/state/keyed-state-backend.js';
import { ManualClock } from '../../../runtime/time/clock.js';
import { changelogLines } from '../changelog.js';
import { OperatorHarness } from '../operator-harness.js';
import { compiledOperator, program } from './pipes.js';

/** A count per user whose state lives 1 s after the user's last row. */
const counts = (ttl = " TTL INTERVAL '1' SECOND", set = ''): Operator =>
  compiledOperator(`${set}${program(`|> AGGREGATE COUNT(*) AS n GROUP BY user UID 'agg'${ttl}`)}`, 'agg', 'group_aggregate');

const click = (user: string): unknown[] => [user, 'p', 1, 0];

const open: OperatorHarness[] = [];
async function harness(operator: Operator, clock: ManualClock, backend: StateBackendType, restore?: Awaited<ReturnType<OperatorHarness['snapshot']>>): Promise<OperatorHarness> {
  const h = await OperatorHarness.open(operator, { clock, backend, ...(restore === undefined ? {} : { restore }) });
  open.push(h);
  return h;
}

afterEach(async () => {
  for (const h of open.splice(0)) await h.close();
});

/** The encoded keys that have any keyed state (timers and TTL write times included). */
async function keysHeld(h: OperatorHarness): Promise<string[]> {
  return [...new Set((await h.keyedEntries()).map((e) => e.key))].sort();
}

describe.each<StateBackendType>(['memory', 'disk'])('continuous AGGREGATE with a state TTL (%s backend)', (backend) => {
  it('forgets a group 1 s after its last write, not before; its next row starts it again with +I', async () => {
    const clock = new ManualClock(0);
    const h = await harness(counts(), clock, backend);
    h.process([click('a'), click('b')]);
    h.advanceProcessingTime(999);
    expect(await keysHeld(h)).toEqual(['["a"]', '["b"]']);
    h.process([click('a')]);
    h.advanceProcessingTime(1000);
    // b expired at 1000 and its timer removed it; a was written at 999 and lives until 1999.
    expect((await h.keyedEntries()).filter((e) => e.key === '["b"]')).toEqual([]);
    expect(await keysHeld(h)).toEqual(['["a"]']);
    h.advanceProcessingTime(1998);
    h.process([click('a'), click('b')]);
    expect(changelogLines(h.output)).toEqual(['+I ["a",1]', '+I ["b",1]', '-U ["a",1]', '+U ["a",2]', '-U ["a",2]', '+U ["a",3]', '+I ["b",1]']);
  });

  it('expired state is invisible at once, before its timer fires', async () => {
    const clock = new ManualClock(0);
    const h = await harness(counts(), clock, backend);
    h.process([click('a')]);
    clock.set(1000); // time passes, but the operator's timers have not been fired yet
    h.process([click('a')]);
    expect(changelogLines(h.output)).toEqual(['+I ["a",1]', '+I ["a",1]']);
  });

  it('removes the expired key from the next snapshot, timers and write times included', async () => {
    const clock = new ManualClock(0);
    const h = await harness(counts(), clock, backend);
    h.process([click('a'), click('b')]);
    const before = await h.snapshot();
    expect(before.keyed).toContain('"__ttl.written"');
    clock.set(500);
    h.process([click('b')]);
    h.advanceProcessingTime(1000);
    // The snapshot's text form, as a checkpoint writes it: a key appears as a JSON string.
    const after = (await h.snapshot()).keyed ?? '';
    expect(after).not.toContain(JSON.stringify('["a"]'));
    expect(after).toContain(JSON.stringify('["b"]'));
    h.advanceProcessingTime(1500);
    expect(await h.keyedEntries()).toEqual([]);
  });

  it('a subtask restored from a snapshot taken before expiry cleans the state when time passes', async () => {
    const clock = new ManualClock(0);
    const first = await harness(counts(), clock, backend);
    first.process([click('a')]);
    const snapshot = await first.snapshot();
    await first.close();

    const later = new ManualClock(400);
    const second = await harness(counts(), later, backend, snapshot);
    expect(await keysHeld(second)).toEqual(['["a"]']);
    second.advanceProcessingTime(1000);
    expect(await second.keyedEntries()).toEqual([]);
    second.process([click('a')]);
    expect(changelogLines(second.output)).toEqual(['+I ["a",1]']);
  });

  it('restored under a longer TTL, state written before lives by the new TTL', async () => {
    const clock = new ManualClock(0);
    const first = await harness(counts(), clock, backend);
    first.process([click('a')]);
    const snapshot = await first.snapshot();
    await first.close();

    const later = new ManualClock(0);
    const second = await harness(counts(" TTL INTERVAL '5' SECOND"), later, backend, snapshot);
    second.advanceProcessingTime(4999);
    expect(await keysHeld(second)).toEqual(['["a"]']);
    second.advanceProcessingTime(5000);
    expect(await second.keyedEntries()).toEqual([]);
  });
});

describe('continuous AGGREGATE state TTL settings', () => {
  it("takes 'table.exec.state.ttl' when the step has no TTL of its own", async () => {
    const clock = new ManualClock(0);
    const h = await harness(counts('', "SET 'table.exec.state.ttl' = '2 s';\n"), clock, 'memory');
    h.process([click('a')]);
    h.advanceProcessingTime(1999);
    expect(await keysHeld(h)).toEqual(['["a"]']);
    h.advanceProcessingTime(2000);
    expect(await h.keyedEntries()).toEqual([]);
  });

  it('without a TTL keeps state forever and keeps no write times or timers', async () => {
    const clock = new ManualClock(0);
    const h = await harness(counts(''), clock, 'memory');
    h.process([click('a')]);
    h.advanceProcessingTime(365 * 86_400_000);
    expect((await h.keyedEntries()).map((e) => e.state)).toEqual(['accumulators']);
  });

  it('restored without its TTL, the state stays and the earlier run’s timer only drops the write time', async () => {
    const clock = new ManualClock(0);
    const first = await harness(counts(), clock, 'memory');
    first.process([click('a')]);
    const snapshot = await first.snapshot();
    await first.close();

    const second = await harness(counts(''), new ManualClock(0), 'memory', snapshot);
    second.advanceProcessingTime(10_000);
    expect((await second.keyedEntries()).map((e) => e.state)).toEqual(['accumulators']);
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import type { Operator } from '../../../compiler/graph/job-graph.js';
import type { StateBackendType } from '../../../runtime/state/keyed-state-backend.js';
import { ManualClock } from '../../../runtime/time/clock.js';
import { changelogLines } from '../changelog.js';
import { OperatorHarness, type HarnessSnapshot } from '../operator-harness.js';
import { compilePipe } from '../run-pipe.js';
import { dedupProgram } from './dedup-fixtures.js';

/** DEDUPLICATE BY id whose state lives 1 s after the key's last write. */
function dedup(keep: 'FIRST' | 'LAST'): Operator {
  const text = dedupProgram('id', keep).replace("UID 'dedup'", "UID 'dedup' TTL INTERVAL '1' SECOND");
  return compilePipe(text).operators.find((op) => op.uid === 'dedup')!;
}

const event = (id: string, v: number): unknown[] => [id, 'eu', v, 0];

const open: OperatorHarness[] = [];
async function harness(operator: Operator, clock: ManualClock, backend: StateBackendType, restore?: HarnessSnapshot): Promise<OperatorHarness> {
  const h = await OperatorHarness.open(operator, { clock, backend, ...(restore === undefined ? {} : { restore }) });
  open.push(h);
  return h;
}

afterEach(async () => {
  for (const h of open.splice(0)) await h.close();
});

describe.each<StateBackendType>(['memory', 'disk'])('DEDUPLICATE with a state TTL (%s backend)', (backend) => {
  it('KEEP FIRST forgets a key 1 s after its first row (later duplicates do not extend it) and emits its next row again', async () => {
    const clock = new ManualClock(0);
    const h = await harness(dedup('FIRST'), clock, backend);
    h.process([event('a', 1)]);
    h.advanceProcessingTime(900);
    h.process([event('a', 2)]);
    h.advanceProcessingTime(999);
    h.process([event('a', 3)]);
    h.advanceProcessingTime(1000);
    expect(await h.keyedEntries()).toEqual([]);
    h.process([event('a', 4)]);
    expect(changelogLines(h.output)).toEqual(['+I ["a","eu",1,0]', '+I ["a","eu",4,0]']);
  });

  it('KEEP LAST: each row extends the key; an expired key starts again with +I, even before its timer fires', async () => {
    const clock = new ManualClock(0);
    const h = await harness(dedup('LAST'), clock, backend);
    h.process([event('a', 1)]);
    h.advanceProcessingTime(900);
    h.process([event('a', 2)]);
    h.advanceProcessingTime(1800);
    expect((await h.keyedEntries()).map((e) => e.state).sort()).toEqual(['__timers.processing', '__ttl.written', 'last-row']);
    clock.set(1900);
    h.process([event('a', 3)]);
    expect(changelogLines(h.output)).toEqual(['+I ["a","eu",1,0]', '-U ["a","eu",1,0]', '+U ["a","eu",2,0]', '+I ["a","eu",3,0]']);
  });

  it('restored from a snapshot taken before expiry, the key is cleaned when time passes', async () => {
    const first = await harness(dedup('LAST'), new ManualClock(0), backend);
    first.process([event('a', 1), event('b', 2)]);
    const snapshot = await first.snapshot();
    await first.close();
    const second = await harness(dedup('LAST'), new ManualClock(300), backend, snapshot);
    second.advanceProcessingTime(999);
    expect((await second.keyedEntries()).filter((e) => e.state === 'last-row').map((e) => e.key)).toEqual(['["a"]', '["b"]'].sort());
    second.advanceProcessingTime(1000);
    expect(await second.keyedEntries()).toEqual([]);
  });
});

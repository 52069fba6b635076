import { afterEach, describe, expect, it } from 'vitest';
import { CurrentKey } from '../../runtime/state/current-key.js';
import { TimerService, type Timer, type TimerEntry } from '../../runtime/time/timer-service.js';
import { TestBackends } from './state-test-backends.js';

const backends = new TestBackends();
afterEach(() => backends.disposeAll());

function setup() {
  const backend = backends.create('memory');
  const key = new CurrentKey(128, backend.keyGroupRange, 'timers');
  return { key, timers: new TimerService(backend, key) };
}

const text = (t: TimerEntry) => `${t.domain}:${t.timestamp}:${t.encodedKey}:${t.namespace}:${t.keyGroup}`;
const entries = (list: readonly TimerEntry[]) => list.map(text).sort();

/** A seeded generator, so that a failing sequence is the same on every run. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

describe('window timers (registerNewEventTimeTimer)', () => {
  it('fire, snapshot, delete and list per key exactly as timers registered one by one', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const next = random(seed);
      const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
      // The reference registers every timer with the dedup lookup; the other registers the "window" ones as new.
      const reference = setup();
      const grouped = setup();
      const pending = new Set<string>();
      const keys = ['a', 'b', 'c', 'd', 'ä', '😀', 'z'];
      const namespaces = ['', '10', '20'];
      const fired: [string[], string[]] = [[], []];
      let watermark = 0;
      const both = (act: (side: { key: CurrentKey; timers: TimerService }, n: 0 | 1) => void) => {
        act(reference, 0);
        act(grouped, 1);
      };
      for (let step = 0; step < 300; step++) {
        const k = pick(keys);
        const ns = pick(namespaces);
        const ts = watermark + 1 + Math.floor(next() * 6);
        const id = `${k}:${ts}:${ns}`;
        const op = next();
        if (op < 0.45) {
          const isNew = !pending.has(id);
          // Half of them kept encoded only (a window join's): fired alike, the key decoded when read.
          const keyAtFire = next() < 0.5;
          both((side, n) => {
            side.key.set([k]);
            if (n === 1 && isNew) side.timers.registerNewEventTimeTimer(ts, ns, keyAtFire);
            else side.timers.registerEventTimeTimer(ts, ns);
          });
          pending.add(id);
        } else if (op < 0.6) {
          // A timer of the same key, namespace and timestamp through the dedup path: must find the group's.
          both((side) => {
            side.key.set([k]);
            side.timers.registerEventTimeTimer(ts, ns);
          });
          pending.add(id);
        } else if (op < 0.72) {
          both((side) => {
            side.key.set([k]);
            side.timers.deleteEventTimeTimer(ts, ns);
          });
          pending.delete(id);
        } else if (op < 0.82) {
          expect(entries(grouped.timers.snapshotTimers(false).entries())).toEqual(entries(reference.timers.snapshotTimers(false).entries()));
          for (const other of keys) {
            const encoded = JSON.stringify([other]);
            expect(entries(grouped.timers.timersOfKey(encoded))).toEqual(entries(reference.timers.timersOfKey(encoded)));
          }
          expect(grouped.timers.isEmpty).toBe(reference.timers.isEmpty);
        } else {
          watermark += Math.floor(next() * 4);
          const w = watermark;
          both((side, n) =>
            side.timers.advanceWatermark(w, (t: Timer) => {
              fired[n].push(`${t.timestamp}:${JSON.stringify(t.key)}:${t.namespace} current=${JSON.stringify(side.key.key)}`);
              const id = `${t.key[0] as string}:${t.timestamp}:${t.namespace}`;
              if (n === 1) pending.delete(id);
              // While firing: a due timer of this key (fires in this pass) and the deletion of another.
              if (t.namespace === '10' && t.timestamp % 3 === 0) {
                if (n === 1) side.timers.registerNewEventTimeTimer(t.timestamp, '20');
                else side.timers.registerEventTimeTimer(t.timestamp, '20');
              }
              if (t.namespace === '' && t.timestamp % 2 === 0) side.timers.deleteEventTimeTimer(t.timestamp, '20');
            }),
          );
          expect(fired[1]).toEqual(fired[0]);
        }
      }
      both((side, n) => side.timers.advanceWatermark(Infinity, (t) => fired[n].push(`${t.timestamp}:${JSON.stringify(t.key)}:${t.namespace}`)));
      expect(fired[1]).toEqual(fired[0]);
      expect(grouped.timers.isEmpty).toBe(true);
    }
  });

  it('orders the timers of one timestamp by key, then namespace, across window groups and single timers', () => {
    const { key, timers } = setup();
    key.set(['m']);
    timers.registerNewEventTimeTimer(9, 'y');
    key.set(['z']);
    timers.registerNewEventTimeTimer(9, 'x');
    key.set(['a']);
    timers.registerNewEventTimeTimer(9, 'y');
    key.set(['m']);
    timers.registerEventTimeTimer(9, 'x');
    key.set(['b']);
    timers.registerEventTimeTimer(5);
    const fired: string[] = [];
    timers.advanceWatermark(9, (t) => fired.push(`${t.timestamp}:${t.key[0] as string}:${t.namespace}`));
    expect(fired).toEqual(['5:b:', '9:a:y', '9:m:x', '9:m:y', '9:z:x']);
  });

  it('a timer registered without its key at fire keeps only the encoding, and decodes the key if it is read', () => {
    const { key, timers } = setup();
    const keys: unknown[][] = [[7, 1_436_918_400_000, 1_436_918_410_000], [3], ['ä', 2.5, null], [-0]];
    for (const k of keys) {
      key.set(k);
      timers.registerNewEventTimeTimer(9, '0', false);
    }
    // Nothing but the encodings and key groups is held for them until they fire.
    const group = (timers as unknown as { windows: { earliestGroups(): readonly { keys: unknown[]; size: number }[] } }).windows.earliestGroups()[0]!;
    expect(group.keys.slice(0, group.size)).toEqual([undefined, undefined, undefined, undefined]);
    const fired: unknown[] = [];
    const stateKeys: unknown[] = [];
    timers.advanceWatermark(9, (t) => {
      fired.push([t.key, key.key]);
      stateKeys.push(key.stateKey);
    });
    // In key order (of the encodings), each as set: the timer's key and the current key alike.
    const expected = [['ä', 2.5, null], [0], [3], [7, 1_436_918_400_000, 1_436_918_410_000]];
    expect(fired).toEqual(expected.map((k) => [k, k]));
    // The state key as `set` finds it: a key of one number is the number, any other its encoding.
    expect(stateKeys).toEqual(['["ä",2.5,null]', 0, 3, '[7,1436918400000,1436918410000]']);
  });

  it('records the keys whose window timers changed, for incremental checkpoints', () => {
    const { key, timers } = setup();
    timers.snapshotTimers(true);
    key.set([1]);
    timers.registerNewEventTimeTimer(9, 'w');
    expect([...timers.takeChangedKeys()!.keys()]).toEqual(['[1]']);
    timers.advanceWatermark(9, () => {});
    expect([...timers.takeChangedKeys()!.keys()]).toEqual(['[1]']);
    expect(timers.isEmpty).toBe(true);
  });

  it('stops recording after more timer changes than twice the timers pending, so that the next checkpoint is a base', () => {
    const { key, timers } = setup();
    timers.snapshotTimers(true);
    key.set([1]);
    timers.registerNewEventTimeTimer(5, 'w');
    timers.registerNewEventTimeTimer(5, 'v');
    key.set([2]);
    timers.registerNewEventTimeTimer(5, 'w');
    // Each key once, however often its timers changed.
    expect([...timers.takeChangedKeys()!.keys()]).toEqual(['[1]', '[2]']);
    // Timers registered and fired again and again with few pending: a delta would list every key (a base's cost).
    for (let t = 10; t < 1200; t++) {
      key.set([t % 3]);
      timers.registerNewEventTimeTimer(t, 'w');
      timers.advanceWatermark(t, () => {});
    }
    expect(timers.takeChangedKeys()).toBeUndefined();
    timers.snapshotTimers(true);
    key.set([7]);
    timers.registerNewEventTimeTimer(5000, 'w');
    expect([...timers.takeChangedKeys()!.keys()]).toEqual(['[7]']);
  });
});

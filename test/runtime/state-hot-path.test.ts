import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { CurrentKey } from '../../runtime/state/current-key.js';
import { encodeKey, encodeMapKey } from '../../runtime/state/key-codec.js';
import { keyGroupForKey, keyGroupOf } from '../../runtime/state/key-groups.js';
import { createKeyedState, mapState } from '../../runtime/state/keyed-state.js';
import { murmur3String } from '../../runtime/state/murmur3.js';
import { numberKeyHash } from '../../runtime/state/number-encodings.js';
import { encodedStateKey, stateKeyOf, stateKeyOfEncoded } from '../../runtime/state/state-key.js';
import { encodeJsonNormalized } from '../../runtime/state/value-codec.js';
import { BACKEND_TYPES, TestBackends } from './state-test-backends.js';

const backends = new TestBackends();
afterEach(() => backends.disposeAll());

const NUMBERS = [0, -0, 1, -1, 42, 2 ** 31, 2 ** 53 - 1, -(2 ** 53), 1.5, 1e21, 1.5e-7, Date.UTC(2015, 6, 15)];

describe('memoised number encodings', () => {
  it('are the canonical encodings, so snapshots and key groups do not change', () => {
    for (let round = 0; round < 2; round++) {
      // The second round reads the memo tables.
      for (const n of NUMBERS) {
        expect(encodeKey([n])).toBe(encodeJsonNormalized([n]));
        expect(encodeMapKey(n)).toBe(encodeJsonNormalized(n));
        expect(keyGroupOf([n], 128)).toBe(keyGroupForKey(encodeJsonNormalized([n]), 128));
        const current = new CurrentKey(128, { start: 0, end: 127 }, 'test');
        current.set([n]);
        expect([current.encoded, current.keyGroup]).toEqual([encodeJsonNormalized([n]), keyGroupForKey(encodeJsonNormalized([n]), 128)]);
      }
    }
    // Numbers JSON cannot spell keep their tagged form.
    for (const n of [NaN, Infinity, -Infinity]) {
      expect(encodeKey([n])).toBe(encodeJsonNormalized([n]));
      expect(encodeMapKey(n)).toBe(encodeJsonNormalized(n));
    }
  });

  it('stay exact when keys outnumber the memo slots and evict each other', () => {
    const many = Array.from({ length: 40_000 }, (_, i) => (i % 2 === 0 ? i * 7919 : 1_436_918_400_000 + i));
    for (let round = 0; round < 2; round++) {
      for (const n of many) {
        expect(encodeKey([n])).toBe(`[${n}]`);
        expect(encodeMapKey(n)).toBe(String(n));
      }
    }
  });

  it('tell 1 from "1" and keep -0 and 0 one key', () => {
    expect(encodeKey([1])).not.toBe(encodeKey(['1']));
    expect(encodeMapKey(-0)).toBe(encodeMapKey(0));
  });

  it('hash a key of one integer, written digit by digit, as murmur3 of its encoding', () => {
    // Around the int32 and safe-integer edges, where the digits switch arithmetic, and seeded random magnitudes.
    const edges = [0, -0, 9, 10, 2 ** 31 - 1, 2 ** 31, -(2 ** 31), -(2 ** 31) - 1, 2 ** 32, 2 ** 53 - 1, -(2 ** 53 - 1), 2 ** 53, 1e21];
    fc.assert(
      fc.property(fc.oneof(fc.constantFrom(...edges), fc.integer(), fc.maxSafeInteger(), fc.double({ noNaN: true, noDefaultInfinity: true })), (n) => {
        expect(numberKeyHash(n)).toBe(murmur3String(encodeJsonNormalized([n])));
        expect(keyGroupOf([n], 128)).toBe(keyGroupForKey(encodeJsonNormalized([n]), 128));
      }),
    );
  });
});

describe('state keys', () => {
  it('are a key of one finite number as the number, any other key as its encoding, and convert back both ways', () => {
    const keys: unknown[][] = [[0], [-0], [42], [-7], [1.5], [1e21], [2 ** 53], ['42'], [42, 1], [null], [NaN], [Infinity], [], [true], [[1]]];
    for (const key of keys) {
      const encoded = encodeKey(key);
      const current = new CurrentKey(128, { start: 0, end: 127 }, 'test');
      current.set(key);
      const only = key.length === 1 ? key[0] : undefined;
      const expected = typeof only === 'number' && Number.isFinite(only) ? only + 0 : encoded;
      expect(current.stateKey).toBe(expected);
      expect(current.encoded).toBe(encoded);
      expect(stateKeyOf(key, encoded)).toBe(expected);
      expect(stateKeyOfEncoded(encoded)).toBe(expected);
      expect(encodedStateKey(expected)).toBe(encoded);
    }
    // Strings that look like a number's encoding but are not canonical stay strings.
    for (const text of ['[-0]', '[1.0]', '[01]', '[1e3]', '[ 1]', '[1,2]', '["1"]', '[-]']) expect(stateKeyOfEncoded(text)).toBe(text);
  });
});

describe.each(BACKEND_TYPES)('map entries on the %s backend', (type) => {
  function setUp() {
    // A small disk cache, so that a test can push a key's cells out of it (write-back).
    const backend = backends.create(type, 128, undefined, 64);
    const key = new CurrentKey(128, backend.keyGroupRange, 'test');
    const accumulators = createKeyedState(backend, key, mapState<number, number[]>('acc'));
    key.set([7]);
    return { backend, key, accumulators };
  }

  it('say whether a timer-style put-if-absent added and a remove removed', () => {
    const { backend, key } = setUp();
    backend.register('timers', 'map');
    const args = ['timers', key.keyGroup, key.encoded, 'ns'] as const;
    expect(backend.mapPutIfAbsent(...args, '5', 5, null)).toBe(true);
    expect(backend.mapPutIfAbsent(...args, '5', 5, null)).toBe(false);
    expect(backend.mapRemove(...args, '5')).toBe(true);
    expect(backend.mapRemove(...args, '5')).toBe(false);
    expect(backend.mapSize(...args)).toBe(0);
  });

  it('changed in place or put again never show in a snapshot taken before', () => {
    const { backend, accumulators } = setUp();
    accumulators.put(1, [10]);
    accumulators.put(1, [11]); // in place: no snapshot is open
    const snapshot = backend.snapshot();
    const acc = accumulators.getForUpdate(1)!;
    acc[0] = 99;
    accumulators.put(1, acc);
    accumulators.put(2, [20]);
    expect([...snapshot.entries()].filter((e) => e.state === 'acc').map((e) => [e.mapKey, e.value])).toEqual([[1, [11]]]);
    snapshot.release();
    expect(accumulators.get(1)).toEqual([99]);
    const two = accumulators.getForUpdate(2)!;
    two[0] = 21;
    accumulators.put(2, two);
    const after = backend.snapshot();
    expect([...after.entries()].filter((e) => e.state === 'acc').map((e) => [e.mapKey, e.value])).toEqual([
      [1, [99]],
      [2, [21]],
    ]);
    after.release();
  });

  it('read for update again and again while a snapshot is open, change the copy only, for every entry of the key', () => {
    const { backend, accumulators } = setUp();
    accumulators.put(1, [10]);
    accumulators.put(2, [20]);
    accumulators.put(3, [30]);
    const snapshot = backend.snapshot();
    // The first read for update copies the key's cell; later ones, of that entry and of the others, change it.
    for (let round = 1; round <= 3; round++) {
      accumulators.getForUpdate(1)![0]++;
      accumulators.getForUpdate(2)![0]++;
    }
    accumulators.put(4, [40]);
    accumulators.getForUpdate(4)![0]++;
    accumulators.getForUpdate(3)![0]++;
    const stored = (s: typeof snapshot) => [...s.entries()].filter((e) => e.state === 'acc').map((e) => [e.mapKey, e.value]);
    expect(stored(snapshot)).toEqual([
      [1, [10]],
      [2, [20]],
      [3, [30]],
    ]);
    // A second snapshot freezes the new values; reads for update after it copy them again.
    const second = backend.snapshot();
    accumulators.getForUpdate(1)![0] = 0;
    accumulators.getForUpdate(4)![0] = 0;
    expect(stored(second)).toEqual([
      [1, [13]],
      [2, [23]],
      [3, [31]],
      [4, [41]],
    ]);
    snapshot.release();
    second.release();
    expect([1, 2, 3, 4].map((n) => accumulators.get(n))).toEqual([[0], [23], [31], [0]]);
  });

  it('changed in place from getForUpdate, with no put, reach the next snapshot, the next delta and the store', () => {
    const { backend, key, accumulators } = setUp();
    accumulators.put(1, [10]);
    // Other keys, held before the base: a delta of most keys would be a base instead (heap-backend.ts).
    for (let i = 0; i < 3000; i++) {
      key.set([1000 + i]);
      accumulators.put(0, [i]);
    }
    key.set([7]);
    const base = backend.snapshot(true);
    base.release();
    // With a snapshot open (heap: a private copy) and without.
    const open = backend.snapshot();
    accumulators.getForUpdate(1)![0] = 11;
    open.release();
    accumulators.getForUpdate(1)![0] = 12;
    // Enough other keys to push key 7's cell out of the disk backend's cache (write-back).
    for (let i = 0; i < 1000; i++) {
      key.set([1000 + i]);
      accumulators.put(0, [i]);
    }
    key.set([7]);
    const delta = backend.snapshotChanges!()!;
    const change = [...delta.changes()].find((c) => c.key === key.encoded)!;
    delta.release();
    expect(change.entries.map((e) => [e.mapKey, e.value])).toEqual([[1, [12]]]);
    expect(accumulators.get(1)).toEqual([12]);
    const snapshot = backend.snapshot();
    expect([...snapshot.entries()].filter((e) => e.key === key.encoded).map((e) => e.value)).toEqual([[12]]);
    snapshot.release();
  });
});

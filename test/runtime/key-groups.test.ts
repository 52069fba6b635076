import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeKey } from '../../runtime/state/key-codec.js';
import { murmur3OfKey } from '../../runtime/state/key-hash.js';
import {
  defaultMaxParallelism,
  keyGroupForKey,
  keyGroupOf,
  keyGroupRangeForSubtask,
  subtaskForKeyGroup,
} from '../../runtime/state/key-groups.js';
import { murmur3String } from '../../runtime/state/murmur3.js';

describe('murmur3 of UTF-8 bytes', () => {
  it.each([
    ['', 0, 0x00000000],
    ['', 1, 0x514e28b7],
    ['hello', 0, 0x248bfa47],
    ['The quick brown fox jumps over the lazy dog', 0, 0x2e4ff723],
    ['aaaa', 0x9747b28c, 0x5a97808a],
    ['Hello, world!', 1234, 0xfaf6cdb3],
  ])('hashes %j with seed %d like the reference implementation', (text, seed, expected) => {
    expect(murmur3String(text, seed)).toBe(expected);
  });

  it('hashes ASCII text a word at a time and text that turns non-ASCII midway as the reference does', () => {
    // The ASCII words go through a fast path; the first word with another character hands over to the byte path.
    fc.assert(
      fc.property(fc.string({ unit: 'binary-ascii' }), fc.string({ unit: 'grapheme' }), fc.integer(), (ascii, rest, seed) => {
        expect(murmur3String(ascii, seed)).toBe(referenceMurmur3(Buffer.from(ascii, 'utf8'), seed));
        expect(murmur3String(ascii + rest, seed)).toBe(referenceMurmur3(Buffer.from(ascii + rest, 'utf8'), seed));
      }),
    );
  });

  it('hashes non-ASCII text as its UTF-8 bytes', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (text) => {
        expect(murmur3String(text)).toBe(referenceMurmur3(Buffer.from(text, 'utf8')));
      }),
    );
  });
});

describe("key-group ranges (Flink's KeyGroupRangeAssignment)", () => {
  it('splits 128 key groups over 3 subtasks as Flink does', () => {
    expect([0, 1, 2].map((s) => keyGroupRangeForSubtask(s, 3, 128))).toEqual([
      { start: 0, end: 42 },
      { start: 43, end: 85 },
      { start: 86, end: 127 },
    ]);
    expect(subtaskForKeyGroup(42, 3, 128)).toBe(0);
    expect(subtaskForKeyGroup(43, 3, 128)).toBe(1);
    expect(subtaskForKeyGroup(127, 3, 128)).toBe(2);
  });

  it('gives each subtask one key group when parallelism equals max parallelism', () => {
    expect(keyGroupRangeForSubtask(5, 8, 8)).toEqual({ start: 5, end: 5 });
  });

  it("computes Flink's default max parallelism", () => {
    expect(defaultMaxParallelism(1)).toBe(128);
    expect(defaultMaxParallelism(100)).toBe(256);
    expect(defaultMaxParallelism(30000)).toBe(32768);
  });

  it('ranges are contiguous, cover every key group once, and agree with subtaskForKeyGroup', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1024 }), fc.integer({ min: 1, max: 300 }), (maxParallelism, p) => {
        const parallelism = Math.min(p, maxParallelism);
        let next = 0;
        for (let subtask = 0; subtask < parallelism; subtask++) {
          const range = keyGroupRangeForSubtask(subtask, parallelism, maxParallelism);
          expect(range.start).toBe(next);
          for (const kg of [range.start, range.end]) expect(subtaskForKeyGroup(kg, parallelism, maxParallelism)).toBe(subtask);
          next = range.end + 1;
        }
        expect(next).toBe(maxParallelism);
      }),
    );
  });

  it('refuses a parallelism above the max parallelism', () => {
    expect(() => keyGroupRangeForSubtask(0, 200, 128)).toThrow(/between 1 and the max parallelism 128/);
  });
});

describe('key serialization', () => {
  it('is deterministic and pinned: the same key always lands in the same key group', () => {
    // Pinned values: changing the codec or the hash would move state between subtasks on restore.
    expect(encodeKey(['alice', 42, null, true])).toBe('["alice",42,null,true]');
    expect(keyGroupForKey(encodeKey(['alice']), 128)).toBe(murmur3String('["alice"]') % 128);
    expect(keyGroupForKey(encodeKey([1001]), 32768)).toBe(murmur3String('[1001]') % 32768);
  });

  it('treats equal SQL values as the same key and different types as different keys', () => {
    expect(encodeKey([-0])).toBe(encodeKey([0]));
    expect(encodeKey([1])).not.toBe(encodeKey(['1']));
    expect(encodeKey([null])).not.toBe(encodeKey(['null']));
    expect(encodeKey([Number.NaN])).not.toBe(encodeKey([null]));
    expect(encodeKey([Infinity])).not.toBe(encodeKey([-Infinity]));
  });
});

describe('key groups of keys hashed without their encoding', () => {
  const plainValue = fc.oneof(
    fc.integer(),
    fc.maxSafeInteger(),
    fc.maxSafeNat().map((n) => -n),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.constantFrom(-0, 0, 1e21, -1e-7, 2 ** 53, 2 ** 60, Number.MAX_VALUE, Number.MIN_VALUE),
    fc.string({ unit: 'binary-ascii' }),
    fc.string({ unit: 'grapheme' }),
    fc.string({ unit: 'binary' }), // lone surrogates: JSON escapes them
    fc.boolean(),
    fc.constantFrom(null, undefined),
  );

  it('hashes a key of plain values as murmur3 of its encoding, so key groups do not move', () => {
    fc.assert(
      fc.property(fc.array(plainValue, { minLength: 1, maxLength: 4 }), fc.integer({ min: 1, max: 32768 }), (key, maxParallelism) => {
        expect(murmur3OfKey(key)).toBe(murmur3String(encodeKey(key)));
        expect(keyGroupOf(key, maxParallelism)).toBe(keyGroupForKey(encodeKey(key), maxParallelism));
      }),
      { numRuns: 2000 },
    );
  });

  it('leaves keys JSON cannot write plainly to their encoding', () => {
    for (const key of [[1, Number.NaN], ['a', Infinity], [-Infinity, 2], [{ a: 1 }, 'b'], [[1, 2], 3]]) {
      expect(murmur3OfKey(key)).toBe(-1);
      expect(keyGroupOf(key, 128)).toBe(keyGroupForKey(encodeKey(key), 128));
    }
  });
});

/** A straightforward reference over a byte buffer, to check the streaming UTF-8 version against. */
function referenceMurmur3(bytes: Uint8Array, seed = 0): number {
  let h = seed | 0;
  const blocks = bytes.length >> 2;
  for (let i = 0; i < blocks; i++) {
    let k = bytes[i * 4]! | (bytes[i * 4 + 1]! << 8) | (bytes[i * 4 + 2]! << 16) | (bytes[i * 4 + 3]! << 24);
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  let k = 0;
  const tail = blocks * 4;
  const rest = bytes.length & 3;
  if (rest >= 3) k ^= bytes[tail + 2]! << 16;
  if (rest >= 2) k ^= bytes[tail + 1]! << 8;
  if (rest >= 1) {
    k ^= bytes[tail]!;
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
  }
  h ^= bytes.length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

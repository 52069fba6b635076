import { compareCodePoints } from './key-codec.js';
import { numberKeyEncoded } from './number-encodings.js';

/**
 * A key as the state backends hold it: a key of one finite number is that number, any other key its `encodeKey`
 * string. The number stands for exactly one encoding (`[n]`, canonical JSON), so the two forms never name the same
 * key, and snapshots, key groups and timers, which use the encoding, are unchanged. A key seen once (q7's price)
 * then costs no string: the backend's table hashes the number (a small integer, no string to hash and compare).
 */
export type StateKey = string | number;

/** The state key of `key`, whose `encodeKey` form is `encoded` when the caller has it (made here otherwise). */
export function stateKeyOf(key: readonly unknown[], encoded: string): StateKey {
  const only = key.length === 1 ? key[0] : undefined;
  // + 0: -0 is the key 0 (its encoding too).
  return typeof only === 'number' && Number.isFinite(only) ? only + 0 : encoded;
}

/** The state key of an `encodeKey` string (a snapshot's, a timer's): `[n]` of a finite number becomes `n`. */
export function stateKeyOfEncoded(encoded: string): StateKey {
  const first = encoded.charCodeAt(1);
  // `[`, then a digit or `-`: the encoding of a key whose first column is a number.
  if (encoded.charCodeAt(0) !== 0x5b || !((first >= 0x30 && first <= 0x39) || first === 0x2d)) return encoded;
  // A key of several columns (a window join's (id, window_start, window_end)): no text to cut and parse.
  if (encoded.indexOf(',') >= 0) return encoded;
  const n = Number(encoded.slice(1, -1));
  return Number.isFinite(n) && numberKeyEncoded(n) === encoded ? n : encoded;
}

/** The `encodeKey` string of a state key. */
export function encodedStateKey(key: StateKey): string {
  return typeof key === 'number' ? numberKeyEncoded(key) : key;
}

/** Orders state keys as their encodings compare (code point order): the canonical order of snapshots. */
export function compareStateKeys(a: StateKey, b: StateKey): number {
  return compareCodePoints(encodedStateKey(a), encodedStateKey(b));
}

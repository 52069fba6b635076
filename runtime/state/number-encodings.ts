import { murmur3String } from './murmur3.js';

/**
 * Memoised canonical encodings of numbers, the commonest keys of all (ids, prices, timestamps, window bounds):
 * a row's key `[n]` (with the murmur3 hash that places it in a key group) and a map key `n`. A hot key then costs
 * one Map lookup per row instead of `JSON.stringify`, a fresh string and a hash over it, and every state access
 * gets the same string object, whose hash V8 keeps, so the state's own Map lookups do not rehash it either.
 * The encodings are exactly those of key-codec.ts (a test checks them), so snapshots and key groups are unchanged.
 *
 * Each cache is bounded: when full it is cleared (a new generation), so memory stays bounded whatever the number
 * of distinct keys, and a cleared entry is simply encoded again.
 */

/** Entries per cache; a key's row and map-key forms are about 100 bytes together. */
const LIMIT = 1 << 16;

/** A row key in its canonical encoding, with `murmur3String(encoded)` (key-groups.ts reduces it to a key group). */
export interface EncodedKey {
  readonly encoded: string;
  readonly hash: number;
}

const rowKeys = new Map<number, EncodedKey>();
const mapKeys = new Map<number, string>();

/** `encodeKey([n])` and its hash, for a finite `n`. */
export function numberRowKey(n: number): EncodedKey {
  let key = rowKeys.get(n);
  if (key === undefined) {
    if (rowKeys.size >= LIMIT) rowKeys.clear();
    const encoded = `[${numberMapKey(n)}]`;
    key = { encoded, hash: murmur3String(encoded) };
    rowKeys.set(n, key);
  }
  return key;
}

/** `encodeMapKey(n)` for a finite `n`: JSON's number text, -0 written as 0. */
export function numberMapKey(n: number): string {
  let key = mapKeys.get(n);
  if (key === undefined) {
    if (mapKeys.size >= LIMIT) mapKeys.clear();
    key = String(n);
    mapKeys.set(n, key);
  }
  return key;
}

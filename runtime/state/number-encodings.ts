import { murmur3String } from './murmur3.js';

/**
 * Memoised canonical encodings of numbers, the commonest keys of all (ids, prices, timestamps, window bounds):
 * a row's key `[n]` (with the murmur3 hash that places it in a key group) and a map key `n`. A hot key then costs
 * a slot lookup per row instead of `JSON.stringify`, a fresh string and a hash over it, and every state access
 * gets the same string object, whose hash V8 keeps, so the state's own Map lookups do not rehash it either.
 * The encodings are exactly those of key-codec.ts (a test checks them), so snapshots and key groups are unchanged.
 *
 * Each memo is direct-mapped, a fixed array of slots indexed by a hash of the number: a miss overwrites its slot,
 * so memory is bounded whatever the number of distinct keys and a key seen once (a price) costs no more than
 * encoding it did, with no Map to grow or clear.
 */

const SLOTS = 1 << 14;

function slotOf(n: number): number {
  // Integers (the usual keys) mix their low and high 32 bits; fractions only collide more.
  const mixed = Math.imul((n | 0) ^ ((n / 4294967296) | 0), 0x9e3779b1);
  return (mixed >>> 18) & (SLOTS - 1);
}

/** NaN never equals a number: an empty slot. Finite numbers only are memoised. */
const rowNumbers = new Float64Array(SLOTS).fill(NaN);
const rowEncoded = new Array<string>(SLOTS).fill('');
const rowHashes = new Uint32Array(SLOTS);
const mapNumbers = new Float64Array(SLOTS).fill(NaN);
const mapEncoded = new Array<string>(SLOTS).fill('');

/** The slot holding `encodeKey([n])` and its hash for a finite `n` (read them with `rowKeyEncoded`/`rowKeyHash`). */
export function numberRowKey(n: number): number {
  const slot = slotOf(n);
  // -0 === 0, and -0 encodes as 0: one slot serves both.
  if (rowNumbers[slot] !== n) {
    const encoded = `[${numberMapKey(n)}]`;
    rowNumbers[slot] = n;
    rowEncoded[slot] = encoded;
    rowHashes[slot] = murmur3String(encoded);
  }
  return slot;
}

export function rowKeyEncoded(slot: number): string {
  return rowEncoded[slot]!;
}

export function rowKeyHash(slot: number): number {
  return rowHashes[slot]!;
}

/** `encodeMapKey(n)` for a finite `n`: JSON's number text, -0 written as 0. */
export function numberMapKey(n: number): string {
  const slot = slotOf(n);
  if (mapNumbers[slot] !== n) {
    mapNumbers[slot] = n;
    mapEncoded[slot] = String(n);
  }
  return mapEncoded[slot]!;
}

import { writeIntegerDigits } from './integer-digits.js';
import { murmur3Bytes, murmur3String } from './murmur3.js';

/**
 * Memoised canonical encodings of numbers, the commonest keys of all (ids, prices, timestamps, window bounds):
 * a row's key `[n]` (with the murmur3 hash that places it in a key group) and a map key `n`. A hot key then costs
 * a slot lookup per row instead of `JSON.stringify`, a fresh string and a hash over it; a key of one number is
 * kept in state as the number (state-key.ts), so its encoding is made only when a snapshot or a timer asks.
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

/**
 * NaN never equals a number: an empty slot. Finite numbers only are memoised. A row key's slot holds the number
 * and its hash side by side (one cache line) and its encoding once made ('' until then): state keeps a key of one
 * number as the number (state-key.ts), so most keys are only hashed, from their digits; a key whose encoding is
 * asked for first (timers) is hashed from the encoding made.
 */
const rowHashes = new Float64Array(2 * SLOTS).fill(NaN);
const rowEncoded = new Array<string>(SLOTS).fill('');
const mapNumbers = new Float64Array(SLOTS).fill(NaN);
const mapEncoded = new Array<string>(SLOTS).fill('');

/** `encodeKey([n])` for a finite `n`. */
export function numberKeyEncoded(n: number): string {
  const slot = slotOf(n);
  // -0 === 0, and -0 encodes as 0: one slot serves both.
  if (rowHashes[2 * slot] === n) {
    const encoded = rowEncoded[slot]!;
    if (encoded !== '') return encoded;
    return (rowEncoded[slot] = `[${numberMapKey(n)}]`);
  }
  const encoded = `[${numberMapKey(n)}]`;
  rowHashes[2 * slot] = n;
  rowHashes[2 * slot + 1] = murmur3String(encoded);
  rowEncoded[slot] = encoded;
  return encoded;
}

/** The murmur3 hash of `encodeKey([n])` for a finite `n`, which places the key in its key group. */
export function numberKeyHash(n: number): number {
  const at = 2 * slotOf(n);
  if (rowHashes[at] !== n) {
    rowHashes[at] = n;
    rowHashes[at + 1] = hashOfRowKey(n);
    rowEncoded[at >> 1] = '';
  }
  return rowHashes[at + 1]!;
}

/** Room for `[`, a sign, the 16 digits of a safe integer and `]`. */
const digits = new Uint8Array(24);

/** murmur3 of `[n]`'s bytes; a safe integer's are written digit by digit (its JSON text), with no string made. */
function hashOfRowKey(n: number): number {
  if (!Number.isSafeInteger(n)) return murmur3String(`[${numberMapKey(n)}]`);
  digits[0] = 0x5b; // [
  const end = writeIntegerDigits(digits, 1, n);
  digits[end] = 0x5d; // ]
  return murmur3Bytes(digits, end + 1);
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

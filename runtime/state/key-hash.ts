import { writeIntegerDigits } from './integer-digits.js';
import { murmur3Bytes } from './murmur3.js';
import { numberMapKey } from './number-encodings.js';

/**
 * `murmur3String(encodeKey(key))` for a key of plain values (finite numbers, strings, booleans, null, undefined),
 * without building the key's JSON text: its UTF-8 bytes are written into one reused buffer and hashed there. A
 * hash exchange places every row by its key's hash (key-groups.ts `keyGroupOf`), and for keys of several columns
 * (q8's `(id, name)`, a join's `(id, window_start, window_end)`) the text, built only to be hashed and dropped,
 * was most of the exchange's cost. The bytes are exactly JSON's: 32-bit integers as their digits (-0 as 0), other
 * numbers as `String(n)` (memoised, number-encodings.ts), strings quoted (through `JSON.stringify` when one needs
 * escaping or is not ASCII). -1 for a key with anything else in it (NaN, ±Infinity and objects, which encodeKey writes otherwise).
 */
export function murmur3OfKey(key: readonly unknown[]): number {
  length = 0;
  put(0x5b); // [
  for (let i = 0; i < key.length; i++) {
    if (i > 0) put(0x2c); // ,
    const value = key[i];
    if (typeof value === 'number') {
      // Larger numbers (timestamps, window bounds) repeat from row to row: their text is memoised.
      if (Number.isInteger(value) && Math.abs(value) <= 0x7fffffff) putInteger(value);
      else if (Number.isFinite(value)) putAscii(numberMapKey(value));
      else return -1;
    } else if (typeof value === 'string') {
      if (plainAscii(value)) {
        put(0x22);
        putAscii(value);
        put(0x22);
      } else putText(JSON.stringify(value));
    } else if (value === null || value === undefined) putAscii('null');
    else if (typeof value === 'boolean') putAscii(value ? 'true' : 'false');
    else return -1;
  }
  put(0x5d); // ]
  return murmur3Bytes(bytes, length);
}

/** The key's bytes so far; reused, as hashing never re-enters. */
let bytes = new Uint8Array(256);
let length = 0;

function put(byte: number): void {
  if (length === bytes.length) grow(1);
  bytes[length++] = byte;
}

function grow(needed: number): void {
  const larger = new Uint8Array(Math.max(2 * bytes.length, length + needed));
  larger.set(bytes.subarray(0, length));
  bytes = larger;
}

/** Whether JSON writes `text` as it is between quotes, a byte a character: printable ASCII but `"` and `\`. */
function plainAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c >= 0x80 || c === 0x22 || c === 0x5c) return false;
  }
  return true;
}

function putAscii(text: string): void {
  if (length + text.length > bytes.length) grow(text.length);
  for (let i = 0; i < text.length; i++) bytes[length++] = text.charCodeAt(i);
}

const encoder = new TextEncoder();

function putText(text: string): void {
  // At most three bytes per UTF-16 unit.
  if (length + 3 * text.length > bytes.length) grow(3 * text.length);
  length += encoder.encodeInto(text, bytes.subarray(length)).written;
}

/** A 32-bit integer's digits (integer-digits.ts). */
function putInteger(value: number): void {
  if (length + 17 > bytes.length) grow(17);
  length = writeIntegerDigits(bytes, length, value);
}

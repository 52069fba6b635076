import { Prng } from '../../runtime/connectors/generators/prng.js';

/**
 * Random strings for the generators, cut from one fixed pseudo-random pool of letters a–z and spaces (1 in 13, as
 * the reference generator draws them) rather than drawn a character at a time: one draw per string instead of one
 * per character, and V8 shares the pool's memory for the slices. The pool is the same in every process.
 */
const POOL_SIZE = 1 << 16;

function buildPool(): string {
  const prng = new Prng().seed(0x5eed_1e77);
  const codes = new Uint16Array(POOL_SIZE);
  for (let i = 0; i < POOL_SIZE; i++) {
    codes[i] = prng.nextInt(13) === 0 ? 32 : 97 + prng.nextInt(26);
  }
  let pool = '';
  for (let i = 0; i < POOL_SIZE; i += 4096) pool += String.fromCharCode(...codes.subarray(i, i + 4096));
  return pool;
}

const POOL = buildPool();

/** Exactly `length` characters (at most the pool's size). */
export function nextExactString(prng: Prng, length: number): string {
  const start = prng.nextInt(POOL_SIZE - length + 1);
  return POOL.slice(start, start + length);
}

/** Between 3 and `maxLength` - 1 characters, trimmed, as the reference's `nextString`. */
export function nextString(prng: Prng, maxLength: number): string {
  return nextExactString(prng, 3 + prng.nextInt(maxLength - 3)).trim();
}

/** Padding that brings a record of `currentSize` bytes to about `averageSize` (± 20 %), as the reference's `nextExtra`. */
export function nextExtra(prng: Prng, currentSize: number, averageSize: number): string {
  if (currentSize > averageSize) return '';
  const wanted = averageSize - currentSize;
  const delta = Math.round(wanted * 0.2);
  return nextExactString(prng, wanted - delta + (delta === 0 ? 0 : prng.nextInt(2 * delta)));
}

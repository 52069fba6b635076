/**
 * MurmurHash3 (x86, 32-bit) of the UTF-8 bytes of a string, computed while encoding so that no byte buffer (and
 * no closure) is allocated per key. Matches the reference implementation on UTF-8 bytes. ASCII text (encoded keys
 * are JSON: numbers, mostly ASCII names) is hashed four characters to a word in local variables; from the first
 * word with another character on, byte by byte, with the running state in module variables: hashing is
 * synchronous and never re-entrant.
 */
let h = 0;
let word = 0;
let filled = 0;
let length = 0;

export function murmur3String(text: string, seed = 0): number {
  let hash = seed | 0;
  let i = 0;
  for (const words = text.length - 3; i < words; i += 4) {
    const a = text.charCodeAt(i);
    const b = text.charCodeAt(i + 1);
    const c = text.charCodeAt(i + 2);
    const d = text.charCodeAt(i + 3);
    if ((a | b | c | d) >= 0x80) break;
    hash = mixWord(hash, a | (b << 8) | (c << 16) | (d << 24));
  }
  h = hash;
  word = 0;
  filled = 0;
  length = i;
  for (; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (c < 0x80) {
      mixByte(c);
      continue;
    }
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const low = text.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (low - 0xdc00);
        i++;
      }
    }
    // Lone surrogates encode as U+FFFD, as TextEncoder does.
    if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd;
    if (c < 0x800) {
      mixByte(0xc0 | (c >> 6));
      mixByte(0x80 | (c & 0x3f));
    } else if (c < 0x10000) {
      mixByte(0xe0 | (c >> 12));
      mixByte(0x80 | ((c >> 6) & 0x3f));
      mixByte(0x80 | (c & 0x3f));
    } else {
      mixByte(0xf0 | (c >> 18));
      mixByte(0x80 | ((c >> 12) & 0x3f));
      mixByte(0x80 | ((c >> 6) & 0x3f));
      mixByte(0x80 | (c & 0x3f));
    }
  }
  if (filled > 0) h ^= mixK(word);
  h ^= length;
  return fmix32(h) >>> 0;
}

/** MurmurHash3 of `bytes[0, length)`, four bytes to a word, for text encoded into a reused buffer (key-hash.ts). */
export function murmur3Bytes(bytes: Uint8Array, length: number, seed = 0): number {
  let hash = seed | 0;
  let i = 0;
  for (const words = length - 3; i < words; i += 4) hash = mixWord(hash, bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24));
  let k = 0;
  for (let shift = 0; i < length; i++, shift += 8) k |= bytes[i]! << shift;
  if ((length & 3) !== 0) hash ^= mixK(k);
  return fmix32(hash ^ length) >>> 0;
}

function mixByte(byte: number): void {
  word |= byte << (filled * 8);
  filled++;
  length++;
  if (filled === 4) {
    h = mixWord(h, word);
    word = 0;
    filled = 0;
  }
}

/** The body's step: `hash` with the next four bytes, `k` (little-endian), mixed in. */
function mixWord(hash: number, k: number): number {
  hash ^= mixK(k);
  hash = (hash << 13) | (hash >>> 19);
  return (Math.imul(hash, 5) + 0xe6546b64) | 0;
}

function mixK(k: number): number {
  k = Math.imul(k, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  return Math.imul(k, 0x1b873593);
}

function fmix32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x;
}

import { numberKeyEncoded, numberMapKey } from './number-encodings.js';
import { decodeJson, encodeJsonNormalized } from './value-codec.js';

/**
 * The stable serialization of keys (a key is a row: the values of the key columns), used as the identity of a
 * key in every state backend, in snapshots, and as the bytes hashed into key groups. Deterministic across runs,
 * processes and backends: the canonical JSON of the row (value-codec.ts), so equal SQL values give equal keys
 * (-0 and 0 alike; INT 1 and BIGINT 1 alike, as both are the number 1) and `1` differs from `'1'`.
 */
export function encodeKey(key: readonly unknown[]): string {
  const only = key.length === 1 ? key[0] : undefined;
  if (typeof only === 'number' && Number.isFinite(only)) return numberKeyEncoded(only);
  return encodeJsonNormalized(key);
}

export function decodeKey(encoded: string): unknown[] {
  const key = decodeJson(encoded);
  if (!Array.isArray(key)) throw new Error(`not an encoded key: ${encoded.slice(0, 80)}`);
  return key;
}

/** A map-state key (a value or a row) in the same canonical form. */
export function encodeMapKey(key: unknown): string {
  if (typeof key === 'number' && Number.isFinite(key)) return numberMapKey(key);
  return encodeJsonNormalized(key);
}

/**
 * Orders strings as their UTF-8 bytes compare (code point order), which is how the disk backend's store sorts its
 * UTF-8 keys; JavaScript's `<` compares UTF-16 units instead. Snapshots of every backend sort alike with it.
 */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    // Surrogates (U+D800–DFFF) stand for code points above U+FFFF: move them after U+E000–FFFF.
    if (x >= 0xd800) x = x <= 0xdfff ? x + 0x2000 : x - 0x800;
    if (y >= 0xd800) y = y <= 0xdfff ? y + 0x2000 : y - 0x800;
    return x - y;
  }
  return a.length - b.length;
}

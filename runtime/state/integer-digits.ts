/**
 * Writes a safe integer's decimal digits, with its sign (-0 as 0), as JSON writes them, into `bytes` from `at`;
 * returns where they end. The caller leaves room for 17 bytes. Shared by the hashes that are taken of a key's JSON
 * bytes without making its text (key-hash.ts, number-encodings.ts).
 */
export function writeIntegerDigits(bytes: Uint8Array, at: number, n: number): number {
  if (n < 0) bytes[at++] = 0x2d; // -
  let magnitude = n < 0 ? -n : n;
  let end = at + 1;
  for (let rest = magnitude; rest >= 10; rest = Math.floor(rest / 10)) end++;
  let digit = end - 1;
  // Large integers exactly in doubles (magnitude - its last digit is a multiple of 10), then int32 arithmetic.
  for (; magnitude > 0x7fffffff; digit--) {
    const last = magnitude % 10;
    bytes[digit] = 0x30 + last;
    magnitude = (magnitude - last) / 10;
  }
  do {
    const quotient = (magnitude / 10) | 0;
    bytes[digit--] = 0x30 + magnitude - quotient * 10;
    magnitude = quotient;
  } while (magnitude > 0);
  return end;
}

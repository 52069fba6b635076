import { describe, expect, it } from 'vitest';
import { encodeAhead } from '../../runtime/checkpoint/storage/state-file-writer.js';

/** Pieces of `size` bytes each filled with its number, written into ONE reused buffer (as the snapshot encoder does). */
function* reusedPieces(count: number, size: number, pulled: { count: number }, failAt = -1): Generator<Buffer> {
  const buffer = Buffer.alloc(size);
  for (let i = 0; i < count; i++) {
    if (i === failAt) throw new Error(`piece ${i} cannot be encoded`);
    pulled.count++;
    buffer.fill(i);
    yield buffer;
  }
}

describe('encodeAhead', () => {
  it('encodes a small file whole in the caller\'s turn, each piece copied out of the reused buffer', () => {
    const pulled = { count: 0 };
    const pieces = encodeAhead(reusedPieces(5, 1024, pulled));
    expect(pulled.count).toBe(5);
    const read = [...pieces];
    expect(read.map((piece) => [piece.length, piece[0], piece[1023]])).toEqual([0, 1, 2, 3, 4].map((i) => [1024, i, i]));
  });

  it('encodes at most 4 MiB ahead and the rest as the writer asks', () => {
    const pulled = { count: 0 };
    const pieces = encodeAhead(reusedPieces(40, 256 * 1024, pulled));
    // 16 pieces of 256 KiB are 4 MiB (fewer when the 10 ms budget ran out first, on a slow machine; never none).
    expect(pulled.count).toBeGreaterThanOrEqual(1);
    expect(pulled.count).toBeLessThanOrEqual(16);
    const ahead = pulled.count;
    const iterator = pieces[Symbol.iterator]();
    for (let i = 0; i < ahead; i++) expect(iterator.next().value![0]).toBe(i);
    expect(pulled.count).toBe(ahead);
    expect(iterator.next().value![0]).toBe(ahead);
    expect(pulled.count).toBe(ahead + 1);
    let rest = 0;
    for (let next = iterator.next(); next.done !== true; next = iterator.next()) rest++;
    expect(ahead + 1 + rest).toBe(40);
  });

  it('leaves a failure to encode to the reader, after the pieces encoded before it', () => {
    const pulled = { count: 0 };
    const pieces = encodeAhead(reusedPieces(5, 16, pulled, 2));
    const iterator = pieces[Symbol.iterator]();
    expect(iterator.next().value![0]).toBe(0);
    expect(iterator.next().value![0]).toBe(1);
    expect(() => iterator.next()).toThrow('piece 2 cannot be encoded');
  });
});

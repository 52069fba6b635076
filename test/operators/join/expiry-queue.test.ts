import { describe, expect, it } from 'vitest';
import { ExpiryQueue } from '../../../runtime/operators/join/expiry-queue.js';

function drain(queue: ExpiryQueue, watermark: number): string[] {
  const out: string[] = [];
  queue.expireUntil(watermark, (key, encoded, side, timestamp) => out.push(`${timestamp}:${encoded}:${side}:${String(key[0])}`));
  return out;
}

describe("the interval join's expiry queue", () => {
  const push = (queue: ExpiryQueue, timestamp: number, encoded: string, side: string) => queue.push(timestamp, [encoded.toUpperCase()], encoded, side);

  it('by key: expires by timestamp, then key and side in code point order, up to the watermark', () => {
    const queue = new ExpiryQueue(true);
    // U+FF5E sorts before U+1F600 by code point, after its surrogates by UTF-16 unit.
    for (const [t, k, s] of [[20, 'b', 'left'], [10, '\u{1F600}', 'left'], [10, '\uFF5E', 'left'], [10, 'a', 'right'], [10, 'a', 'left'], [5, 'z', 'right']] as const) push(queue, t, k, s);
    expect(drain(queue, 4)).toEqual([]);
    expect(drain(queue, 10)).toEqual(['5:z:right:Z', '10:a:left:A', '10:a:right:A', '10:\uFF5E:left:\uFF5E', '10:\u{1F600}:left:\u{1F600}']);
    push(queue, 15, 'c', 'left');
    expect(drain(queue, Infinity)).toEqual(['15:c:left:C', '20:b:left:B']);
    expect(drain(queue, Infinity)).toEqual([]);
  });

  it('unsorted: expires by timestamp, each timestamp in the order pushed', () => {
    const queue = new ExpiryQueue(false);
    for (const [t, k] of [[20, 'b'], [10, 'c'], [10, 'a'], [5, 'z'], [10, 'b'], [7, 'y'], [10, 'a']] as const) push(queue, t, k, 'left');
    expect(drain(queue, 10)).toEqual(['5:z:left:Z', '7:y:left:Y', '10:c:left:C', '10:a:left:A', '10:b:left:B', '10:a:left:A']);
    push(queue, 10, 'd', 'right');
    expect(drain(queue, 20)).toEqual(['10:d:right:D', '20:b:left:B']);
  });

  it('gives back keys as pushed, a key of one number too', () => {
    const queue = new ExpiryQueue(false);
    const keys = [[7], [-0], [Number.NaN], [2 ** 53], ['7'], [7, 8], [null]];
    for (const key of keys) queue.push(1, key, JSON.stringify(key), 'left');
    const out: (readonly unknown[])[] = [];
    queue.expireUntil(1, (key) => out.push(key));
    expect(out).toEqual(keys);
    expect(Object.is(out[1]![0], -0)).toBe(true);
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareCodePoints } from '../../runtime/state/key-codec.js';
import { TimerHeap, type HeapTimer } from '../../runtime/time/timer-heap.js';

const timer = (timestamp: number, key: string, namespace = ''): HeapTimer => ({ timestamp, encodedKey: key, namespace });
const describeTimer = (t: HeapTimer | undefined) => (t === undefined ? 'none' : `${t.timestamp}:${t.encodedKey}:${t.namespace}`);

/** The order the heap must give: timestamp, then key and namespace in code point order. */
function reference(a: HeapTimer, b: HeapTimer): number {
  return a.timestamp - b.timestamp || compareCodePoints(a.encodedKey, b.encodedKey) || compareCodePoints(a.namespace, b.namespace);
}

function drain(heap: TimerHeap<HeapTimer>): string[] {
  const out: string[] = [];
  for (let t = heap.pop(); t !== undefined; t = heap.pop()) out.push(describeTimer(t));
  return out;
}

describe('the timer heap', () => {
  it('pops by timestamp, then by key and namespace in code point order', () => {
    const heap = new TimerHeap<HeapTimer>();
    // U+FF5E sorts before U+1F600 by code point, after its surrogates by UTF-16 unit.
    for (const t of [timer(20, 'b'), timer(10, '\u{1F600}'), timer(10, '\uFF5E'), timer(10, 'a', 'y'), timer(10, 'a', 'x'), timer(5, 'z')]) heap.push(t);
    expect(heap.size).toBe(6);
    expect(drain(heap)).toEqual(['5:z:', '10:a:x', '10:a:y', '10:\uFF5E:', '10:\u{1F600}:', '20:b:']);
    expect(heap.size).toBe(0);
    expect(heap.peek()).toBeUndefined();
  });

  it('puts a timer pushed while its timestamp is being popped in its place among the rest', () => {
    const heap = new TimerHeap<HeapTimer>();
    for (const key of ['a', 'c', 'e']) heap.push(timer(10, key));
    expect(describeTimer(heap.pop())).toBe('10:a:');
    heap.push(timer(10, 'd'));
    heap.push(timer(10, 'b'));
    heap.push(timer(7, 'z'));
    expect(drain(heap)).toEqual(['7:z:', '10:b:', '10:c:', '10:d:', '10:e:']);
  });

  it('gives the same order as sorting, with pushes between pops', () => {
    const op = fc.oneof(
      fc.record({ push: fc.record({ timestamp: fc.integer({ min: 0, max: 6 }), key: fc.constantFrom('a', 'b', 'é', '\u{1F600}', '[1]'), ns: fc.constantFrom('', '0', '10') }) }),
      fc.constant({ pop: true as const }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60, size: 'max' }), (ops) => {
        const heap = new TimerHeap<HeapTimer>();
        const pending: HeapTimer[] = [];
        for (const o of ops) {
          if ('push' in o) {
            const t = timer(o.push.timestamp, o.push.key, o.push.ns);
            heap.push(t);
            pending.push(t);
          } else {
            pending.sort(reference);
            expect(describeTimer(heap.pop())).toBe(describeTimer(pending.shift()));
          }
          expect(heap.size).toBe(pending.length);
        }
        expect(drain(heap)).toEqual(pending.sort(reference).map(describeTimer));
      }),
    );
  });

    it('forgets everything on clear', () => {
    const heap = new TimerHeap<HeapTimer>();
    heap.push(timer(1, 'a'));
    heap.push(timer(2, 'a'));
    heap.clear();
    expect(heap.size).toBe(0);
    heap.push(timer(3, 'b'));
    expect(drain(heap)).toEqual(['3:b:']);
  });
});

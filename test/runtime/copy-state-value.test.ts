import { describe, expect, it } from 'vitest';
import { copyStateValue } from '../../runtime/state/copy-state-value.js';
import { HeapKeyedStateBackend } from '../../runtime/state/heap-backend.js';
import { encodeMapKey } from '../../runtime/state/key-codec.js';

/** Copy-on-write's copy: equal to the value, and sharing nothing that could be modified in place. */
describe('copyStateValue', () => {
  it('copies plain data deeply: arrays, objects, Dates and bytes are new, primitives kept', () => {
    const value = {
      count: 3,
      big: 12n,
      text: 'é',
      none: null,
      gone: undefined,
      special: [Number.NaN, -0, Number.POSITIVE_INFINITY],
      nested: [{ at: new Date(5), bytes: new Uint8Array([1, 2]) }, [true, [7]]],
    };
    const copy = copyStateValue(value) as typeof value;
    expect(copy).toStrictEqual(value);
    expect(Object.is(copy.special[1], -0)).toBe(true);
    expect('gone' in copy).toBe(true);
    const inner = copy.nested[0] as { at: Date; bytes: Uint8Array };
    const original = value.nested[0] as { at: Date; bytes: Uint8Array };
    expect(copy.nested).not.toBe(value.nested);
    expect(inner).not.toBe(original);
    inner.at.setTime(9);
    inner.bytes[0] = 9;
    ((copy.nested[1] as unknown[])[1] as number[]).push(8);
    expect(original.at.getTime()).toBe(5);
    expect(original.bytes[0]).toBe(1);
    expect(value.nested[1]).toEqual([true, [7]]);
  });

  it('copies an array of primitives (a window aggregate\'s packed windows) to a new array, equal element by element', () => {
    const packed = [2, 1_700_000_000_000, 1_700_000_010_000, 3, null, 1_700_000_002_000, 1_700_000_012_000, 1, 'x', -0, Number.NaN];
    const copy = copyStateValue(packed) as unknown[];
    expect(copy).not.toBe(packed);
    expect(copy).toStrictEqual(packed);
    copy[3] = 4;
    expect(packed[3]).toBe(3);
  });

  it('keeps a null prototype, and an own __proto__ as data', () => {
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, { a: [1] });
    const bareCopy = copyStateValue(bare) as Record<string, unknown>;
    expect(Object.getPrototypeOf(bareCopy)).toBeNull();
    expect(bareCopy.a).toEqual([1]);
    expect(bareCopy.a).not.toBe(bare.a);
    const parsed = JSON.parse('{"__proto__": {"x": 1}, "y": 2}') as Record<string, unknown>;
    const parsedCopy = copyStateValue(parsed) as Record<string, unknown>;
    expect(Object.getPrototypeOf(parsedCopy)).toBe(Object.prototype);
    expect(Object.keys(parsedCopy)).toEqual(['__proto__', 'y']);
    expect(Object.getOwnPropertyDescriptor(parsedCopy, '__proto__')?.value).toEqual({ x: 1 });
  });

  it('copies what is not plain data as structuredClone does', () => {
    const value: [Map<string, number[]>, Set<number>] = [new Map([['k', [1]]]), new Set([2])];
    const copy = copyStateValue(value) as typeof value;
    expect(copy).toStrictEqual(value);
    expect(copy[0].get('k')).not.toBe(value[0].get('k'));
  });

  it('is what the heap backend hands out for update while a snapshot is open: the snapshot keeps the old value', () => {
    const backend = new HeapKeyedStateBackend('fs', 128, { start: 0, end: 127 });
    backend.register('acc', 'value');
    backend.register('rows', 'map');
    backend.put('acc', 1, 'k', '', [1, { sum: 2, seen: [3] }]);
    backend.mapPut('rows', 1, 'k', '', encodeMapKey(1), 1, { list: [1] });
    const snapshot = backend.snapshot();
    const acc = backend.getForUpdate('acc', 1, 'k', '') as [number, { sum: number; seen: number[] }];
    acc[0]++;
    acc[1].seen.push(4);
    (backend.mapGetForUpdate('rows', 1, 'k', '', encodeMapKey(1)) as { list: number[] }).list.push(2);
    expect([...snapshot.entries()].map((entry) => entry.value)).toEqual([[1, { sum: 2, seen: [3] }], { list: [1] }]);
    expect(backend.get('acc', 1, 'k', '')).toEqual([2, { sum: 2, seen: [3, 4] }]);
    expect(backend.mapGet('rows', 1, 'k', '', encodeMapKey(1))).toEqual({ list: [1, 2] });
    snapshot.release();
    backend.dispose();
  });
});

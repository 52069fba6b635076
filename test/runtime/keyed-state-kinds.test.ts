import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DiskKeyedStateBackend } from '../../runtime/state/disk-backend.js';
import { CurrentKey } from '../../runtime/state/current-key.js';
import {
  aggregatingState,
  createKeyedState,
  listState,
  mapState,
  reducingState,
  valueState,
} from '../../runtime/state/keyed-state.js';
import { BACKEND_TYPES, TestBackends } from './state-test-backends.js';

const backends = new TestBackends();
afterEach(() => backends.disposeAll());

describe.each(BACKEND_TYPES)('keyed state on the %s backend', (type) => {
  function setup() {
    const backend = backends.create(type);
    const key = new CurrentKey(128, backend.keyGroupRange, 'test');
    return { backend, key };
  }

  it('ValueState keeps one value per key and namespace', () => {
    const { backend, key } = setup();
    const count = createKeyedState(backend, key, valueState<number>('count'));
    key.set(['alice']);
    expect(count.value()).toBeUndefined();
    count.update(1);
    key.set(['bob']);
    count.update(10);
    count.setNamespace('w1');
    count.update(100);
    key.set(['alice']);
    count.setNamespace('');
    expect(count.value()).toBe(1);
    key.set(['bob']);
    expect(count.value()).toBe(10);
    count.setNamespace('w1');
    expect(count.value()).toBe(100);
    count.clear();
    expect(count.value()).toBeUndefined();
    count.setNamespace('');
    expect(count.value()).toBe(10);
  });

  it('ValueState stores NULL, NaN and infinities as values', () => {
    const { backend, key } = setup();
    const state = createKeyedState(backend, key, valueState<unknown[]>('row'));
    key.set([1]);
    state.update([null, Number.NaN, Infinity, -Infinity, 'x']);
    key.set([2]);
    key.set([1]);
    expect(state.value()).toEqual([null, Number.NaN, Infinity, -Infinity, 'x']);
  });

  it('ListState adds, replaces and clears', () => {
    const { backend, key } = setup();
    const list = createKeyedState(backend, key, listState<string>('events'));
    key.set(['k']);
    expect(list.get()).toEqual([]);
    list.add('a');
    list.addAll(['b', 'c']);
    expect(list.get()).toEqual(['a', 'b', 'c']);
    list.update(['z']);
    expect(list.get()).toEqual(['z']);
    list.update([]);
    expect(list.get()).toEqual([]);
    list.add('again');
    list.clear();
    expect(list.get()).toEqual([]);
  });

  it('ReducingState folds added values with its function', () => {
    const { backend, key } = setup();
    const max = createKeyedState(backend, key, reducingState<number>('max', (a, b) => Math.max(a, b)));
    key.set(['k']);
    expect(max.get()).toBeUndefined();
    for (const v of [3, 9, 4]) max.add(v);
    expect(max.get()).toBe(9);
    max.clear();
    expect(max.get()).toBeUndefined();
  });

  it('AggregatingState keeps an accumulator and returns its result', () => {
    const { backend, key } = setup();
    const avg = createKeyedState(
      backend,
      key,
      aggregatingState('avg', {
        createAccumulator: () => ({ sum: 0, count: 0 }),
        add: (acc: { sum: number; count: number }, v: number) => {
          acc.sum += v;
          acc.count += 1;
          return acc;
        },
        getResult: (acc) => acc.sum / acc.count,
      }),
    );
    key.set(['a']);
    avg.add(2);
    avg.add(4);
    key.set(['b']);
    avg.add(10);
    key.set(['a']);
    expect(avg.get()).toBe(3);
    key.set(['b']);
    expect(avg.get()).toBe(10);
    avg.clear();
    expect(avg.get()).toBeUndefined();
  });

  it('MapState supports get/put/putAll/remove/contains/entries/keys/values/isEmpty/clear', () => {
    const { backend, key } = setup();
    const map = createKeyedState(backend, key, mapState<number | string, string | null>('m'));
    key.set(['k']);
    expect(map.isEmpty()).toBe(true);
    map.put(1, 'one');
    map.putAll([
      ['1', 'string one'],
      [2, null],
    ]);
    expect(map.get(1)).toBe('one');
    expect(map.get('1')).toBe('string one');
    expect(map.contains(2)).toBe(true);
    expect(map.get(2)).toBeNull();
    expect(map.contains(3)).toBe(false);
    map.remove('1');
    expect([...map.entries()].sort()).toEqual([
      [1, 'one'],
      [2, null],
    ]);
    expect([...map.keys()].sort()).toEqual([1, 2]);
    expect([...map.values()]).toHaveLength(2);
    key.set(['other']);
    expect(map.isEmpty()).toBe(true);
    key.set(['k']);
    map.clear();
    expect(map.isEmpty()).toBe(true);
    expect(map.get(1)).toBeUndefined();
  });

  it('refuses state access without a current key', () => {
    const { backend, key } = setup();
    const state = createKeyedState(backend, key, valueState<number>('v'));
    expect(() => state.value()).toThrow(/no current key/);
  });

  it('refuses a key outside the subtask key groups', () => {
    const backend = backends.create(type, 128, { start: 0, end: 0 });
    const key = new CurrentKey(128, backend.keyGroupRange, "operator 'agg' subtask 1/2");
    // Some key among the first few lands outside key group 0.
    expect(() => {
      for (let i = 0; i < 10; i++) key.set([i]);
    }).toThrow(/outside its key groups \[0, 0\]/);
  });

  it('keys(state) lists every key and namespace holding a cell', () => {
    const { backend, key } = setup();
    const state = createKeyedState(backend, key, valueState<number>('v'));
    key.set(['a']);
    state.update(1);
    state.setNamespace('n');
    state.update(2);
    key.set(['b']);
    state.update(3);
    const cells = [...backend.keys('v')].map((c) => `${c.key}/${c.namespace}`).sort();
    expect(cells).toEqual(['["a"]/', '["a"]/n', '["b"]/n']);
  });
});

describe('the disk backend beyond its cache', () => {
  it('keeps every value when far more keys are used than the cache holds', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-disk-'));
    const backend = new DiskKeyedStateBackend(128, { start: 0, end: 127 }, { directory: path.join(dir, 's.lmdb'), cacheCells: 16 });
    try {
      const key = new CurrentKey(128, backend.keyGroupRange, 'test');
      const count = createKeyedState(backend, key, valueState<number>('count'));
      const seen = createKeyedState(backend, key, mapState<number, boolean>('seen'));
      for (let round = 0; round < 3; round++) {
        for (let k = 0; k < 200; k++) {
          key.set([k]);
          count.update((count.value() ?? 0) + k);
          seen.put(round, true);
        }
      }
      for (let k = 0; k < 200; k++) {
        key.set([k]);
        expect(count.value()).toBe(3 * k);
        expect([...seen.keys()].sort()).toEqual([0, 1, 2]);
      }
    } finally {
      backend.dispose();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

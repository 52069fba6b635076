import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HeapKeyedStateBackend } from '../../runtime/state/heap-backend.js';
import { encodeMapKey } from '../../runtime/state/key-codec.js';
import { hashNumber, KeyTable } from '../../runtime/state/key-table.js';
import type { StateKey } from '../../runtime/state/state-key.js';

/**
 * The heap backend's key table: numbers in an open-addressing table (linear probing, backward-shift deletes, a
 * remembered slot for the lookup before an insert or delete), strings in a Map. Checked against a Map over
 * random operations on keys that collide, wrap around the table's end, grow and shrink it.
 */

/** Number keys whose home slot is `home` in a table of `capacity` slots. */
function keysAtHome(home: number, capacity: number, count: number, from = 1): number[] {
  const shift = Math.clz32(capacity - 1);
  const out: number[] = [];
  for (let k = from; out.length < count; k++) if (hashNumber(k) >>> shift === home) out.push(k);
  return out;
}

// Clusters in the smallest table (16 slots): at its last slot (probes wrap to slot 0), and at slot 0.
const CLUSTERED = [...keysAtHome(15, 16, 5), ...keysAtHome(0, 16, 4), ...keysAtHome(14, 16, 3)];
const POOL: StateKey[] = [
  ...CLUSTERED,
  ...Array.from({ length: 60 }, (_, i) => i * 37 - 100),
  0,
  0.5,
  -3.25,
  2 ** 40 + 1,
  -(2 ** 53) + 1,
  1e300,
  '["a"]',
  '[1,2]',
  '[null]',
];

const op = fc.oneof(
  { weight: 80, arbitrary: fc.record({ op: fc.constant('set' as const), key: fc.constantFrom(...POOL), value: fc.integer() }) },
  { weight: 60, arbitrary: fc.record({ op: fc.constant('delete' as const), key: fc.constantFrom(...POOL) }) },
  { weight: 60, arbitrary: fc.record({ op: fc.constant('get' as const), key: fc.constantFrom(...POOL) }) },
  { weight: 20, arbitrary: fc.record({ op: fc.constant('has' as const), key: fc.constantFrom(...POOL) }) },
  { weight: 20, arbitrary: fc.record({ op: fc.constant('check' as const) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('clear' as const) }) },
);

function checkWhole(table: KeyTable<{ v: number }>, model: Map<StateKey, { v: number }>): void {
  expect(table.size).toBe(model.size);
  const byValue = (a: { v: number }, b: { v: number }) => a.v - b.v;
  expect(table.values().sort(byValue)).toEqual([...model.values()].sort(byValue));
  expect(new Set(table.stateKeys())).toEqual(new Set(model.keys()));
  expect(table.stateKeys()).toHaveLength(model.size);
  for (const key of POOL) expect(table.has(key)).toBe(model.has(key));
  // The number table is at most half full.
  expect(2 * [...model.keys()].filter((key) => typeof key === 'number').length).toBeLessThanOrEqual(table.capacity);
}

describe('the heap backend’s key table', () => {
  it('holds what a Map holds over sets, gets and deletes of colliding, fractional, large and string keys', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 600, size: 'max' }), (ops) => {
        const table = new KeyTable<{ v: number }>();
        const model = new Map<StateKey, { v: number }>();
        let n = 0;
        for (const o of ops) {
          switch (o.op) {
            case 'set': {
              const value = { v: n++ };
              table.set(o.key, value);
              model.set(o.key, value);
              break;
            }
            case 'delete':
              table.delete(o.key);
              model.delete(o.key);
              break;
            case 'get':
              expect(table.get(o.key)).toBe(model.get(o.key));
              break;
            case 'has':
              expect(table.has(o.key)).toBe(model.has(o.key));
              break;
            case 'check':
              checkWhole(table, model);
              break;
            case 'clear':
              table.clear();
              model.clear();
              break;
          }
        }
        checkWhole(table, model);
      }),
      { numRuns: 300 },
    );
  });

  it('finds every key of a cluster that wraps around the table’s end after deletes from its middle', () => {
    const table = new KeyTable<{ k: number }>();
    // Homes 14, 15 and 0 in 16 slots: 7 keys fill slots 14, 15, 0, 1, … (under half of 16).
    const keys = [...keysAtHome(14, 16, 2), ...keysAtHome(15, 16, 3), ...keysAtHome(0, 16, 2)];
    for (const k of keys) table.set(k, { k });
    expect(table.capacity).toBe(16);
    const deleted = new Set<number>();
    for (const gone of [keys[1]!, keys[3]!, keys[0]!]) {
      table.delete(gone);
      deleted.add(gone);
      for (const k of keys) expect(table.get(k)).toEqual(deleted.has(k) ? undefined : { k });
    }
    const left = keys.filter((k) => !deleted.has(k));
    expect(table.size).toBe(left.length);
    expect(table.stateKeys().sort((a, b) => (a as number) - (b as number))).toEqual(left.sort((a, b) => a - b));
  });

  it('grows as keys come and shrinks as they go, keeping every key', () => {
    const table = new KeyTable<{ k: number }>();
    for (let k = 0; k < 20_000; k++) {
      // A lookup that misses, then the insert (the backend's order).
      expect(table.get(k * 3)).toBeUndefined();
      table.set(k * 3, { k });
    }
    expect(table.size).toBe(20_000);
    expect(table.capacity).toBe(65_536);
    for (let k = 0; k < 19_900; k++) {
      // A lookup that finds, then the delete.
      expect(table.get(k * 3)).toEqual({ k });
      table.delete(k * 3);
    }
    expect(table.capacity).toBeLessThanOrEqual(1024);
    for (let k = 0; k < 20_000; k++) expect(table.get(k * 3)).toEqual(k < 19_900 ? undefined : { k });
  });

  it('keeps state of many number keys through snapshots, deltas and a restore, as a model says', () => {
    const KEYS = [...CLUSTERED, ...Array.from({ length: 150 }, (_, i) => i * 7919 - 50_000), 0.5, 2 ** 40 + 1, '["s"]'];
    const step = fc.oneof(
      { weight: 6, arbitrary: fc.record({ op: fc.constantFrom('put' as const, 'remove' as const, 'mapPut' as const, 'mapRemove' as const), key: fc.constantFrom(...KEYS), value: fc.integer({ max: 99 }), mapKey: fc.integer({ min: 0, max: 1 }) }) },
      { weight: 1, arbitrary: fc.constantFrom({ op: 'delta' as const }, { op: 'savepoint' as const }) },
    );
    const encoded = (key: StateKey) => (typeof key === 'number' ? JSON.stringify([key]) : key);
    const groupOf = (key: StateKey) => (typeof key === 'number' ? Math.abs(Math.floor(key)) % 128 : 5);
    fc.assert(
      fc.property(fc.array(step, { minLength: 50, maxLength: 800, size: 'max' }), (steps) => {
        const backend = new HeapKeyedStateBackend('fs', 128, { start: 0, end: 127 });
        backend.register('v', 'value');
        backend.register('m', 'map');
        const model = new Map<string, string>();
        const cell = (state: string, key: StateKey, mapKey?: number) => `${groupOf(key)}|${encoded(key)}|${state}|${mapKey ?? ''}`;
        const text = (e: { keyGroup: number; key: string; state: string; hasMapKey: boolean; mapKey?: unknown; value: unknown }) =>
          `${e.keyGroup}|${e.key}|${e.state}|${e.hasMapKey ? String(e.mapKey) : ''}=${JSON.stringify(e.value)}`;
        const modelEntries = () => [...model].map(([id, value]) => `${id}=${value}`).sort();
        // The chain a restore would apply: key → entries.
        const chain = new Map<string, string[]>();
        const base = backend.snapshot(true);
        expect([...base.entries()]).toEqual([]);
        base.release();
        for (const s of steps) {
          if (s.op === 'delta' || s.op === 'savepoint') {
            if (s.op === 'savepoint') {
              const snapshot = backend.snapshot();
              expect([...snapshot.entries()].map(text).sort()).toEqual(modelEntries());
              snapshot.release();
              continue;
            }
            const delta = backend.snapshotChanges();
            if (delta === undefined) continue;
            for (const change of delta.changes()) chain.set(change.key, change.entries.map(text));
            delta.release();
            continue;
          }
          const { key } = s;
          const group = groupOf(key);
          if (s.op === 'put') {
            backend.put('v', group, key, '', s.value);
            model.set(cell('v', key), JSON.stringify(s.value));
          } else if (s.op === 'remove') {
            backend.remove('v', group, key, '');
            model.delete(cell('v', key));
          } else if (s.op === 'mapPut') {
            backend.mapPut('m', group, key, '', encodeMapKey(s.mapKey), s.mapKey, s.value);
            model.set(cell('m', key, s.mapKey), JSON.stringify(s.value));
          } else {
            backend.mapRemove('m', group, key, '', encodeMapKey(s.mapKey));
            model.delete(cell('m', key, s.mapKey));
          }
          const value = backend.get('v', group, key, '');
          expect(value === undefined ? undefined : JSON.stringify(value)).toBe(model.get(cell('v', key)));
        }
        const last = backend.snapshotChanges();
        if (last !== undefined) {
          for (const change of last.changes()) chain.set(change.key, change.entries.map(text));
          last.release();
          expect([...chain.values()].flat().sort()).toEqual(modelEntries());
        }
        const snapshot = backend.snapshot();
        const entries = [...snapshot.entries()];
        snapshot.release();
        expect(entries.map(text).sort()).toEqual(modelEntries());
        const restored = new HeapKeyedStateBackend('fs', 128, { start: 0, end: 127 });
        restored.restore(entries, { v: 'value', m: 'map' });
        const again = restored.snapshot();
        expect([...again.entries()]).toEqual(entries);
        again.release();
        for (const key of KEYS) expect(restored.mapSize('m', groupOf(key), key, '')).toBe([0, 1].filter((k) => model.has(cell('m', key, k))).length);
      }),
      { numRuns: 60 },
    );
  });
});

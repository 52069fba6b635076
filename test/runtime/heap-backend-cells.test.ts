import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HeapKeyedStateBackend } from '../../runtime/state/heap-backend.js';
import { encodeMapKey } from '../../runtime/state/key-codec.js';
import type { KeyedStateSnapshot } from '../../runtime/state/keyed-state-backend.js';

/**
 * The heap backend keeps all of a key's cells together (searched linearly while few, indexed past eight), holds
 * a map cell's single entry inline, and copies on write while snapshots are open. Checked against a plain model
 * of (state, key, namespace[, map key]) → value over random operations, with snapshots opened and read later.
 */

const STATES = ['a', 'b'] as const; // value states
const MAP_STATE = 'm';
const KEYS = ['["k1"]', '["k2"]'];
// More namespaces than a key's cells are searched linearly for, so keys switch to their index and back.
const NAMESPACES = Array.from({ length: 12 }, (_, i) => (i === 0 ? '' : String(i * 10)));

type Model = Map<string, unknown>;

const cellId = (state: string, key: string, namespace: string, mapKey?: number) => JSON.stringify([state, key, namespace, mapKey ?? null]);

/** A snapshot entry as the model writes it. */
function entryText(e: { state: string; key: string; namespace: string; hasMapKey: boolean; mapKey?: unknown; value: unknown }): string {
  return `${cellId(e.state, e.key, e.namespace, e.hasMapKey ? (e.mapKey as number) : undefined)}=${JSON.stringify(e.value)}`;
}

function entriesOf(snapshot: KeyedStateSnapshot): string[] {
  return [...snapshot.entries()].map(entryText).sort();
}

/** A backend with the value states and the map state registered. */
function newBackend(kind: 'memory' | 'fs'): HeapKeyedStateBackend {
  const backend = new HeapKeyedStateBackend(kind, 128, { start: 0, end: 127 });
  for (const state of STATES) backend.register(state, 'value');
  backend.register(MAP_STATE, 'map');
  return backend;
}

function modelEntries(model: Model): string[] {
  return [...model].map(([id, value]) => `${id}=${JSON.stringify(value)}`).sort();
}

const target = fc.record({
  key: fc.constantFrom(...KEYS),
  namespace: fc.constantFrom(...NAMESPACES),
});
const operation = fc.oneof(
  fc.record({ op: fc.constant('put' as const), state: fc.constantFrom(...STATES), at: target, value: fc.integer({ max: 99 }) }),
  fc.record({ op: fc.constant('remove' as const), state: fc.constantFrom(...STATES), at: target }),
  fc.record({ op: fc.constant('mapPut' as const), at: target, mapKey: fc.integer({ min: 0, max: 2 }), value: fc.integer({ max: 99 }) }),
  fc.record({ op: fc.constant('mapRemove' as const), at: target, mapKey: fc.integer({ min: 0, max: 2 }) }),
  fc.record({ op: fc.constant('snapshot' as const) }),
  fc.record({ op: fc.constant('check' as const) }),
);

type Write = Exclude<typeof operation extends fc.Arbitrary<infer T> ? T : never, { op: 'snapshot' | 'check' }>;

/** Applies a write to the backend and to the model alike. */
function applyWrite(backend: HeapKeyedStateBackend, model: Model, o: Write): void {
  switch (o.op) {
    case 'put':
      backend.put(o.state, 0, o.at.key, o.at.namespace, o.value);
      model.set(cellId(o.state, o.at.key, o.at.namespace), o.value);
      return;
    case 'remove':
      backend.remove(o.state, 0, o.at.key, o.at.namespace);
      model.delete(cellId(o.state, o.at.key, o.at.namespace));
      return;
    case 'mapPut':
      backend.mapPut(MAP_STATE, 0, o.at.key, o.at.namespace, encodeMapKey(o.mapKey), o.mapKey, o.value);
      model.set(cellId(MAP_STATE, o.at.key, o.at.namespace, o.mapKey), o.value);
      return;
    case 'mapRemove':
      backend.mapRemove(MAP_STATE, 0, o.at.key, o.at.namespace, encodeMapKey(o.mapKey));
      model.delete(cellId(MAP_STATE, o.at.key, o.at.namespace, o.mapKey));
      return;
  }
}

describe('the heap backend’s cells', () => {
  it('read and snapshot like a plain model, with snapshots open while cells come and go', () => {
    fc.assert(
      fc.property(fc.array(operation, { maxLength: 150 }), (operations) => {
        const backend = newBackend('memory');
        const model: Model = new Map();
        const open: { snapshot: KeyedStateSnapshot; expected: string[] }[] = [];
        for (const o of operations) {
          switch (o.op) {
            case 'put':
            case 'remove':
            case 'mapPut':
            case 'mapRemove':
              applyWrite(backend, model, o);
              break;
            case 'snapshot':
              open.push({ snapshot: backend.snapshot(), expected: modelEntries(model) });
              break;
            case 'check': {
              const oldest = open.shift();
              if (oldest === undefined) break;
              expect(entriesOf(oldest.snapshot)).toEqual(oldest.expected);
              oldest.snapshot.release();
              break;
            }
          }
          if (o.op !== 'snapshot' && o.op !== 'check' && o.op !== 'put' && o.op !== 'remove') {
            const mapSize = backend.mapSize(MAP_STATE, 0, o.at.key, o.at.namespace);
            const expectedSize = [0, 1, 2].filter((k) => model.has(cellId(MAP_STATE, o.at.key, o.at.namespace, k))).length;
            expect(mapSize).toBe(expectedSize);
          }
        }
        for (const { snapshot, expected } of open) {
          expect(entriesOf(snapshot)).toEqual(expected);
          snapshot.release();
        }
        for (const state of STATES) {
          for (const key of KEYS) {
            for (const namespace of NAMESPACES) expect(backend.get(state, 0, key, namespace)).toEqual(model.get(cellId(state, key, namespace)));
          }
        }
        const snapshot = backend.snapshot();
        expect(entriesOf(snapshot)).toEqual(modelEntries(model));
        snapshot.release();
      }),
      { numRuns: 300 },
    );
  });

  it('takes deltas that, applied in order to the base, give the state, with snapshots and deltas open while cells are copied, removed and created anew', () => {
    const withDeltas = fc.oneof(operation, fc.record({ op: fc.constant('delta' as const), releaseAt: fc.integer({ min: 0, max: 3 }) }));
    fc.assert(
      fc.property(fc.array(withDeltas, { maxLength: 150 }), (operations) => {
        const backend = newBackend('fs');
        const model: Model = new Map();
        // The chain applied so far: key → its entries, as a restore applies a base and its deltas.
        const chain = new Map<string, string[]>();
        const apply = (entries: Iterable<{ key: string; entry: string }>) => {
          for (const { key, entry } of entries) chain.set(key, [...(chain.get(key) ?? []), entry]);
        };
        const base = backend.snapshot(true);
        apply([...base.entries()].map((e) => ({ key: e.key, entry: entryText(e) })));
        base.release();
        // Views still open: each released after some later operations, as an asynchronous write ends.
        const open: { release(): void; after: number }[] = [];
        for (const o of operations) {
          switch (o.op) {
            case 'put':
            case 'remove':
            case 'mapPut':
            case 'mapRemove':
              applyWrite(backend, model, o);
              break;
            case 'snapshot':
              // A savepoint: copy-on-write without a new base.
              open.push({ release: backend.snapshot().release, after: 2 });
              break;
            case 'check':
              break;
            case 'delta': {
              const delta = backend.snapshotChanges();
              if (delta === undefined) break;
              const changes = [...delta.changes()];
              expect(new Set(changes.map((change) => change.key)).size).toBe(changes.length);
              for (const change of changes) chain.delete(change.key);
              apply(changes.flatMap((change) => change.entries.map((e) => ({ key: change.key, entry: entryText(e) }))));
              open.push({ release: delta.release, after: o.releaseAt });
              break;
            }
          }
          for (const view of open) if (view.after-- === 0) view.release();
        }
        for (const view of open) view.release();
        const last = backend.snapshotChanges();
        if (last !== undefined) {
          for (const change of last.changes()) chain.delete(change.key);
          apply([...last.changes()].flatMap((change) => change.entries.map((e) => ({ key: change.key, entry: entryText(e) }))));
          last.release();
          expect([...chain.values()].flat().sort()).toEqual(modelEntries(model));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('lists each changed key of a delta once however often it was recorded, as often as the delta is read', () => {
    const backend = new HeapKeyedStateBackend('fs', 128, { start: 0, end: 127 });
    backend.register('a', 'value');
    for (let i = 0; i < 200; i++) backend.put('a', i % 128, `["k${i}"]`, '', i);
    backend.snapshot(true).release();
    backend.put('a', 1, '["k1"]', '', 'changed');
    // Removed and created anew, and removed again: each recorded twice.
    backend.remove('a', 2, '["k2"]', '');
    backend.put('a', 2, '["k2"]', '', 'again');
    backend.remove('a', 3, '["k3"]', '');
    backend.put('a', 3, '["k3"]', '', 'again');
    backend.remove('a', 3, '["k3"]', '');
    // Keys whose timers changed too, or only they.
    const delta = backend.snapshotChanges(
      new Map([
        ['["k1"]', 1],
        ['["k3"]', 3],
        ['["k9"]', 9],
      ]),
    )!;
    const listing = () => [...delta.changes()].map((change) => `${change.key}=${JSON.stringify(change.entries.map((e) => e.value))}`).sort();
    const expected = ['["k1"]=["changed"]', '["k2"]=["again"]', '["k3"]=[]', '["k9"]=[9]'];
    expect(listing()).toEqual(expected);
    expect(listing()).toEqual(expected);
    delta.release();
    // Listed cells, changed later in place (no snapshot open) or copied (one open), are in the next delta.
    backend.put('a', 1, '["k1"]', '', 'later');
    const open = backend.snapshot();
    backend.put('a', 9, '["k9"]', '', 'later');
    const next = backend.snapshotChanges()!;
    expect([...next.changes()].map((change) => [change.key, change.entries.map((e) => e.value)])).toEqual([
      ['["k1"]', ['later']],
      ['["k9"]', ['later']],
    ]);
    next.release();
    open.release();
  });

  it('lists a state’s (key, namespace) pairs across many namespaces of one key', () => {
    const backend = new HeapKeyedStateBackend('memory', 128, { start: 0, end: 127 });
    backend.register('a', 'value');
    backend.register('b', 'value');
    for (const namespace of NAMESPACES) {
      backend.put('a', 3, '["k"]', namespace, 1);
      backend.put('b', 3, '["k"]', namespace, 2);
    }
    backend.remove('a', 3, '["k"]', '10');
    const listed = [...backend.keys('a')].map((c) => `${c.keyGroup}:${c.key}:${c.namespace}`).sort();
    expect(listed).toEqual(NAMESPACES.filter((n) => n !== '10').map((n) => `3:["k"]:${n}`).sort());
  });
});

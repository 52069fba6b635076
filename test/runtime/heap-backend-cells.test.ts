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
      fc.property(fc.array(operation, { maxLength: 150, size: 'max' }), (operations) => {
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
      fc.property(fc.array(withDeltas, { maxLength: 150, size: 'max' }), (operations) => {
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

  it('records a key once per epoch when its only cell is replaced, joined by a second and removed, so a delta is not refused', () => {
    // A delta is refused (a base taken instead) past half the keys held plus 64 records: 150 changed keys of
    // 400 pass only if each is recorded once, as a key's cells always were before its only cell was its slot.
    const backend = new HeapKeyedStateBackend('fs', 128, { start: 0, end: 127 });
    backend.register('a', 'value');
    backend.register('m', 'map');
    for (let k = 0; k < 400; k++) backend.put('a', k % 128, k, '', 0);
    backend.snapshot(true).release();
    for (let k = 0; k < 150; k++) {
      const open = backend.snapshot();
      // Copied (a view holds it), replaced by a new value, joined by a map cell, which then goes.
      backend.put('a', k % 128, k, '', 1);
      open.release();
      backend.put('a', k % 128, k, '', 2);
      backend.mapPut('m', k % 128, k, '', '"x"', 'x', 3);
      backend.mapRemove('m', k % 128, k, '', '"x"');
    }
    const delta = backend.snapshotChanges();
    expect(delta).toBeDefined();
    const changes = [...delta!.changes()];
    delta!.release();
    expect(changes).toHaveLength(150);
    expect(changes.find((change) => change.key === '[7]')!.entries.map((e) => `${e.state}=${JSON.stringify(e.value)}`)).toEqual(['a=2']);

    // Keys whose only cell goes after a change: one record each too (130 of 400, leaving 270: at most 199).
    const removing = new HeapKeyedStateBackend('fs', 128, { start: 0, end: 127 });
    removing.register('a', 'value');
    for (let k = 0; k < 400; k++) removing.put('a', k % 128, k, '', 0);
    removing.snapshot(true).release();
    for (let k = 0; k < 130; k++) {
      removing.put('a', k % 128, k, '', 1);
      removing.remove('a', k % 128, k, '');
    }
    const removals = removing.snapshotChanges();
    expect(removals).toBeDefined();
    const removed = [...removals!.changes()];
    removals!.release();
    expect(removed).toHaveLength(130);
    expect(removed.every((change) => change.entries.length === 0)).toBe(true);
  });

  it('changes in place the key groups a base’s writer has passed, and copies those it has not reached', () => {
    const backend = new HeapKeyedStateBackend('fs', 128, { start: 0, end: 127 });
    backend.register('count', 'value');
    backend.register('windows', 'map');
    for (const group of [1, 2, 3]) {
      backend.put('count', group, `["g${group}"]`, '', [0]);
      backend.mapPut('windows', group, `["g${group}"]`, '', '"w"', 'w', [0]);
    }
    const base = backend.snapshot(true);
    const written: string[] = [];
    // Yields after every cell: the writer is at key group 2 once it has written g1's two cells and one of g2's.
    const writer = base.writeEntries!({ entry: (group, key, state, _ns, value) => written.push(`${group}:${key}:${state}=${JSON.stringify(value)}`), full: () => true });
    for (let cells = 0; cells < 3; cells++) writer.next();
    const counts = [1, 2, 3].map((group) => backend.getForUpdate('count', group, `["g${group}"]`, '') as number[]);
    const windows = [1, 2, 3].map((group) => backend.mapGetForUpdate('windows', group, `["g${group}"]`, '', '"w"') as number[]);
    for (const value of [...counts, ...windows]) value[0] = 7;
    backend.put('count', 1, '["g1"]', '', [8]);
    backend.mapPut('windows', 1, '["g1"]', '', '"w"', 'w', [8]);
    while (!writer.next().done);
    base.release();
    // Passed (g1) or not (g2, g3), the base holds what the state was when it was taken.
    expect(written.sort()).toEqual(
      [1, 2, 3].flatMap((group) => [`${group}:["g${group}"]:count=[0]`, `${group}:["g${group}"]:windows=[0]`]).sort(),
    );
    expect([1, 2, 3].map((group) => [backend.get('count', group, `["g${group}"]`, ''), backend.mapGet('windows', group, `["g${group}"]`, '', '"w"')])).toEqual([
      [[8], [8]],
      [[7], [7]],
      [[7], [7]],
    ]);
  });

  it('writes bases that are the state when taken while writes change passed key groups in place, with savepoints and deltas open', () => {
    // Key i in key group i: a base's writer passes them one after another.
    const GROUP_KEYS = ['["g0"]', '["g1"]', '["g2"]', '["g3"]'];
    const at = fc.record({ key: fc.constantFrom(...GROUP_KEYS), namespace: fc.constantFrom('', '10', '20') });
    const mapKey = fc.integer({ min: 0, max: 2 });
    const step = fc.oneof(
      { weight: 2, arbitrary: fc.record({ op: fc.constantFrom('put' as const, 'increment' as const, 'remove' as const), at, value: fc.integer({ max: 99 }) }) },
      { weight: 2, arbitrary: fc.record({ op: fc.constantFrom('mapPut' as const, 'mapIncrement' as const, 'mapRemove' as const), at, mapKey, value: fc.integer({ max: 99 }) }) },
      // A base's writer writes a cell; bases, savepoints and deltas are taken and read.
      { weight: 3, arbitrary: fc.constant({ op: 'write' as const }) },
      { weight: 1, arbitrary: fc.constantFrom({ op: 'base' as const }, { op: 'snapshot' as const }, { op: 'delta' as const }, { op: 'read' as const }) },
    );
    fc.assert(
      fc.property(fc.array(step, { minLength: 100, maxLength: 200 }), (steps) => {
        const backend = newBackend('fs');
        const model: Model = new Map();
        const keyOf = (id: string) => (JSON.parse(id) as string[])[1]!;
        const modelOfKey = (key: string) => modelEntries(new Map([...model].filter(([id]) => keyOf(id) === key)));
        // Bases being written a cell at a time; savepoints and deltas read when their turn comes.
        const writing: { written: string[]; writer: Generator<void, void, undefined>; release(): void; expected: string[] }[] = [];
        const unread: { check(): void; release(): void }[] = [];
        const writeCell = () => {
          const base = writing[0];
          if (base === undefined || !base.writer.next().done) return;
          expect(base.written.sort()).toEqual(base.expected);
          base.release();
          writing.shift();
        };
        for (const o of steps) {
          if ('at' in o) {
            const { key, namespace } = o.at;
            const group = GROUP_KEYS.indexOf(key);
            // `increment`s change the value in place, as an aggregate changes its accumulator.
            if ('mapKey' in o) {
              const encoded = encodeMapKey(o.mapKey);
              if (o.op === 'mapPut') backend.mapPut(MAP_STATE, group, key, namespace, encoded, o.mapKey, [o.value]);
              else if (o.op === 'mapRemove') backend.mapRemove(MAP_STATE, group, key, namespace, encoded);
              else (backend.mapGetForUpdate(MAP_STATE, group, key, namespace, encoded) as number[] | undefined)?.push(o.value);
            } else if (o.op === 'put') backend.put('a', group, key, namespace, [o.value]);
            else if (o.op === 'remove') backend.remove('a', group, key, namespace);
            else (backend.getForUpdate('a', group, key, namespace) as number[] | undefined)?.push(o.value);
            const id = 'mapKey' in o ? cellId(MAP_STATE, key, namespace, o.mapKey) : cellId('a', key, namespace);
            if (o.op === 'put' || o.op === 'mapPut') model.set(id, [o.value]);
            else if (o.op === 'remove' || o.op === 'mapRemove') model.delete(id);
            else if (model.has(id)) model.set(id, [...(model.get(id) as number[]), o.value]);
            continue;
          }
          switch (o.op) {
            case 'base': {
              const base = backend.snapshot(true);
              const written: string[] = [];
              const writer = base.writeEntries!({
                entry: (_group, key, state, namespace, value, rawMapKey) =>
                  written.push(entryText({ state, key, namespace, value, hasMapKey: state === MAP_STATE, mapKey: rawMapKey })),
                full: () => true,
              });
              writing.push({ written, writer, release: base.release, expected: modelEntries(model) });
              break;
            }
            case 'write':
              writeCell();
              break;
            case 'snapshot': {
              const snapshot = backend.snapshot();
              const expected = modelEntries(model);
              unread.push({ check: () => expect(entriesOf(snapshot)).toEqual(expected), release: snapshot.release });
              break;
            }
            case 'delta': {
              const delta = backend.snapshotChanges();
              if (delta === undefined) break;
              const expected = new Map(GROUP_KEYS.map((key) => [key, modelOfKey(key)]));
              const check = () => {
                for (const change of delta.changes()) expect(change.entries.map(entryText).sort()).toEqual(expected.get(change.key));
              };
              unread.push({ check, release: delta.release });
              break;
            }
            case 'read': {
              const view = unread.shift();
              view?.check();
              view?.release();
              break;
            }
          }
        }
        while (writing.length > 0) writeCell();
        for (const view of unread) {
          view.check();
          view.release();
        }
        const snapshot = backend.snapshot();
        expect(entriesOf(snapshot)).toEqual(modelEntries(model));
        snapshot.release();
      }),
      { numRuns: 300 },
    );
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

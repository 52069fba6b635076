import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { CurrentKey } from '../../runtime/state/current-key.js';
import { decodeCellKey, decodeCellSuffix, encodeCellKey, keyCellsPrefix } from '../../runtime/state/disk/cell-key.js';
import { DiskKeyedStateBackend } from '../../runtime/state/disk-backend.js';
import { compareCodePoints } from '../../runtime/state/key-codec.js';
import { keyGroupForKey } from '../../runtime/state/key-groups.js';
import { createKeyedState, mapState, valueState } from '../../runtime/state/keyed-state.js';
import type { KeyChange, KeyedStateBackend, StateEntry } from '../../runtime/state/keyed-state-backend.js';
import { keyedStateToText } from '../../runtime/state/snapshot-format.js';
import { TestBackends } from './state-test-backends.js';

const MAX_PARALLELISM = 128;
const CACHE_CELLS = 32;

const dirs: string[] = [];
const backends = new TestBackends();
afterEach(() => {
  backends.disposeAll();
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

type CacheBound = { readonly cacheCells: number } | { readonly cacheBytes: number };

function diskBackend(maxChangedKeys?: number, bound: CacheBound = { cacheCells: CACHE_CELLS }): DiskKeyedStateBackend {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-disk-cache-'));
  dirs.push(dir);
  const options = { directory: path.join(dir, 'store.lmdb'), ...bound, ...(maxChangedKeys === undefined ? {} : { maxChangedKeys }) };
  return new DiskKeyedStateBackend(MAX_PARALLELISM, { start: 0, end: MAX_PARALLELISM - 1 }, options);
}

/** A counter and a map per key, as a windowed aggregate keeps them; `round` changes every value. */
function write(backend: KeyedStateBackend, keys: readonly number[], round: number, afterEachAccess: () => void = () => {}): void {
  const key = new CurrentKey(MAX_PARALLELISM, backend.keyGroupRange, 'write');
  const count = createKeyedState(backend, key, valueState<number>('count'));
  const seen = createKeyedState(backend, key, mapState<string, number>('seen'));
  for (const k of keys) {
    key.set([k]);
    count.update(k * 10 + round);
    afterEachAccess();
    seen.put(`r${round}`, k);
    if (round > 0) seen.remove(`r${round - 1}`);
    afterEachAccess();
  }
}

function snapshotText(backend: KeyedStateBackend): string {
  const snapshot = backend.snapshot();
  try {
    return keyedStateToText(snapshot);
  } finally {
    snapshot.release();
  }
}

/**
 * Round 0 of `change` then a base; each further round then a delta, then writes after the delta was taken: base
 * plus the deltas so far must equal the heap backend's state when each delta was taken, and the backends agree at
 * the end.
 */
function expectDeltasRestore(disk: KeyedStateBackend, heap: KeyedStateBackend, change: (backend: KeyedStateBackend, round: number) => void, rounds: number): void {
  /** Entries by key, each key's in canonical order (a delta lists them in no particular order). */
  const byKey = (entries: Iterable<StateEntry>, into = new Map<string, StateEntry[]>()) => {
    for (const entry of entries) into.set(entry.key, [...(into.get(entry.key) ?? []), entry]);
    return into;
  };
  const text = (state: Map<string, StateEntry[]>) =>
    [...state.keys()]
      .sort(compareCodePoints)
      .flatMap((key) => state.get(key)!.map((e) => JSON.stringify([e.state, e.namespace, e.mapKey ?? null, e.value])).sort())
      .join('\n');
  change(disk, 0);
  change(heap, 0);
  const base = disk.snapshot(true);
  const restored = byKey(base.entries());
  base.release();
  for (let round = 1; round <= rounds; round++) {
    change(disk, round);
    change(heap, round);
    const delta = disk.snapshotChanges!()!;
    const expected = heap.snapshot();
    // Written after the delta was taken: not in it.
    change(disk, round + 10);
    change(heap, round + 10);
    for (const { key, entries } of delta.changes()) {
      if (entries.length === 0) restored.delete(key);
      else restored.set(key, [...entries]);
    }
    delta.release();
    expect(text(restored)).toBe(text(byKey(expected.entries())));
    expected.release();
  }
  expect(snapshotText(disk)).toBe(snapshotText(heap));
}

/** A cache that holds every cell (the store has only the base), one that evicts, and one bounded in bytes that evicts. */
const CACHES: readonly (readonly [string, CacheBound])[] = [
  ['holds every cell', { cacheCells: 100_000 }],
  ['evicts', { cacheCells: CACHE_CELLS }],
  ['is bounded in bytes (about 30 cells) and evicts', { cacheBytes: 8 * 1024 }],
];

const range = (n: number, from = 0) => Array.from({ length: n }, (_, i) => from + i);

describe('the disk backend cache', () => {
  it('never holds more cells than its setting, and what it evicts reads back', () => {
    const disk = diskBackend();
    const reference = backends.create('memory');
    let peak = 0;
    for (let round = 0; round < 3; round++) {
      write(disk, range(500), round, () => (peak = Math.max(peak, disk.cachedCellCount)));
      write(reference, range(500), round);
    }
    expect(peak).toBe(CACHE_CELLS);
    expect(snapshotText(disk)).toBe(snapshotText(reference));
  });

  it('a snapshot taken while writes continue holds the state as of the snapshot', () => {
    const disk = diskBackend();
    const before = backends.create('memory');
    const after = backends.create('memory');
    write(disk, range(300), 0);
    write(before, range(300), 0);
    write(after, range(300), 0);

    const snapshot = disk.snapshot();
    // Later writes evict and write back into the store while the snapshot is open: new values, new keys, removals.
    write(disk, range(400), 1);
    write(after, range(400), 1);
    const key = new CurrentKey(MAX_PARALLELISM, disk.keyGroupRange, 'remove');
    for (const backend of [disk, after]) {
      const count = createKeyedState(backend, key, valueState<number>('count'));
      for (const k of range(50)) {
        key.set([k]);
        count.clear();
      }
    }
    disk.flush();
    expect(keyedStateToText(snapshot)).toBe(snapshotText(before));
    snapshot.release();
    expect(snapshotText(disk)).toBe(snapshotText(after));
  });
});

describe('the disk backend change record (incremental checkpoints)', () => {
  it('records at most its limit of changed keys: past it, the next checkpoint is a base, and recording starts again there', () => {
    const disk = diskBackend(100);
    write(disk, range(300), 0);
    disk.snapshot(true).release();
    write(disk, range(80), 1);
    const delta = disk.snapshotChanges()!;
    expect([...delta.changes()].map((change) => change.key)).toHaveLength(80);
    delta.release();
    // 101 changed keys: more than the record holds.
    write(disk, range(101, 100), 2);
    expect(disk.snapshotChanges()).toBeUndefined();
    disk.snapshot(true).release();
    write(disk, range(5), 3);
    const next = disk.snapshotChanges()!;
    expect([...next.changes()]).toHaveLength(5);
    next.release();
  });
});

describe('the disk backend delta (incremental checkpoints)', () => {
  /** Cells of two states, in two namespaces, some keys with bytes the cell keys escape. */
  function fill(backend: KeyedStateBackend, keys: readonly string[], round: number): void {
    backend.register('count', 'value');
    backend.register('seen', 'map');
    for (const [i, key] of keys.entries()) {
      const group = keyGroupForKey(key, MAX_PARALLELISM);
      backend.put('count', group, key, '', i + round);
      if (i % 3 === 0) backend.put('count', group, key, 'w', [i, round]);
      backend.mapPut('seen', group, key, '', `m${i % 5}`, `m${i % 5}`, round);
      if (i % 4 === 0) backend.mapPut('seen', group, key, 'w\u0001', `n${round}`, `n${round}`, i);
      if (round > 0 && i % 5 === 0) backend.remove('count', group, key, '');
    }
  }

  // A delta lists its keys, and each key its entries, in no particular order (keyed-state-backend.ts): sort both.
  const entryOrder = (a: StateEntry, b: StateEntry) =>
    compareCodePoints(a.state, b.state) || compareCodePoints(a.namespace, b.namespace) || compareCodePoints(JSON.stringify(a.mapKey ?? null), JSON.stringify(b.mapKey ?? null));
  const sortedChanges = (changes: Iterable<KeyChange>) =>
    [...changes].map((change) => ({ ...change, entries: [...change.entries].sort(entryOrder) })).sort((a, b) => a.keyGroup - b.keyGroup || compareCodePoints(a.key, b.key));

  it("holds every entry of each changed key, whether it scans a key group's cells or reads key by key", () => {
    const disk = diskBackend();
    const heap = backends.create('memory');
    const keys = range(4000).map((i) => (i % 7 === 0 ? `["k\u0000${i}"]` : `[${i}]`));
    const group = (key: string) => keyGroupForKey(key, MAX_PARALLELISM);
    // Every other key of one key group (a scan: many changed keys, unchanged ones between), one key of another (read
    // alone), two with all cells removed.
    const scanned = keys.filter((key) => group(key) === 5).filter((_, i) => i % 2 === 0);
    const alone = keys.filter((key) => group(key) === 9).slice(0, 1);
    const emptied = keys.filter((key) => group(key) === 11).slice(0, 2);
    expect(scanned.length).toBeGreaterThan(10);
    for (const backend of [disk, heap]) {
      fill(backend, keys, 0);
      backend.snapshot(true).release();
      fill(backend, [...scanned, ...alone], 1);
      for (const key of emptied) {
        backend.remove('count', group(key), key, '');
        backend.remove('count', group(key), key, 'w');
        backend.remove('seen', group(key), key, '');
        backend.remove('seen', group(key), key, 'w\u0001');
      }
    }
    const diskDelta = disk.snapshotChanges()!;
    const heapDelta = heap.snapshotChanges!()!;
    const changes = sortedChanges(diskDelta.changes());
    expect(changes.map((change) => change.key).sort()).toEqual([...scanned, ...alone, ...emptied].sort());
    expect(changes.filter((change) => emptied.includes(change.key)).map((change) => change.entries)).toEqual([[], []]);
    expect(changes).toEqual(sortedChanges(heapDelta.changes()));
    diskDelta.release();
    heapDelta.release();
  });
});

const DELTA_KEYS = range(300).map((i) => `[${i}]`);

describe('the disk backend delta of cells not yet written back', () => {
  // A delta leaves dirty cells in the cache (no store write) and takes their values instead: with a cache that
  // holds everything, the store has only the base; with a small one, some cells of a key are in the store and
  // some only in the cache, written or not since the last delta.
  it.each(CACHES)('restores, base plus deltas, the state each delta was taken at, when the cache %s', (_, bound) => {
    /** Round `round` changes one kind of cell of some keys: the count, a window's count, a map entry, or removes. */
    const change = (backend: KeyedStateBackend, round: number) => {
      backend.register('count', 'value');
      backend.register('seen', 'map');
      for (const [i, key] of DELTA_KEYS.entries()) {
        if (i % (round + 1) !== 0) continue;
        const group = keyGroupForKey(key, MAX_PARALLELISM);
        const kind = round === 0 ? -1 : (i + round) % 4;
        if (kind === -1 || kind === 0) backend.put('count', group, key, '', i * 10 + round);
        if (kind === -1 || kind === 1) backend.put('count', group, key, 'w', [i, round]);
        if (kind === -1 || kind === 2) backend.mapPut('seen', group, key, '', `m${round % 3}`, `m${round % 3}`, round);
        if (kind === 3) backend.mapRemove('seen', group, key, '', `m${(round + 2) % 3}`);
        if (kind === 3 && i % 3 === 0) backend.remove('count', group, key, 'w');
      }
    };
    expectDeltasRestore(diskBackend(undefined, bound), backends.create('memory'), change, 6);
  });
});

describe('the disk backend delta of keys with one cell', () => {
  // With one value state in the store and no namespace, the delta takes a key's value from its last write-back (or
  // from the cache) instead of reading the store; once a namespace is used, it reads the store again.
  it.each(CACHES)('restores, base plus deltas, the state each delta was taken at, when the cache %s', (_, bound) => {
    /**
     * Round `round` puts, removes or only reads some keys' counts; from round 5 on, some in a window too. A map
     * state is registered and never used, as the timer service's are.
     */
    const change = (backend: KeyedStateBackend, round: number) => {
      backend.register('count', 'value');
      backend.register('__timers.event', 'map');
      for (const [i, key] of DELTA_KEYS.entries()) {
        if (round > 0 && i % (round + 1) !== 0) continue;
        const group = keyGroupForKey(key, MAX_PARALLELISM);
        const kind = round === 0 ? 0 : (i + round) % 4;
        if (kind === 0 || kind === 1) backend.put('count', group, key, '', [i, round]);
        if (kind === 2) backend.remove('count', group, key, '');
        if (kind === 3) backend.get('count', group, key, '');
        if (round >= 5 && i % 7 === 0) backend.put('count', group, key, 'w', round);
      }
    };
    expectDeltasRestore(diskBackend(undefined, bound), backends.create('memory'), change, 7);
  });
});

describe('the disk backend delta of cells that stay cached', () => {
  const put = (disk: DiskKeyedStateBackend, keys: readonly string[], round: number) => {
    for (const [i, key] of keys.entries()) disk.put('count', keyGroupForKey(key, MAX_PARALLELISM), key, '', [i, round]);
  };
  const read = (delta: ReturnType<NonNullable<DiskKeyedStateBackend['snapshotChanges']>>) => {
    const out = new Map<string, unknown[]>();
    for (const { key, entries } of delta!.changes()) out.set(key, entries.map((entry) => entry.value));
    delta!.release();
    return out;
  };

  it('writes a cell that every delta takes once, when it is flushed (or evicted), not once per delta', () => {
    const disk = diskBackend(undefined, { cacheCells: 100_000 });
    disk.register('count', 'value');
    const keys = range(100).map((i) => `[${i}]`);
    put(disk, keys, 0);
    disk.snapshot(true).release();
    const afterBase = disk.storeWriteCount;
    expect(afterBase).toBe(100);
    for (let round = 1; round <= 5; round++) {
      put(disk, keys, round);
      const changes = read(disk.snapshotChanges!());
      expect(changes.size).toBe(100);
      expect(changes.get('[7]')).toEqual([[7, round]]);
    }
    // Taken by five deltas, written by none of them.
    expect(disk.storeWriteCount).toBe(afterBase);
    expect(snapshotText(disk)).toContain('[7,5]');
    expect(disk.storeWriteCount).toBe(afterBase + 100);
  });

  it('lays a cached cell an earlier delta took over the store, for a key that changed only in its timers', () => {
    const disk = diskBackend(undefined, { cacheCells: 100_000 });
    disk.register('count', 'value');
    const keys = ['[1]', '[2]'];
    put(disk, keys, 0);
    disk.snapshot(true).release();
    put(disk, keys, 1);
    read(disk.snapshotChanges!());
    // Nothing written since: the store still holds round 0; the key comes in through its timers.
    const changes = read(disk.snapshotChanges!(new Map([['[2]', keyGroupForKey('[2]', MAX_PARALLELISM)]])));
    expect([...changes]).toEqual([['[2]', [[1, 1]]]]);
  });
});

describe('disk cell keys', () => {
  // Parts with the bytes that need escaping, surrogate pairs and code points either side of them.
  const part = fc.string({ unit: fc.constantFrom('\u0000', '\u0001', '\u0002', 'a', '[', '"', '\u00e9', '\uffff', '\ud83d\ude00'), maxLength: 6 });
  const cell = fc.record({ keyGroup: fc.integer({ min: 0, max: 32767 }), state: part, key: part, namespace: part, mapKey: fc.option(part.filter((p) => p !== ''), { nil: undefined }) });
  type Cell = typeof cell extends fc.Arbitrary<infer T> ? T : never;

  const canonical = (a: Cell, b: Cell): number =>
    a.keyGroup - b.keyGroup ||
    compareCodePoints(a.state, b.state) ||
    compareCodePoints(a.key, b.key) ||
    compareCodePoints(a.namespace, b.namespace) ||
    compareCodePoints(a.mapKey ?? '', b.mapKey ?? '');
  const encode = (c: Cell) => encodeCellKey(c.keyGroup, c.state, c.key, c.namespace, c.mapKey);

  it('decode what they encode', () => {
    fc.assert(
      fc.property(cell, (c) => {
        expect(decodeCellKey(encode(c))).toEqual(c);
        expect(decodeCellSuffix(encode(c), keyCellsPrefix(c.keyGroup, c.state, c.key).length)).toEqual({ namespace: c.namespace, mapKey: c.mapKey });
      }),
    );
  });

  it('sort as bytes in the canonical snapshot order', () => {
    fc.assert(
      fc.property(cell, cell, (a, b) => {
        expect(Math.sign(Buffer.compare(encode(a), encode(b)))).toBe(Math.sign(canonical(a, b)));
      }),
    );
  });
});

import fs from 'node:fs';
import { createRequire } from 'node:module';
import type { Database } from 'lmdb';
import { cellEntry, readChangedCells, type PendingCell } from './disk/changed-cells.js';
import { CellKeyWriter, decodeCellKey, encodeCellKey, keyGroupPrefix } from './disk/cell-key.js';
import { EvictionClock } from './disk/eviction-clock.js';
import { KeyTable } from './key-table.js';
import { compareCodePoints, encodeMapKey } from './key-codec.js';
import { rangeContains, type KeyGroupRange } from './key-groups.js';
import {
  registerLayout,
  type CellLayout,
  type KeyedStateBackend,
  type KeyedStateDelta,
  type KeyedStateSnapshot,
  type StateEntry,
} from './keyed-state-backend.js';
import { encodedStateKey, stateKeyOfEncoded, type StateKey } from './state-key.js';
import { decodeJson, encodeJson } from './value-codec.js';

/**
 * lmdb (native code, with msgpackr) loads when the first disk store opens rather than with the runtime: a worker
 * thread or a job on the heap backend does not pay for it (0.04–0.07 s of CPU per thread, measured on a loaded machine). Its CommonJS build, since
 * opening a store is synchronous; nothing else in the runtime imports lmdb, so there is one copy of it.
 */
const requireLmdb = createRequire(import.meta.url);
const lmdb = (): typeof import('lmdb') => requireLmdb('lmdb') as typeof import('lmdb');

/*
 * Why LMDB (the `lmdb` package), chosen by measurement (bench/disk-store.ts; figures in bench/README.md):
 * - It is synchronous: a cache miss is a plain call inside `processBatch`, no promise per record, and a write-back
 *   batch is one `transactionSync`. @nxtedition/rocksdb is synchronous only through undocumented `_…Sync` methods.
 * - Its prebuilt binaries come inside registry packages (@lmdb/lmdb-<platform>, optional dependencies), so
 *   `npm ci` compiles nothing and downloads nothing outside the registry. better-sqlite3, the store before it,
 *   compiled from source on a fresh machine.
 * - It was the fastest of the three behind the backend's access pattern (1 M cells, per CPU-second, loaded
 *   machine): random get + write-back 85 K/s against SQLite 60 K/s and RocksDB 40 K/s; ordered scan 1,368 K/s
 *   against 334 K/s and 269 K/s; load 480 K/s against 290 K/s and 336 K/s.
 * - A read transaction is a consistent snapshot (MVCC) while the task keeps writing: the synchronous part of a
 *   checkpoint is a flush plus opening one.
 * Its costs: the data file is larger (copy-on-write B-tree pages: ~4× SQLite's for small cells) and it is read
 * through a memory map, so its pages count in RSS as file-backed memory, which the kernel reclaims under pressure
 * (it is not heap). The memory the backend itself holds is the cell cache, bounded by `cacheBytes` (or `cacheCells`).
 */

interface ValueCell {
  readonly layout: 'value';
  readonly keyGroup: number;
  readonly state: string;
  /** The state key: a key of one number is held as the number (no string per cell; encoded at a miss and a write-back). */
  readonly key: StateKey;
  readonly namespace: string;
  /** `undefined`: no value. */
  value: unknown;
  /** Changed since it was last written back or taken by a delta. */
  dirty: boolean;
  /**
   * The store does not hold its value: a delta took it (encoded into the delta) and it has not been written since.
   * Written when it is evicted or flushed, not at the next write transaction: a cell a delta takes at every
   * checkpoint while it stays cached is written once, not once per checkpoint.
   */
  unstored: boolean;
  /** Used since the eviction clock last passed (second chance). */
  referenced: boolean;
  /** Its slot in the eviction clock, while it is its key's only cached cell. */
  slot: number;
  /** Its estimated heap (`valueCellBytes`), counted in the cache's `cachedBytes`. */
  bytes: number;
}

interface MapCell {
  readonly layout: 'map';
  readonly keyGroup: number;
  readonly state: string;
  readonly key: StateKey;
  readonly namespace: string;
  /** Every entry of the cell (loaded completely on first access), by encoded map key. */
  readonly map: Map<string, readonly [unknown, unknown]>;
  /** Map keys written or removed since the cell was last written back. */
  readonly dirtyKeys: Set<string>;
  referenced: boolean;
  slot: number;
  /** Its estimated heap (`mapCellBytes`), counted in the cache's `cachedBytes`. */
  bytes: number;
  /** The mean encoded length of its entries, as last measured (at load, write-back or checkpoint). */
  entryText: number;
}

type CacheCell = ValueCell | MapCell;

/** Cells of one key beyond which they are indexed by state and namespace rather than searched. */
const LINEAR_CELLS = 8;

/** The cached cells of a key that has more than one, across states and namespaces (a key with one is cached as that cell). */
class KeyCells {
  readonly list: CacheCell[];
  private index: Map<string, CacheCell> | undefined = undefined;
  /** Its slot in the eviction clock. */
  slot = -1;

  constructor(first: CacheCell, second: CacheCell) {
    this.list = [first, second];
  }

  get(state: string, namespace: string): CacheCell | undefined {
    if (this.index !== undefined) return this.index.get(state + '\u0000' + namespace);
    const list = this.list;
    for (let i = 0; i < list.length; i++) {
      const cell = list[i]!;
      if (cell.namespace === namespace && cell.state === state) return cell;
    }
    return undefined;
  }

  add(cell: CacheCell): void {
    this.list.push(cell);
    if (this.index !== undefined) this.index.set(cell.state + '\u0000' + cell.namespace, cell);
    else if (this.list.length > LINEAR_CELLS) this.index = new Map(this.list.map((c) => [c.state + '\u0000' + c.namespace, c]));
  }
}

export interface DiskBackendOptions {
  /** The store's directory; emptied when the backend opens (state comes from `restore`), deleted by `dispose()`. */
  readonly directory: string;
  /** How many (state, key, namespace) cells stay decoded in memory at most: `state.backend.disk.cache-cells`. */
  readonly cacheCells?: number;
  /**
   * How many bytes of heap the decoded cells may take, as estimated per cell (`valueCellBytes`, `mapCellBytes`):
   * `state.backend.disk.cache-size`. At least one of the two bounds is given; with both, both hold.
   */
  readonly cacheBytes?: number;
  /** Changed keys recorded at most between checkpoints (tests); default: `cacheCells`, at least 1,000,000. */
  readonly maxChangedKeys?: number;
}

/** A key range of the store: [start, end). */
interface KeyRange {
  readonly start: Buffer;
  readonly end: Buffer;
}

/**
 * Keyed state in an embedded LMDB store (the `disk` backend, RocksDB's role in Flink: state larger than memory).
 * Each cell (value cells) or map entry (map cells) is one record under its binary cell key (disk/cell-key.ts), so
 * a key-group range is one key range and a scan comes out in canonical snapshot order.
 *
 * In front of the store, a write-back cache of decoded cells absorbs repeated access to hot keys: a hit costs a
 * Map lookup and no encoding. It holds cells up to `cacheBytes` of estimated heap (`valueCellBytes`) and/or
 * `cacheCells` cells; when it overflows, the eviction clock drops the oldest quarter not used since it last passed,
 * and writes the dirty ones among them back in one transaction.
 * Every dirty cell is written back before a full snapshot or a `keys` scan; a delta takes their values instead,
 * and writes a value cell's when it is evicted or flushed (`unstored`), a map cell's entries with the next write
 * transaction (`pending`). Map cells are loaded whole on first access and written back per changed entry.
 *
 * Throughput therefore depends on how much of the working set the cache holds: a miss costs a store read now and
 * a write later (about 7 µs of CPU together, bench/README.md), a hit about what the heap backend costs. Keys
 * live in the cache without a store key: the binary cell key is built only on a miss and on write-back.
 */
export class DiskKeyedStateBackend implements KeyedStateBackend {
  readonly type = 'disk' as const;
  private readonly db: Database<string, Buffer>;
  /**
   * Cached cells by state key (the cell itself for a key with one, no object per key). A key of one number is looked
   * up as the number in an open-addressing table (key-table.ts, as the heap backend does): a hit makes no string and
   * hashes none, where a `Map` of encoded keys made and hashed `[n]` on every access.
   */
  private readonly cache = new KeyTable<CacheCell | KeyCells>();
  /** The same entries, in the order eviction visits them. */
  private readonly clock = new EvictionClock<CacheCell | KeyCells>();
  private cachedCells = 0;
  /** The estimated heap of the cached cells (each cell's `bytes`). */
  private cachedBytes = 0;
  /** The bounds: `cacheCells` and `cacheBytes`, Infinity when not given. */
  private readonly maxCells: number;
  private readonly maxBytes: number;
  /**
   * The cells made dirty since the last flush, which visits these rather than the whole cache. A cell that eviction
   * wrote back stays listed (clean, and out of the cache, so never listed twice) until the flush or a compaction.
   */
  private dirtyCells: CacheCell[] = [];
  /**
   * Map entries the last delta took from dirty map cells (then marked clean), not yet in the store: written first thing in
   * the next write transaction (an eviction's, in one transaction with it, or the next checkpoint's), not in the
   * checkpoint's asynchronous part, which they would lengthen by a store write each. A read never needs them:
   * their cells stay cached until evicted, and eviction's write-back writes these first.
   */
  private pending: PendingCell[] | undefined = undefined;
  /**
   * The value cells a delta took and left `unstored`, for a flush to find (eviction finds them in the cache). A cell
   * written since (evicted or flushed) stays listed until the flush or a compaction, as in `dirtyCells`.
   */
  private unstoredCells: ValueCell[] = [];
  private readonly layoutByName = new Map<string, CellLayout>();
  /** Encodes the keys of point reads and writes (the store copies them): no buffer per access. */
  private readonly cellKeys = new CellKeyWriter();
  private disposed = false;
  private storeWrites = 0;
  /** The `release` of every snapshot handed out and not yet released (each holds a read transaction). */
  private readonly openSnapshots = new Set<() => void>();
  /**
   * The keys written back to the store since the last base or delta (`snapshot(true)`, `snapshotChanges()`), with
   * their key groups: recorded per cell at write-back, not per write. Undefined until the first base, and when
   * more keys changed than `changedKeysLimit` (the next checkpoint is then a base).
   */
  private changedKeys: Map<string, number> | undefined = undefined;
  /**
   * The encoded value (undefined: removed) each of `changedKeys` was last written back with, recorded while a key
   * can have only one cell (`oneCellPerKey`): a delta then reads none of these keys from the store. Undefined when
   * a write-back did not record (another state or a namespace came in) until the next base or delta.
   */
  private writtenValues: Map<string, string | undefined> | undefined = undefined;
  /** A cell of a namespace other than `''` was used or restored (a window's): a key may have several cells. */
  private namespaced = false;
  /**
   * The states that can have cells in the store: those used (every cell in the store was loaded into the cache
   * first) or restored. Registered is not enough: the timer service registers `__timers.*`, whose timers it keeps
   * itself, so a delta would look for cells of those states under every changed key.
   */
  private readonly storedStates = new Set<string>();
  /**
   * How many changed keys are recorded at most: the cache's size, and at least `MIN_CHANGED_KEYS`, so that the
   * record (a Map entry and the key, ~100 bytes each) stays within about the memory of the cache.
   */
  private readonly changedKeysLimit: number;

  constructor(
    readonly maxParallelism: number,
    readonly keyGroupRange: KeyGroupRange,
    private readonly options: DiskBackendOptions,
  ) {
    const { cacheCells, cacheBytes } = options;
    if (cacheCells === undefined && cacheBytes === undefined) throw new Error('the disk backend needs a cache bound: cacheCells or cacheBytes');
    if (cacheCells !== undefined && (!Number.isSafeInteger(cacheCells) || cacheCells < 1)) throw new Error(`cacheCells must be a positive integer, not ${cacheCells}`);
    if (cacheBytes !== undefined && (!Number.isSafeInteger(cacheBytes) || cacheBytes < 1)) throw new Error(`cacheBytes must be a positive integer, not ${cacheBytes}`);
    this.maxCells = cacheCells ?? Infinity;
    this.maxBytes = cacheBytes ?? Infinity;
    // The cells a byte bound holds when they are small (a GROUP BY's accumulators): what the change record scales with.
    const cellsHeld = Math.min(this.maxCells, Math.floor(this.maxBytes / SMALL_CELL_BYTES));
    this.changedKeysLimit = options.maxChangedKeys ?? Math.max(cellsHeld, MIN_CHANGED_KEYS);
    fs.rmSync(options.directory, { recursive: true, force: true });
    this.db = lmdb().open<string, Buffer>({
      path: options.directory,
      // A directory (data.mdb, lock.mdb) whatever the name looks like: lmdb takes a name with an extension for a file.
      noSubdir: false,
      keyEncoding: 'binary',
      encoding: 'string',
      // Durability comes from checkpoints, not from this store: no fsyncs. Not `useWritemap`: LMDB's write-map
      // mode aborts the process in mdb_freelist_save ("Assertion 'x <= dl[0].mid' failed") when a transaction
      // frees pages, e.g. removing the last cells of a store (test/runtime/disk-backend-lifecycle.test.ts).
      // lmdb's own object cache would duplicate the cell cache, and compression costs CPU on every access.
      noSync: true,
      noMetaSync: true,
      cache: false,
      compression: false,
    });
  }

  /** Cells (and map entries) written to or removed from the store so far, by write-backs and flushes (not `restore`). */
  get storeWriteCount(): number {
    return this.storeWrites;
  }

  /** Cells decoded in memory now; never more than `cacheCells`. */
  get cachedCellCount(): number {
    return this.cachedCells;
  }

  /** The estimated heap of the cells decoded in memory now (`cacheBytes` bounds it at each load). */
  get cachedByteCount(): number {
    return this.cachedBytes;
  }

  get layouts(): ReadonlyMap<string, CellLayout> {
    return this.layoutByName;
  }

  register(state: string, layout: CellLayout): void {
    registerLayout(this.layoutByName, state, layout);
  }

  private layoutOf(state: string): CellLayout {
    const layout = this.layoutByName.get(state);
    if (layout === undefined) throw new Error(`state '${state}' is used before it is registered`);
    return layout;
  }

  /** The cached cell, loading it from the store on a miss. */
  private cell(state: string, keyGroup: number, stateKey: StateKey, namespace: string): CacheCell {
    // A key of one number given as its encoding (`[n]`) is the same key as the number: one entry for both.
    const key = typeof stateKey === 'number' ? stateKey : stateKeyOfEncoded(stateKey);
    const cells = this.cache.get(key);
    if (cells !== undefined) {
      const cached = cells instanceof KeyCells ? cells.get(state, namespace) : cells.namespace === namespace && cells.state === state ? cells : undefined;
      if (cached !== undefined) {
        cached.referenced = true;
        return cached;
      }
    }
    const cell = this.load(state, keyGroup, key, namespace);
    if (cells === undefined) {
      this.cache.set(key, cell);
      this.clock.add(cell);
    } else if (cells instanceof KeyCells) cells.add(cell);
    else {
      // In the single cell's place in the clock.
      const list = new KeyCells(cells, cell);
      this.cache.set(key, list);
      this.clock.replace(cells, list);
    }
    this.cachedBytes += cell.bytes;
    if (++this.cachedCells > this.maxCells || this.cachedBytes > this.maxBytes) this.evict(key);
    return cell;
  }

  private load(state: string, keyGroup: number, key: StateKey, namespace: string): CacheCell {
    if (namespace !== '') this.namespaced = true;
    this.storedStates.add(state);
    // The store's keys are the encodings: a key of one number is encoded here (memoised, number-encodings.ts).
    const encoded = encodedStateKey(key);
    if (this.layoutOf(state) === 'value') {
      const stored = this.db.get(this.cellKeys.cell(keyGroup, state, encoded, namespace, undefined));
      const bytes = valueCellBytes(key, namespace, stored === undefined ? 0 : stored.length);
      return { layout: 'value', keyGroup, state, key, namespace, value: stored === undefined ? undefined : decodeJson(stored), dirty: false, unstored: false, referenced: false, slot: -1, bytes };
    }
    const map = new Map<string, readonly [unknown, unknown]>();
    let text = 0;
    for (const { key: entryKey, value } of this.db.getRange(prefixRange(encodeCellKey(keyGroup, state, encoded, namespace, undefined)))) {
      map.set(decodeCellKey(entryKey).mapKey!, decodeJson(value) as [unknown, unknown]);
      text += value.length;
    }
    const entryText = map.size === 0 ? 0 : text / map.size;
    return { layout: 'map', keyGroup, state, key, namespace, map, dirtyKeys: new Set(), referenced: false, slot: -1, bytes: mapCellBytes(key, namespace, map.size, entryText), entryText };
  }

  private valueCell(state: string, keyGroup: number, key: StateKey, namespace: string): ValueCell {
    const cell = this.cell(state, keyGroup, key, namespace);
    if (cell.layout !== 'value') throw new Error(`state '${state}' is a map state`);
    return cell;
  }

  private mapCell(state: string, keyGroup: number, key: StateKey, namespace: string): MapCell {
    const cell = this.cell(state, keyGroup, key, namespace);
    if (cell.layout !== 'map') throw new Error(`state '${state}' is not a map state`);
    return cell;
  }

  get(state: string, keyGroup: number, key: StateKey, namespace: string): unknown {
    return this.valueCell(state, keyGroup, key, namespace).value;
  }

  getForUpdate(state: string, keyGroup: number, key: StateKey, namespace: string): unknown {
    // Cached values are private to the backend (snapshots read the store), so no copy is needed; the caller
    // changes it in place, so it is written back.
    const cell = this.valueCell(state, keyGroup, key, namespace);
    if (cell.value !== undefined) this.markDirty(cell);
    return cell.value;
  }

  put(state: string, keyGroup: number, key: StateKey, namespace: string, value: unknown): void {
    const cell = this.valueCell(state, keyGroup, key, namespace);
    // A cell that had no value is counted at its key alone: estimate the new one (a GROUP BY's first row of a key;
    // anything else is measured again when it is next encoded).
    if (cell.value === undefined && value !== undefined) this.resize(cell, valueCellBytes(cell.key, cell.namespace, approximateTextLength(value)));
    cell.value = value;
    this.markDirty(cell);
  }

  /** Sets the estimated heap of a cached cell. */
  private resize(cell: CacheCell, bytes: number): void {
    this.cachedBytes += bytes - cell.bytes;
    cell.bytes = bytes;
  }

  append(state: string, keyGroup: number, key: StateKey, namespace: string, items: readonly unknown[]): void {
    const cell = this.valueCell(state, keyGroup, key, namespace);
    if (cell.value === undefined) cell.value = items.slice();
    else for (let i = 0; i < items.length; i++) (cell.value as unknown[]).push(items[i]);
    this.markDirty(cell);
  }

  remove(state: string, keyGroup: number, key: StateKey, namespace: string): void {
    const cell = this.cell(state, keyGroup, key, namespace);
    if (cell.layout === 'value') {
      cell.value = undefined;
      this.markDirty(cell);
    } else {
      for (const mapKey of cell.map.keys()) this.markEntryDirty(cell, mapKey);
      cell.map.clear();
    }
  }

  mapGet(state: string, keyGroup: number, key: StateKey, namespace: string, mapKey: string): unknown {
    return this.mapCell(state, keyGroup, key, namespace).map.get(mapKey)?.[1];
  }

  mapPut(state: string, keyGroup: number, key: StateKey, namespace: string, mapKey: string, rawMapKey: unknown, value: unknown): void {
    const cell = this.mapCell(state, keyGroup, key, namespace);
    cell.map.set(mapKey, [rawMapKey, value]);
    this.markEntryDirty(cell, mapKey);
  }

  mapGetForUpdate(state: string, keyGroup: number, key: StateKey, namespace: string, mapKey: string): unknown {
    // As `getForUpdate`: cached values are private to the backend, and written back.
    const cell = this.mapCell(state, keyGroup, key, namespace);
    const entry = cell.map.get(mapKey);
    if (entry === undefined) return undefined;
    this.markEntryDirty(cell, mapKey);
    return entry[1];
  }

  mapPutIfAbsent(state: string, keyGroup: number, key: StateKey, namespace: string, mapKey: string, rawMapKey: unknown, value: unknown): boolean {
    const cell = this.mapCell(state, keyGroup, key, namespace);
    if (cell.map.has(mapKey)) return false;
    cell.map.set(mapKey, [rawMapKey, value]);
    this.markEntryDirty(cell, mapKey);
    return true;
  }

  mapRemove(state: string, keyGroup: number, key: StateKey, namespace: string, mapKey: string): boolean {
    const cell = this.mapCell(state, keyGroup, key, namespace);
    if (!cell.map.delete(mapKey)) return false;
    this.markEntryDirty(cell, mapKey);
    return true;
  }

  mapEntries(state: string, keyGroup: number, key: StateKey, namespace: string): Iterable<readonly [unknown, unknown]> {
    return this.mapCell(state, keyGroup, key, namespace).map.values();
  }

  mapSize(state: string, keyGroup: number, key: StateKey, namespace: string): number {
    return this.mapCell(state, keyGroup, key, namespace).map.size;
  }

  keys(state: string): Iterable<{ readonly keyGroup: number; readonly key: string; readonly namespace: string }> {
    this.layoutOf(state);
    this.flush();
    // Collected first: the caller may change state while it goes through them.
    const found: { keyGroup: number; key: string; namespace: string }[] = [];
    let last: { keyGroup: number; key: string; namespace: string } | undefined;
    for (const cellKey of this.db.getKeys(this.keyGroupRangeKeys())) {
      const decoded = decodeCellKey(cellKey);
      if (decoded.state !== state) continue;
      // A map cell's entries are adjacent: list its (key, namespace) once.
      if (last !== undefined && last.keyGroup === decoded.keyGroup && last.key === decoded.key && last.namespace === decoded.namespace) continue;
      last = { keyGroup: decoded.keyGroup, key: decoded.key, namespace: decoded.namespace };
      found.push(last);
    }
    return found;
  }

  private keyGroupRangeKeys(): KeyRange {
    return { start: keyGroupPrefix(this.keyGroupRange.start), end: keyGroupPrefix(this.keyGroupRange.end + 1) };
  }

  private markDirty(cell: ValueCell): void {
    if (cell.dirty) return;
    cell.dirty = true;
    this.listDirty(cell);
  }

  private markEntryDirty(cell: MapCell, mapKey: string): void {
    if (cell.dirtyKeys.size === 0) this.listDirty(cell);
    cell.dirtyKeys.add(mapKey);
  }

  private listDirty(cell: CacheCell): void {
    // Without flushes (no checkpoints) the list would keep every cell eviction wrote back: it drops them once it
    // could hold the whole cache twice, so it stays within the cache's bound at O(1) per cell amortised.
    if (this.dirtyCells.length >= 2 * this.cachedCells + 1024) this.dirtyCells = this.dirtyCells.filter(isDirty);
    this.dirtyCells.push(cell);
  }

  /** Writes every dirty cell back in one transaction. */
  flush(): void {
    const cells: CacheCell[] = this.dirtyCells.filter(isDirty);
    // A dirty cell is listed in `dirtyCells` whether or not it is also unstored.
    for (const cell of this.unstoredCells) if (cell.unstored && !cell.dirty) cells.push(cell);
    this.writeBack(cells, true);
    this.dirtyCells = [];
    this.unstoredCells = [];
  }

  /** Writes the values a delta took (`pending`), if they are not in the store yet. */
  private writePending(): void {
    if (this.pending !== undefined && !this.disposed) this.writeBack([]);
  }

  /**
   * Writes `pending`, then `cells`, in one transaction. `cached`: the cells stay in the cache, and their size is
   * measured again from what was encoded (evicted cells have left it).
   */
  private writeBack(cells: readonly CacheCell[], cached = false): void {
    const pending = this.pending;
    if (cells.length === 0 && pending === undefined) return;
    this.pending = undefined;
    const db = this.db;
    const cellKeys = this.cellKeys;
    const changed = this.changedKeys;
    if (this.writtenValues !== undefined && !this.oneCellPerKey()) this.writtenValues = undefined;
    const written = changed === undefined ? undefined : this.writtenValues;
    let writes = 0;
    db.transactionSync(() => {
      // Before the cells: a cell changed again since the delta has a newer value. Their keys are in the delta.
      if (pending !== undefined) {
        for (const cell of pending) {
          const cellKey = cellKeys.cell(cell.keyGroup, cell.state, cell.key, cell.namespace, cell.mapKey);
          if (cell.value === undefined) db.removeSync(cellKey);
          else db.putSync(cellKey, cell.value);
        }
        writes += pending.length;
      }
      for (const cell of cells) {
        const key = encodedStateKey(cell.key);
        if (cell.layout === 'value') {
          // An unstored cell not changed since a delta took it is no change since that delta: written, not recorded.
          if (cell.dirty) changed?.set(key, cell.keyGroup);
          const cellKey = cellKeys.cell(cell.keyGroup, cell.state, key, cell.namespace, undefined);
          const encoded = cell.value === undefined ? undefined : encodeJson(cell.value);
          if (encoded === undefined) db.removeSync(cellKey);
          else db.putSync(cellKey, encoded);
          writes++;
          if (cell.dirty) written?.set(key, encoded);
          cell.dirty = false;
          cell.unstored = false;
          if (cached) this.resize(cell, valueCellBytes(cell.key, cell.namespace, encoded === undefined ? 0 : encoded.length));
        } else {
          changed?.set(key, cell.keyGroup);
          let text = 0;
          let entries = 0;
          writes += cell.dirtyKeys.size;
          for (const mapKey of cell.dirtyKeys) {
            const cellKey = cellKeys.cell(cell.keyGroup, cell.state, key, cell.namespace, mapKey);
            const entry = cell.map.get(mapKey);
            if (entry === undefined) db.removeSync(cellKey);
            else {
              const encoded = encodeJson(entry);
              db.putSync(cellKey, encoded);
              text += encoded.length;
              entries++;
            }
          }
          cell.dirtyKeys.clear();
          if (cached) this.remeasureMap(cell, text, entries);
        }
      }
    });
    this.storeWrites += writes;
    // Past the limit the record would outgrow the memory the cache setting bounds: stop; the next checkpoint is a base.
    if (changed !== undefined && changed.size > this.changedKeysLimit) {
      this.changedKeys = undefined;
      this.writtenValues = undefined;
    }
  }

  /** Measures a cached map cell again, its entries' mean length updated with `entries` just encoded (`text` long in all). */
  private remeasureMap(cell: MapCell, text: number, entries: number): void {
    if (entries > 0) {
      // The encoded entries stand for themselves; the others keep the mean measured before.
      const others = Math.max(0, cell.map.size - entries);
      cell.entryText = (cell.entryText * others + text) / Math.max(1, others + entries);
    }
    this.resize(cell, mapCellBytes(cell.key, cell.namespace, cell.map.size, cell.entryText));
  }

  /** Measures a cell again from the values `capture` just encoded for it (`captured` from `from` on). */
  private remeasureCaptured(cell: CacheCell, captured: readonly PendingCell[], from: number): void {
    let text = 0;
    let entries = 0;
    for (let i = from; i < captured.length; i++) {
      const value = captured[i]!.value;
      if (value === undefined) continue;
      text += value.length;
      entries++;
    }
    if (cell.layout === 'value') this.resize(cell, valueCellBytes(cell.key, cell.namespace, text));
    else this.remeasureMap(cell, text, entries);
  }

  /** Whether a key can have at most one cell: one state in the store, of the value layout, and no namespace but `''`. */
  private oneCellPerKey(): boolean {
    if (this.namespaced || this.storedStates.size > 1) return false;
    for (const state of this.storedStates) return this.layoutByName.get(state) === 'value';
    return true;
  }

  /** Starts recording the keys (and, with one cell per key, the values) written back, for the next delta. */
  private startRecording(): void {
    this.changedKeys = new Map();
    this.writtenValues = this.oneCellPerKey() ? new Map() : undefined;
  }

  /**
   * Drops a quarter of the cache (in batches, so that write-back transactions are large): the keys the clock
   * reaches first, unless one of their cells was used since it last passed, which then gets a second chance.
   * `current` is the key being accessed: the cell just handed out must stay the one in the cache.
   */
  private evict(current: StateKey): void {
    const cellTarget = Math.floor(this.maxCells * 0.75);
    const byteTarget = Math.floor(this.maxBytes * 0.75);
    const dirty: CacheCell[] = [];
    const clock = this.clock;
    // A key visited twice has had its second chance: the loop ends after at most two rounds.
    let visits = 2 * clock.length;
    while ((this.cachedCells > cellTarget || this.cachedBytes > byteTarget) && visits-- > 0) {
      const cells = clock.advance();
      if (cells === undefined) continue;
      let referenced = false;
      if (cells instanceof KeyCells) {
        for (const cell of cells.list) {
          if (cell.referenced) referenced = true;
          cell.referenced = false;
        }
      } else {
        referenced = cells.referenced;
        cells.referenced = false;
      }
      const key = cells instanceof KeyCells ? cells.list[0]!.key : cells.key;
      if (referenced || key === current) continue;
      this.cache.delete(key);
      clock.remove(cells);
      if (cells instanceof KeyCells) {
        for (const cell of cells.list) {
          if (needsWrite(cell)) dirty.push(cell);
          this.cachedBytes -= cell.bytes;
        }
        this.cachedCells -= cells.list.length;
      } else {
        if (needsWrite(cells)) dirty.push(cells);
        this.cachedBytes -= cells.bytes;
        this.cachedCells--;
      }
    }
    this.writeBack(dirty);
  }

  snapshot(asBase = false): KeyedStateSnapshot {
    this.flush();
    if (asBase) this.startRecording();
    const view = this.openReadView();
    const db = this.db;
    const range = this.keyGroupRangeKeys();
    return {
      keyGroupRange: this.keyGroupRange,
      maxParallelism: this.maxParallelism,
      layouts: new Map(this.layoutByName),
      // Read in chunks, each range read to its end before anything is yielded: no LMDB cursor stays open while the
      // caller writes asynchronously, so `dispose()` (a task failing mid-checkpoint) never closes the store under
      // one, which crashes the process (a cursor or transaction used after its environment closed).
      entries: function* () {
        let after: Buffer | undefined;
        for (;;) {
          view.check();
          const chunk: { key: Buffer; value: string }[] = [];
          const transaction = view.transaction;
          const options = after === undefined ? { ...range, transaction, limit: SNAPSHOT_CHUNK } : { ...range, start: after, exclusiveStart: true, transaction, limit: SNAPSHOT_CHUNK };
          for (const { key, value } of db.getRange(options)) chunk.push({ key, value });
          for (const { key: cellKey, value } of chunk) {
            view.check();
            yield entryOf(cellKey, value);
          }
          if (chunk.length < SNAPSHOT_CHUNK) return;
          after = chunk[chunk.length - 1]!.key;
        }
      },
      release: view.release,
    };
  }

  /**
   * O(changed keys): the keys written back since the previous base or delta and those of the dirty cells, read
   * when the delta is written through a read transaction opened now (MVCC, as `snapshot()`), in one ordered pass per
   * key group (disk/changed-cells.ts), with the dirty cells' values taken now laid over what the store holds.
   * Writing them here, one store write per dirty cell (~7 µs each, bench/README.md), was most of the checkpoint's
   * synchronous part. A value cell's taken value is left out of the store (`unstored`) until the cell is evicted or
   * flushed: a cell taken at every checkpoint while it stays cached is written once. So the store can lag a cached
   * cell taken by an earlier delta: such cells of this delta's keys are laid over the store as well. A map cell's
   * taken entries are written with the next write transaction (`pending`), before the next delta's read opens.
   */
  snapshotChanges(alsoChanged?: ReadonlyMap<string, number>): KeyedStateDelta | undefined {
    const changed = this.changedKeys;
    if (changed === undefined) return undefined;
    // The previous delta's map entries reach the store first: the read transaction opened below must see them.
    this.writePending();
    const oneCell = this.oneCellPerKey();
    const captured: PendingCell[] = [];
    const mapEntries: PendingCell[] = [];
    /** Keys with more than one cached cell, whose other cells may be unstored (taken by an earlier delta). */
    const lagging = new Set<StateKey>();
    for (const cell of this.dirtyCells) {
      if (!isDirty(cell)) continue;
      changed.set(encodedStateKey(cell.key), cell.keyGroup);
      const from = captured.length;
      capture(captured, cell);
      this.remeasureCaptured(cell, captured, from);
      if (cell.layout === 'value') this.markUnstored(cell);
      else for (let i = from; i < captured.length; i++) mapEntries.push(captured[i]!);
      if (!oneCell && this.cache.get(cell.key) instanceof KeyCells) lagging.add(cell.key);
    }
    this.dirtyCells = [];
    this.pending = mapEntries.length === 0 ? undefined : mapEntries;
    // Past the limit the record would outgrow the memory the cache setting bounds: the caller takes a base.
    if (changed.size > this.changedKeysLimit) {
      this.changedKeys = undefined;
      this.writtenValues = undefined;
      return undefined;
    }
    // Known whole: each written key's value, and the taken cells (its only cell) laid over them.
    const written = oneCell ? this.writtenValues : undefined;
    this.startRecording();
    if (alsoChanged !== undefined) {
      for (const [key, keyGroup] of alsoChanged) {
        changed.set(key, keyGroup);
        lagging.add(stateKeyOfEncoded(key));
      }
    }
    // Every dirty cell was taken: the store holds every other cell of a changed key (a change replaces them all),
    // but for cells taken by an earlier delta and not written since, added from the cache.
    const overlay = new Map<string, PendingCell>();
    for (const cell of captured) addToOverlay(overlay, cell);
    for (const key of lagging) this.overlayUnstored(overlay, key);
    const view = this.openReadView();
    const db = this.db;
    const layouts = new Map(this.layoutByName);
    // Only states with cells in the store are read (in the store's order).
    const states = [...this.storedStates].sort(compareCodePoints);
    const range = this.keyGroupRange;
    const storedCells = this.storedCellCount();
    return {
      keyGroupRange: this.keyGroupRange,
      maxParallelism: this.maxParallelism,
      layouts,
      changes: () => readChangedCells(db, view.transaction, changed, overlay, states, range, storedCells, view.check, written),
      forEachChangedKey: (visit) => {
        for (const key of changed.keys()) visit(key);
      },
      release: view.release,
    };
  }

  /** A value cell whose value a delta took: the store lags it until it is evicted or flushed. */
  private markUnstored(cell: ValueCell): void {
    if (cell.unstored) return;
    cell.unstored = true;
    // As `listDirty`: compacted once it could hold the whole cache twice.
    if (this.unstoredCells.length >= 2 * this.cachedCells + 1024) this.unstoredCells = this.unstoredCells.filter((listed) => listed.unstored);
    this.unstoredCells.push(cell);
  }

  /** Lays the unstored cells of cached `key` over the store, unless this delta took them already. */
  private overlayUnstored(overlay: Map<string, PendingCell>, key: StateKey): void {
    const cells = this.cache.get(key);
    if (cells === undefined) return;
    for (const cell of cells instanceof KeyCells ? cells.list : [cells]) {
      if (cell.layout !== 'value' || !cell.unstored) continue;
      const encodedKey = encodedStateKey(cell.key);
      let taken = false;
      for (let pending = overlay.get(encodedKey); pending !== undefined && !taken; pending = pending.next) {
        taken = pending.mapKey === undefined && pending.namespace === cell.namespace && pending.state === cell.state;
      }
      if (taken) continue;
      const { keyGroup, state, namespace } = cell;
      addToOverlay(overlay, { keyGroup, state, key: encodedKey, namespace, mapKey: undefined, value: cell.value === undefined ? undefined : encodeJson(cell.value), next: undefined });
    }
  }

  /** The cells the store holds (of every state): LMDB keeps the count, so this costs no scan. */
  private storedCellCount(): number {
    return (this.db.getStats() as { entryCount: number }).entryCount;
  }

  /** A read transaction (a consistent view of the store) for a snapshot or delta, ended by `release` or `dispose`. */
  private openReadView() {
    const transaction = this.db.useReadTransaction();
    const directory = this.options.directory;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      this.openSnapshots.delete(release);
      transaction.done();
    };
    this.openSnapshots.add(release);
    return {
      transaction,
      release,
      /** Throws once the view is released: the store may be closed. */
      check: () => {
        if (released) throw closedWhileRead(directory);
      },
    };
  }

  restore(entries: Iterable<StateEntry>, layouts: Readonly<Record<string, CellLayout>> = {}): void {
    for (const [state, layout] of Object.entries(layouts)) this.register(state, layout);
    // Cached cells would shadow what is restored under them; what is restored is no change (the next checkpoint is a base).
    this.flush();
    this.changedKeys = undefined;
    this.writtenValues = undefined;
    this.cache.clear();
    this.clock.clear();
    this.cachedCells = 0;
    this.cachedBytes = 0;
    const db = this.db;
    db.transactionSync(() => {
      for (const entry of entries) {
        if (!rangeContains(this.keyGroupRange, entry.keyGroup)) continue;
        if (entry.namespace !== '') this.namespaced = true;
        this.storedStates.add(entry.state);
        this.register(entry.state, entry.hasMapKey ? 'map' : 'value');
        const mapKey = entry.hasMapKey ? encodeMapKey(entry.mapKey) : undefined;
        const value = entry.hasMapKey ? encodeJson([entry.mapKey, entry.value]) : encodeJson(entry.value);
        db.putSync(encodeCellKey(entry.keyGroup, entry.state, entry.key, entry.namespace, mapKey), value);
      }
    });
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.cache.clear();
    this.clock.clear();
    this.dirtyCells = [];
    this.unstoredCells = [];
    this.pending = undefined;
    this.cachedCells = 0;
    this.cachedBytes = 0;
    // Every read transaction ends before the environment closes; a snapshot still being written then fails.
    for (const release of [...this.openSnapshots]) release();
    this.db.close();
    fs.rmSync(this.options.directory, { recursive: true, force: true });
  }
}

/** A stored cell as a snapshot entry. */
function entryOf(cellKey: Buffer, value: string): StateEntry {
  const { keyGroup, state, key, namespace, mapKey } = decodeCellKey(cellKey);
  return cellEntry(keyGroup, state, key, namespace, mapKey, value);
}

/** Chains `cell` under its key in a delta's overlay. */
function addToOverlay(overlay: Map<string, PendingCell>, cell: PendingCell): void {
  const first = overlay.get(cell.key);
  if (first === undefined) overlay.set(cell.key, cell);
  else {
    cell.next = first.next;
    first.next = cell;
  }
}

/** Adds the values of a dirty cell (a value cell, or its map's dirty entries) to `into`, encoded (frozen), and marks it clean. */
function capture(into: PendingCell[], cell: CacheCell): void {
  const { keyGroup, state, namespace } = cell;
  const key = encodedStateKey(cell.key);
  if (cell.layout === 'value') {
    into.push({ keyGroup, state, key, namespace, mapKey: undefined, value: cell.value === undefined ? undefined : encodeJson(cell.value), next: undefined });
    cell.dirty = false;
    return;
  }
  for (const mapKey of cell.dirtyKeys) {
    const entry = cell.map.get(mapKey);
    into.push({ keyGroup, state, key, namespace, mapKey, value: entry === undefined ? undefined : encodeJson(entry), next: undefined });
  }
  cell.dirtyKeys.clear();
}

/** Whether eviction must write the cell: changed, or its value taken by a delta and not yet in the store. */
function needsWrite(cell: CacheCell): boolean {
  return cell.layout === 'value' ? cell.dirty || cell.unstored : cell.dirtyKeys.size > 0;
}

function isDirty(cell: CacheCell): boolean {
  return cell.layout === 'value' ? cell.dirty : cell.dirtyKeys.size > 0;
}

/** Every key that starts with `prefix` (a map cell's entries), as a range: [prefix, prefix + 0xff…). */
function prefixRange(prefix: Buffer): KeyRange {
  return { start: prefix, end: Buffer.concat([prefix, MAX_UTF8_BYTE]) };
}

function closedWhileRead(directory: string): Error {
  return new Error(`the disk state store ${directory} was closed, or the snapshot released, while the snapshot was being read`);
}

/**
 * The estimated heap of a cached cell, for the cache's byte bound. Measured with `--expose-gc` on 100,000 cells
 * (bench/README.md, "The `disk` backend, part 5"): a `[count, sum]` value cell (10 characters of JSON) took 207
 * bytes, a row of four fields (73) 254, a list of 20 rows (842) 2,111, a map cell of 10 small entries (239 in all)
 * 2,576, each without its key's string. So: a fixed part (the cell, its cache entry, the clock's slot and the dirty
 * list's share), the key, and twice the value's encoded length (numbers and field names take less room decoded than
 * as text, strings and small objects more): within ±30 % on those shapes. In a GROUP BY's access pattern (1 M keys,
 * cells loaded and evicted, the cache's table at its usual load) a small cell took 259 bytes under a key string
 * against 227 estimated with a fixed part of 180 (part 5), and 250 under a key of one number, held as the number
 * in the open-addressing table (part 6): the fixed part is 210, a number key's share of the table's slots 25.
 */
const CELL_BYTES = 210;
/** A string's header in V8 (one-byte strings: a byte per character beyond it). */
const STRING_BYTES = 24;
/** A key of one number: no string, its share of the cache table's slots (a double and a pointer, the table a quarter to half full). */
const NUMBER_KEY_BYTES = 25;
/** A map cell's entry: its `Map` slot, the `[rawMapKey, value]` pair, the map key's string. */
const MAP_ENTRY_BYTES = 180;
/** What a small cell (a GROUP BY's accumulator and its key) is estimated at: how many cells a byte bound holds. */
const SMALL_CELL_BYTES = 250;

/** The cell's key: its string, or a number's share of the table. */
function keyBytes(key: StateKey): number {
  return typeof key === 'number' ? NUMBER_KEY_BYTES : STRING_BYTES + key.length;
}

function valueCellBytes(key: StateKey, namespace: string, valueText: number): number {
  return CELL_BYTES + keyBytes(key) + namespace.length + 2 * valueText;
}

function mapCellBytes(key: StateKey, namespace: string, entries: number, entryText: number): number {
  return CELL_BYTES + keyBytes(key) + namespace.length + entries * (MAP_ENTRY_BYTES + 2 * entryText);
}

/**
 * About the length of `value`'s JSON, without encoding it: for a value put into a cell that had none, which is
 * measured exactly the next time it is encoded. Looks at 64 parts at most (a large value is counted short until then).
 */
function approximateTextLength(value: unknown): number {
  textBudget = 64;
  return textLength(value);
}

/** What is left of `approximateTextLength`'s 64 parts. A module variable, not a closure per call (a value put into an empty cell is a GROUP BY's every new key). */
let textBudget = 0;

function textLength(part: unknown): number {
  if (textBudget-- <= 0) return 0;
  switch (typeof part) {
    case 'number':
      return 8;
    case 'string':
      return part.length + 2;
    case 'boolean':
      return 5;
    case 'object': {
      if (part === null) return 4;
      let total = 2;
      if (Array.isArray(part)) for (let i = 0; i < part.length && textBudget > 0; i++) total += textLength(part[i]) + 1;
      else
        for (const field in part) {
          if (textBudget <= 0) break;
          total += field.length + 4 + textLength((part as Record<string, unknown>)[field]);
        }
      return total;
    }
    default:
      return 0;
  }
}

/** Changed keys recorded at least, whatever the cache size (see `changedKeysLimit`). */
const MIN_CHANGED_KEYS = 1_000_000;

/** Entries a snapshot reads from the store at a time. */
const SNAPSHOT_CHUNK = 1024;

/** Greater than any byte of UTF-8 text: ends a prefix range. */
const MAX_UTF8_BYTE = Buffer.from([0xff]);

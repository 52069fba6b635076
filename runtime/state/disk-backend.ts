import Database from 'better-sqlite3';
import fs from 'node:fs';
import { encodeMapKey } from './key-codec.js';
import { rangeContains, type KeyGroupRange } from './key-groups.js';
import { registerLayout, type CellLayout, type KeyedStateBackend, type KeyedStateSnapshot, type StateEntry } from './keyed-state-backend.js';
import { decodeJson, encodeJson } from './value-codec.js';

/*
 * Why better-sqlite3 (and not classic-level): state is read and written from the hot path of an operator, inside
 * a synchronous `processBatch`. better-sqlite3 is synchronous, so a state access is a plain call with no promise
 * per record; LevelDB bindings are asynchronous (or batch-only). SQLite's WAL mode also gives what checkpoints
 * need for free: a second connection's read transaction is a consistent snapshot while the task keeps writing.
 */

interface ValueCell {
  readonly layout: 'value';
  readonly keyGroup: number;
  readonly key: string;
  readonly namespace: string;
  readonly state: string;
  /** `undefined`: no value. */
  value: unknown;
  dirty: boolean;
}

interface MapCell {
  readonly layout: 'map';
  readonly keyGroup: number;
  readonly key: string;
  readonly namespace: string;
  readonly state: string;
  /** Every entry of the cell (loaded completely on first access). */
  readonly map: Map<string, readonly [unknown, unknown]>;
  /** Map keys written or removed since the last flush. */
  readonly dirtyKeys: Set<string>;
}

type CacheCell = ValueCell | MapCell;

const SEP = '\u0001';
/** The `mk` column of value-layout rows; encoded map keys are JSON and never empty. */
const NO_MAP_KEY = '';

export interface DiskBackendOptions {
  /** The SQLite file; created if missing, deleted by `dispose()`. */
  readonly file: string;
  /** How many (state, key, namespace) cells stay decoded in memory. */
  readonly cacheCells?: number;
}

/**
 * Keyed state in an embedded SQLite database (the `disk` backend, RocksDB's role: state larger than memory).
 * One table holds every cell, keyed by (key group, state, key, namespace, map key) so a key-group range is one
 * index range and rows come out in the canonical snapshot order. A cache of decoded cells in front of it
 * absorbs repeated access to hot keys; dirty cells are written back in one transaction when the cache
 * overflows and before every snapshot. Map cells are loaded whole on first access and written back per entry.
 */
export class DiskKeyedStateBackend implements KeyedStateBackend {
  readonly type = 'disk' as const;
  private readonly db: Database.Database;
  private readonly cache = new Map<string, CacheCell>();
  private readonly layoutByName = new Map<string, CellLayout>();
  private readonly cacheCells: number;
  private readonly statements;
  private disposed = false;

  constructor(
    readonly maxParallelism: number,
    readonly keyGroupRange: KeyGroupRange,
    private readonly options: DiskBackendOptions,
  ) {
    this.cacheCells = options.cacheCells ?? 50_000;
    this.db = new Database(options.file);
    // Durability comes from checkpoints, not from this file: skip fsyncs.
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = OFF');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS state (
        kg INTEGER NOT NULL, name TEXT NOT NULL, key TEXT NOT NULL, ns TEXT NOT NULL, mk TEXT NOT NULL, v TEXT NOT NULL,
        PRIMARY KEY (kg, name, key, ns, mk)
      ) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS layouts (name TEXT PRIMARY KEY, layout TEXT NOT NULL) WITHOUT ROWID;
    `);
    this.statements = {
      getValue: this.db.prepare<[number, string, string, string], { v: string }>(
        `SELECT v FROM state WHERE kg = ? AND name = ? AND key = ? AND ns = ? AND mk = ''`,
      ),
      getMap: this.db.prepare<[number, string, string, string], { mk: string; v: string }>(
        `SELECT mk, v FROM state WHERE kg = ? AND name = ? AND key = ? AND ns = ? AND mk > ''`,
      ),
      upsert: this.db.prepare<[number, string, string, string, string, string]>(
        `INSERT OR REPLACE INTO state (kg, name, key, ns, mk, v) VALUES (?, ?, ?, ?, ?, ?)`,
      ),
      deleteRow: this.db.prepare<[number, string, string, string, string]>(
        `DELETE FROM state WHERE kg = ? AND name = ? AND key = ? AND ns = ? AND mk = ?`,
      ),
      keys: this.db.prepare<[string], { kg: number; key: string; ns: string }>(
        `SELECT DISTINCT kg, key, ns FROM state WHERE name = ?`,
      ),
      registerLayout: this.db.prepare<[string, string]>(`INSERT OR IGNORE INTO layouts (name, layout) VALUES (?, ?)`),
      layouts: this.db.prepare<[], { name: string; layout: CellLayout }>(`SELECT name, layout FROM layouts`),
    };
    for (const { name, layout } of this.statements.layouts.all()) this.layoutByName.set(name, layout);
  }

  get layouts(): ReadonlyMap<string, CellLayout> {
    return this.layoutByName;
  }

  register(state: string, layout: CellLayout): void {
    if (registerLayout(this.layoutByName, state, layout)) this.statements.registerLayout.run(state, layout);
  }

  private layoutOf(state: string): CellLayout {
    const layout = this.layoutByName.get(state);
    if (layout === undefined) throw new Error(`state '${state}' is used before it is registered`);
    return layout;
  }

  /** The cached cell, loading it on a miss; moves it to the young end of the cache (LRU). */
  private cell(state: string, keyGroup: number, key: string, namespace: string): CacheCell {
    const id = state + SEP + key + SEP + namespace;
    const cached = this.cache.get(id);
    if (cached !== undefined) {
      this.cache.delete(id);
      this.cache.set(id, cached);
      return cached;
    }
    let cell: CacheCell;
    if (this.layoutOf(state) === 'value') {
      const row = this.statements.getValue.get(keyGroup, state, key, namespace);
      cell = { layout: 'value', keyGroup, key, namespace, state, value: row === undefined ? undefined : decodeJson(row.v), dirty: false };
    } else {
      const map = new Map<string, readonly [unknown, unknown]>();
      for (const row of this.statements.getMap.iterate(keyGroup, state, key, namespace)) {
        map.set(row.mk, decodeJson(row.v) as [unknown, unknown]);
      }
      cell = { layout: 'map', keyGroup, key, namespace, state, map, dirtyKeys: new Set() };
    }
    this.cache.set(id, cell);
    if (this.cache.size > this.cacheCells) this.evict();
    return cell;
  }

  private valueCell(state: string, keyGroup: number, key: string, namespace: string): ValueCell {
    const cell = this.cell(state, keyGroup, key, namespace);
    if (cell.layout !== 'value') throw new Error(`state '${state}' is a map state`);
    return cell;
  }

  private mapCell(state: string, keyGroup: number, key: string, namespace: string): MapCell {
    const cell = this.cell(state, keyGroup, key, namespace);
    if (cell.layout !== 'map') throw new Error(`state '${state}' is not a map state`);
    return cell;
  }

  get(state: string, keyGroup: number, key: string, namespace: string): unknown {
    return this.valueCell(state, keyGroup, key, namespace).value;
  }

  getForUpdate(state: string, keyGroup: number, key: string, namespace: string): unknown {
    // Cached values are private to the backend (snapshots read the database), so no copy is needed.
    return this.get(state, keyGroup, key, namespace);
  }

  put(state: string, keyGroup: number, key: string, namespace: string, value: unknown): void {
    const cell = this.valueCell(state, keyGroup, key, namespace);
    cell.value = value;
    cell.dirty = true;
  }

  append(state: string, keyGroup: number, key: string, namespace: string, items: readonly unknown[]): void {
    const cell = this.valueCell(state, keyGroup, key, namespace);
    if (cell.value === undefined) cell.value = items.slice();
    else for (let i = 0; i < items.length; i++) (cell.value as unknown[]).push(items[i]);
    cell.dirty = true;
  }

  remove(state: string, keyGroup: number, key: string, namespace: string): void {
    const cell = this.cell(state, keyGroup, key, namespace);
    if (cell.layout === 'value') {
      cell.value = undefined;
      cell.dirty = true;
    } else {
      for (const mapKey of cell.map.keys()) cell.dirtyKeys.add(mapKey);
      cell.map.clear();
    }
  }

  mapGet(state: string, keyGroup: number, key: string, namespace: string, mapKey: string): unknown {
    return this.mapCell(state, keyGroup, key, namespace).map.get(mapKey)?.[1];
  }

  mapPut(state: string, keyGroup: number, key: string, namespace: string, mapKey: string, rawMapKey: unknown, value: unknown): void {
    const cell = this.mapCell(state, keyGroup, key, namespace);
    cell.map.set(mapKey, [rawMapKey, value]);
    cell.dirtyKeys.add(mapKey);
  }

  mapGetForUpdate(state: string, keyGroup: number, key: string, namespace: string, mapKey: string): unknown {
    // As `getForUpdate`: cached values are private to the backend.
    return this.mapGet(state, keyGroup, key, namespace, mapKey);
  }

  mapPutIfAbsent(state: string, keyGroup: number, key: string, namespace: string, mapKey: string, rawMapKey: unknown, value: unknown): boolean {
    const cell = this.mapCell(state, keyGroup, key, namespace);
    if (cell.map.has(mapKey)) return false;
    cell.map.set(mapKey, [rawMapKey, value]);
    cell.dirtyKeys.add(mapKey);
    return true;
  }

  mapRemove(state: string, keyGroup: number, key: string, namespace: string, mapKey: string): boolean {
    const cell = this.mapCell(state, keyGroup, key, namespace);
    if (!cell.map.delete(mapKey)) return false;
    cell.dirtyKeys.add(mapKey);
    return true;
  }

  mapEntries(state: string, keyGroup: number, key: string, namespace: string): Iterable<readonly [unknown, unknown]> {
    return this.mapCell(state, keyGroup, key, namespace).map.values();
  }

  mapSize(state: string, keyGroup: number, key: string, namespace: string): number {
    return this.mapCell(state, keyGroup, key, namespace).map.size;
  }

  keys(state: string): Iterable<{ readonly keyGroup: number; readonly key: string; readonly namespace: string }> {
    this.layoutOf(state);
    this.flush();
    return this.statements.keys.all(state).map((row) => ({ keyGroup: row.kg, key: row.key, namespace: row.ns }));
  }

  /** Writes every dirty cell back in one transaction. */
  flush(): void {
    const dirty: CacheCell[] = [];
    for (const cell of this.cache.values()) {
      if (cell.layout === 'value' ? cell.dirty : cell.dirtyKeys.size > 0) dirty.push(cell);
    }
    if (dirty.length === 0) return;
    const { upsert, deleteRow } = this.statements;
    this.db.transaction(() => {
      for (const cell of dirty) {
        if (cell.layout === 'value') {
          if (cell.value === undefined) deleteRow.run(cell.keyGroup, cell.state, cell.key, cell.namespace, NO_MAP_KEY);
          else upsert.run(cell.keyGroup, cell.state, cell.key, cell.namespace, NO_MAP_KEY, encodeJson(cell.value));
          cell.dirty = false;
        } else {
          for (const mapKey of cell.dirtyKeys) {
            const entry = cell.map.get(mapKey);
            if (entry === undefined) deleteRow.run(cell.keyGroup, cell.state, cell.key, cell.namespace, mapKey);
            else upsert.run(cell.keyGroup, cell.state, cell.key, cell.namespace, mapKey, encodeJson(entry));
          }
          cell.dirtyKeys.clear();
        }
      }
    })();
  }

  /** Flushes, then drops the least recently used quarter of the cache. */
  private evict(): void {
    this.flush();
    let drop = this.cache.size - Math.floor(this.cacheCells * 0.75);
    for (const id of this.cache.keys()) {
      if (drop-- <= 0) break;
      this.cache.delete(id);
    }
  }

  snapshot(): KeyedStateSnapshot {
    this.flush();
    // A read transaction on a second connection sees the database as of now, whatever this one writes later (WAL).
    const reader = new Database(this.options.file, { readonly: true });
    reader.exec('BEGIN');
    reader.prepare('SELECT count(*) FROM state').get();
    const layouts = new Map(this.layoutByName);
    let released = false;
    return {
      keyGroupRange: this.keyGroupRange,
      maxParallelism: this.maxParallelism,
      layouts,
      entries: function* () {
        const rows = reader
          .prepare<[], { kg: number; name: string; key: string; ns: string; mk: string; v: string }>(
            'SELECT kg, name, key, ns, mk, v FROM state ORDER BY kg, name, key, ns, mk',
          )
          .iterate();
        for (const row of rows) {
          const base = { state: row.name, keyGroup: row.kg, key: row.key, namespace: row.ns };
          if (row.mk === NO_MAP_KEY) {
            yield { ...base, value: decodeJson(row.v), hasMapKey: false };
          } else {
            const [mapKey, value] = decodeJson(row.v) as [unknown, unknown];
            yield { ...base, value, hasMapKey: true, mapKey };
          }
        }
      },
      release: () => {
        if (released) return;
        released = true;
        reader.exec('COMMIT');
        reader.close();
      },
    };
  }

  restore(entries: Iterable<StateEntry>, layouts: Readonly<Record<string, CellLayout>> = {}): void {
    for (const [state, layout] of Object.entries(layouts)) this.register(state, layout);
    this.flush();
    this.cache.clear();
    const { upsert } = this.statements;
    this.db.transaction(() => {
      for (const entry of entries) {
        if (!rangeContains(this.keyGroupRange, entry.keyGroup)) continue;
        this.register(entry.state, entry.hasMapKey ? 'map' : 'value');
        const mapKey = entry.hasMapKey ? encodeMapKey(entry.mapKey) : NO_MAP_KEY;
        const value = entry.hasMapKey ? encodeJson([entry.mapKey, entry.value]) : encodeJson(entry.value);
        upsert.run(entry.keyGroup, entry.state, entry.key, entry.namespace, mapKey, value);
      }
    })();
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.cache.clear();
    this.db.close();
    for (const suffix of ['', '-wal', '-shm']) fs.rmSync(this.options.file + suffix, { force: true });
  }
}

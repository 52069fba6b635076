import { compareCodePoints, encodeMapKey } from './key-codec.js';
import { rangeContains, type KeyGroupRange } from './key-groups.js';
import type { CellLayout, KeyedStateBackend, KeyedStateSnapshot, StateEntry } from './keyed-state-backend.js';

/** A (key, namespace) cell of one state. `epoch` is the snapshot epoch it was last written in. */
interface Cell {
  readonly keyGroup: number;
  readonly key: string;
  readonly namespace: string;
  value: unknown;
  epoch: number;
}

type MapCellValue = Map<string, readonly [unknown, unknown]>;

/**
 * The cells of one key in one state, by namespace. Most keys use a single namespace, held inline in `first`, so
 * they need no Map of their own; further namespaces go to `more`. `first` is undefined only when `more` is
 * empty. A KeyCells belongs to one snapshot epoch: while a snapshot is open, one of an older epoch is copied
 * (`copy`) before it is changed, so the snapshot's stays as it was.
 */
class KeyCells {
  first: Cell | undefined = undefined;
  more: Map<string, Cell> | undefined = undefined;

  constructor(readonly epoch: number) {}

  get(namespace: string): Cell | undefined {
    const first = this.first;
    if (first !== undefined && first.namespace === namespace) return first;
    return this.more?.get(namespace);
  }

  set(cell: Cell): void {
    const first = this.first;
    if (first === undefined || first.namespace === cell.namespace) this.first = cell;
    else (this.more ??= new Map()).set(cell.namespace, cell);
  }

  delete(namespace: string): void {
    const more = this.more;
    if (this.first?.namespace !== namespace) {
      more?.delete(namespace);
      return;
    }
    this.first = undefined;
    if (more === undefined || more.size === 0) return;
    const next = more.values().next().value!;
    more.delete(next.namespace);
    this.first = next;
  }

  get isEmpty(): boolean {
    return this.first === undefined;
  }

  *cells(): Generator<Cell> {
    if (this.first !== undefined) yield this.first;
    if (this.more !== undefined) yield* this.more.values();
  }

  copy(epoch: number): KeyCells {
    const copy = new KeyCells(epoch);
    copy.first = this.first;
    if (this.more !== undefined && this.more.size > 0) copy.more = new Map(this.more);
    return copy;
  }
}

/**
 * One state's cells: encoded key → its cells by namespace. Operators touch one key many times in a row (its rows
 * of a batch, a timer's state), so the last key looked up is remembered: a large Map's lookups miss the cache.
 */
class Table {
  readonly byKey = new Map<string, KeyCells>();
  private lastKey: string | undefined = undefined;
  private last: KeyCells | undefined = undefined;

  get(key: string): KeyCells | undefined {
    if (key === this.lastKey) return this.last;
    const cells = this.byKey.get(key);
    this.lastKey = key;
    this.last = cells;
    return cells;
  }

  set(key: string, cells: KeyCells): void {
    this.byKey.set(key, cells);
    this.lastKey = key;
    this.last = cells;
  }

  delete(key: string): void {
    this.byKey.delete(key);
    if (key === this.lastKey) this.last = undefined;
  }
}

function* cellsOf(table: ReadonlyMap<string, KeyCells>): Generator<Cell> {
  for (const cells of table.values()) yield* cells.cells();
}

/**
 * Keyed state on the JavaScript heap, for the `memory` and `fs` backends (they differ only in where checkpoints
 * go): one Map per state from the encoded key to that key's cells by namespace. Looking up by the key string the
 * operator encoded once per key (CurrentKey) reuses its cached hash, where a `key + namespace` id would be built
 * and hashed on every access. Snapshots are copy-on-write, as Flink's CopyOnWriteStateMap: `snapshot()` copies
 * each state's Map shallowly (a key's cells are shared, not copied) and starts a new epoch; while a snapshot is
 * open, a write to a key's cells or to a cell of an older epoch replaces them (copying a list or map value)
 * instead of modifying them, so the snapshot's cells never change.
 */
export class HeapKeyedStateBackend implements KeyedStateBackend {
  private readonly tables = new Map<string, Table>();
  private readonly layoutByName = new Map<string, CellLayout>();
  private epoch = 0;
  private openSnapshots = 0;

  constructor(
    readonly type: 'memory' | 'fs',
    readonly maxParallelism: number,
    readonly keyGroupRange: KeyGroupRange,
  ) {}

  get layouts(): ReadonlyMap<string, CellLayout> {
    return this.layoutByName;
  }

  register(state: string, layout: CellLayout): void {
    const existing = this.layoutByName.get(state);
    if (existing !== undefined && existing !== layout) {
      throw new Error(`state '${state}' is registered as a ${existing} state, not a ${layout} state`);
    }
    if (existing === undefined) {
      this.layoutByName.set(state, layout);
      this.tables.set(state, new Table());
    }
  }

  private table(state: string): Table {
    const table = this.tables.get(state);
    if (table === undefined) throw new Error(`state '${state}' is used before it is registered`);
    return table;
  }

  private cell(state: string, key: string, namespace: string): Cell | undefined {
    return this.table(state).get(key)?.get(namespace);
  }

  /** Whether `cell` may be modified in place: no open snapshot can see it. */
  private writable(cell: Cell): boolean {
    return this.openSnapshots === 0 || cell.epoch === this.epoch;
  }

  /** `key`'s cells, made private to the current epoch (or created) so that they can be changed. */
  private writableCells(table: Table, key: string): KeyCells {
    const cells = table.get(key);
    if (cells === undefined) {
      const created = new KeyCells(this.epoch);
      table.set(key, created);
      return created;
    }
    if (this.openSnapshots === 0 || cells.epoch === this.epoch) return cells;
    const copy = cells.copy(this.epoch);
    table.set(key, copy);
    return copy;
  }

  /** Stores a new cell (replacing any) under its key and namespace. */
  private setCell(table: Table, keyGroup: number, key: string, namespace: string, value: unknown): void {
    this.writableCells(table, key).set({ keyGroup, key, namespace, value, epoch: this.epoch });
  }

  get(state: string, _keyGroup: number, key: string, namespace: string): unknown {
    return this.cell(state, key, namespace)?.value;
  }

  getForUpdate(state: string, keyGroup: number, key: string, namespace: string): unknown {
    const table = this.table(state);
    const cell = table.get(key)?.get(namespace);
    if (cell === undefined || this.writable(cell)) return cell?.value;
    const copy = structuredClone(cell.value);
    this.setCell(table, keyGroup, key, namespace, copy);
    return copy;
  }

  put(state: string, keyGroup: number, key: string, namespace: string, value: unknown): void {
    const table = this.table(state);
    const cell = table.get(key)?.get(namespace);
    if (cell !== undefined && this.writable(cell)) cell.value = value;
    else this.setCell(table, keyGroup, key, namespace, value);
  }

  append(state: string, keyGroup: number, key: string, namespace: string, items: readonly unknown[]): void {
    const table = this.table(state);
    const cell = table.get(key)?.get(namespace);
    if (cell === undefined) {
      this.setCell(table, keyGroup, key, namespace, items.slice());
    } else if (this.writable(cell)) {
      const list = cell.value as unknown[];
      for (let i = 0; i < items.length; i++) list.push(items[i]);
    } else {
      this.setCell(table, keyGroup, key, namespace, (cell.value as unknown[]).concat(items));
    }
  }

  remove(state: string, _keyGroup: number, key: string, namespace: string): void {
    const table = this.table(state);
    if (table.get(key)?.get(namespace) === undefined) return;
    this.removeCell(table, key, namespace);
  }

  private removeCell(table: Table, key: string, namespace: string): void {
    const cells = this.writableCells(table, key);
    cells.delete(namespace);
    if (cells.isEmpty) table.delete(key);
  }

  mapGet(state: string, _keyGroup: number, key: string, namespace: string, mapKey: string): unknown {
    const cell = this.cell(state, key, namespace);
    return cell === undefined ? undefined : (cell.value as MapCellValue).get(mapKey)?.[1];
  }

  mapPut(state: string, keyGroup: number, key: string, namespace: string, mapKey: string, rawMapKey: unknown, value: unknown): void {
    this.mapForUpdate(state, keyGroup, key, namespace, true)!.set(mapKey, [rawMapKey, value]);
  }

  mapRemove(state: string, keyGroup: number, key: string, namespace: string, mapKey: string): void {
    const table = this.table(state);
    const existing = table.get(key)?.get(namespace);
    if (existing === undefined || !(existing.value as MapCellValue).has(mapKey)) return;
    const map = this.mapForUpdate(state, keyGroup, key, namespace, false)!;
    map.delete(mapKey);
    if (map.size === 0) this.removeCell(table, key, namespace);
  }

  private mapForUpdate(state: string, keyGroup: number, key: string, namespace: string, create: boolean): MapCellValue | undefined {
    const table = this.table(state);
    const cell = table.get(key)?.get(namespace);
    if (cell === undefined) {
      if (!create) return undefined;
      const map: MapCellValue = new Map();
      this.setCell(table, keyGroup, key, namespace, map);
      return map;
    }
    if (this.writable(cell)) return cell.value as MapCellValue;
    const copy: MapCellValue = new Map(cell.value as MapCellValue);
    this.setCell(table, keyGroup, key, namespace, copy);
    return copy;
  }

  mapEntries(state: string, _keyGroup: number, key: string, namespace: string): Iterable<readonly [unknown, unknown]> {
    const cell = this.cell(state, key, namespace);
    return cell === undefined ? [] : (cell.value as MapCellValue).values();
  }

  mapSize(state: string, _keyGroup: number, key: string, namespace: string): number {
    const cell = this.cell(state, key, namespace);
    return cell === undefined ? 0 : (cell.value as MapCellValue).size;
  }

  *keys(state: string): Iterable<{ readonly keyGroup: number; readonly key: string; readonly namespace: string }> {
    yield* cellsOf(this.table(state).byKey);
  }

  snapshot(): KeyedStateSnapshot {
    const frozen = new Map<string, ReadonlyMap<string, KeyCells>>();
    for (const [name, table] of this.tables) frozen.set(name, new Map(table.byKey));
    const layouts = new Map(this.layoutByName);
    this.epoch++;
    this.openSnapshots++;
    let released = false;
    return {
      keyGroupRange: this.keyGroupRange,
      maxParallelism: this.maxParallelism,
      layouts,
      entries: () => sortedEntries(frozen, layouts, this.keyGroupRange),
      release: () => {
        if (released) return;
        released = true;
        this.openSnapshots--;
        frozen.clear();
      },
    };
  }

  restore(entries: Iterable<StateEntry>, layouts: Readonly<Record<string, CellLayout>> = {}): void {
    for (const [state, layout] of Object.entries(layouts)) this.register(state, layout);
    for (const entry of entries) {
      if (!rangeContains(this.keyGroupRange, entry.keyGroup)) continue;
      this.register(entry.state, entry.hasMapKey ? 'map' : 'value');
      if (entry.hasMapKey) {
        this.mapPut(entry.state, entry.keyGroup, entry.key, entry.namespace, encodeMapKey(entry.mapKey), entry.mapKey, entry.value);
      } else {
        this.put(entry.state, entry.keyGroup, entry.key, entry.namespace, entry.value);
      }
    }
  }

  dispose(): void {
    this.tables.clear();
  }
}

/**
 * Every entry of the frozen tables in canonical order (key group, state, key, namespace, map key), lazily: cells
 * are put in buckets by key group first, so only the cells of one key group and state are ever sorted together,
 * and entries are made as the writer consumes them (short-lived objects, nothing held for the whole snapshot).
 */
function* sortedEntries(tables: ReadonlyMap<string, ReadonlyMap<string, KeyCells>>, layouts: ReadonlyMap<string, CellLayout>, range: KeyGroupRange): Generator<StateEntry> {
  const states = [...tables.keys()].sort(compareCodePoints);
  const size = Math.max(0, range.end - range.start + 1);
  // buckets[state][keyGroup - start]: the cells of that state in that key group.
  const buckets = states.map((state) => {
    const byGroup: (Cell[] | undefined)[] = new Array(size);
    for (const cell of cellsOf(tables.get(state)!)) (byGroup[cell.keyGroup - range.start] ??= []).push(cell);
    return byGroup;
  });
  for (let group = 0; group < size; group++) {
    for (let s = 0; s < states.length; s++) {
      const cells = buckets[s]![group];
      if (cells === undefined) continue;
      cells.sort(compareCells);
      const state = states[s]!;
      const isMap = layouts.get(state) === 'map';
      for (const cell of cells) {
        if (!isMap) {
          yield { state, keyGroup: cell.keyGroup, key: cell.key, namespace: cell.namespace, value: cell.value, hasMapKey: false };
          continue;
        }
        const entries = [...(cell.value as MapCellValue)].sort((a, b) => compareCodePoints(a[0], b[0]));
        for (const [, [raw, value]] of entries) {
          yield { state, keyGroup: cell.keyGroup, key: cell.key, namespace: cell.namespace, value, hasMapKey: true, mapKey: raw };
        }
      }
    }
  }
}

function compareCells(a: Cell, b: Cell): number {
  return compareCodePoints(a.key, b.key) || compareCodePoints(a.namespace, b.namespace);
}

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

/** Encoded keys are JSON, which escapes control characters, so U+0001 cannot occur inside one. */
const SEP = '\u0001';

/**
 * Keyed state on the JavaScript heap, for the `memory` and `fs` backends (they differ only in where checkpoints
 * go): one Map per state from `key + SEP + namespace` to a cell. Snapshots are copy-on-write, as Flink's
 * CopyOnWriteStateMap: `snapshot()` copies each state's Map shallowly (cells are shared, not copied) and starts a
 * new epoch; while a snapshot is open, a write to a cell of an older epoch replaces the cell (copying a list or
 * map value) instead of modifying it, so the snapshot's cells never change.
 */
export class HeapKeyedStateBackend implements KeyedStateBackend {
  private readonly tables = new Map<string, Map<string, Cell>>();
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
      this.tables.set(state, new Map());
    }
  }

  private table(state: string): Map<string, Cell> {
    const table = this.tables.get(state);
    if (table === undefined) throw new Error(`state '${state}' is used before it is registered`);
    return table;
  }

  /** Whether `cell` may be modified in place: no open snapshot can see it. */
  private writable(cell: Cell): boolean {
    return this.openSnapshots === 0 || cell.epoch === this.epoch;
  }

  get(state: string, _keyGroup: number, key: string, namespace: string): unknown {
    return this.table(state).get(key + SEP + namespace)?.value;
  }

  getForUpdate(state: string, _keyGroup: number, key: string, namespace: string): unknown {
    const table = this.table(state);
    const id = key + SEP + namespace;
    const cell = table.get(id);
    if (cell === undefined || this.writable(cell)) return cell?.value;
    const copy = structuredClone(cell.value);
    table.set(id, { keyGroup: cell.keyGroup, key, namespace, value: copy, epoch: this.epoch });
    return copy;
  }

  put(state: string, keyGroup: number, key: string, namespace: string, value: unknown): void {
    const table = this.table(state);
    const id = key + SEP + namespace;
    const cell = table.get(id);
    if (cell !== undefined && this.writable(cell)) cell.value = value;
    else table.set(id, { keyGroup, key, namespace, value, epoch: this.epoch });
  }

  append(state: string, keyGroup: number, key: string, namespace: string, items: readonly unknown[]): void {
    const table = this.table(state);
    const id = key + SEP + namespace;
    const cell = table.get(id);
    if (cell === undefined) {
      table.set(id, { keyGroup, key, namespace, value: items.slice(), epoch: this.epoch });
    } else if (this.writable(cell)) {
      const list = cell.value as unknown[];
      for (let i = 0; i < items.length; i++) list.push(items[i]);
    } else {
      table.set(id, { keyGroup, key, namespace, value: (cell.value as unknown[]).concat(items), epoch: this.epoch });
    }
  }

  remove(state: string, _keyGroup: number, key: string, namespace: string): void {
    this.table(state).delete(key + SEP + namespace);
  }

  mapGet(state: string, _keyGroup: number, key: string, namespace: string, mapKey: string): unknown {
    const cell = this.table(state).get(key + SEP + namespace);
    return cell === undefined ? undefined : (cell.value as MapCellValue).get(mapKey)?.[1];
  }

  mapPut(state: string, keyGroup: number, key: string, namespace: string, mapKey: string, rawMapKey: unknown, value: unknown): void {
    this.mapForUpdate(state, keyGroup, key, namespace, true)!.set(mapKey, [rawMapKey, value]);
  }

  mapRemove(state: string, keyGroup: number, key: string, namespace: string, mapKey: string): void {
    const table = this.table(state);
    const id = key + SEP + namespace;
    const existing = table.get(id);
    if (existing === undefined || !(existing.value as MapCellValue).has(mapKey)) return;
    const map = this.mapForUpdate(state, keyGroup, key, namespace, false)!;
    map.delete(mapKey);
    if (map.size === 0) table.delete(id);
  }

  private mapForUpdate(state: string, keyGroup: number, key: string, namespace: string, create: boolean): MapCellValue | undefined {
    const table = this.table(state);
    const id = key + SEP + namespace;
    const cell = table.get(id);
    if (cell === undefined) {
      if (!create) return undefined;
      const map: MapCellValue = new Map();
      table.set(id, { keyGroup, key, namespace, value: map, epoch: this.epoch });
      return map;
    }
    if (this.writable(cell)) return cell.value as MapCellValue;
    const copy: MapCellValue = new Map(cell.value as MapCellValue);
    table.set(id, { keyGroup, key, namespace, value: copy, epoch: this.epoch });
    return copy;
  }

  mapEntries(state: string, _keyGroup: number, key: string, namespace: string): Iterable<readonly [unknown, unknown]> {
    const cell = this.table(state).get(key + SEP + namespace);
    return cell === undefined ? [] : (cell.value as MapCellValue).values();
  }

  mapSize(state: string, _keyGroup: number, key: string, namespace: string): number {
    const cell = this.table(state).get(key + SEP + namespace);
    return cell === undefined ? 0 : (cell.value as MapCellValue).size;
  }

  keys(state: string): Iterable<{ readonly keyGroup: number; readonly key: string; readonly namespace: string }> {
    return this.table(state).values();
  }

  snapshot(): KeyedStateSnapshot {
    const frozen = new Map<string, Map<string, Cell>>();
    for (const [name, table] of this.tables) frozen.set(name, new Map(table));
    const layouts = new Map(this.layoutByName);
    this.epoch++;
    this.openSnapshots++;
    let released = false;
    return {
      keyGroupRange: this.keyGroupRange,
      maxParallelism: this.maxParallelism,
      layouts,
      entries: () => sortedEntries(frozen, layouts),
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

function sortedEntries(tables: ReadonlyMap<string, ReadonlyMap<string, Cell>>, layouts: ReadonlyMap<string, CellLayout>): StateEntry[] {
  const entries: (StateEntry & { readonly sortKey: string })[] = [];
  for (const [state, table] of tables) {
    const isMap = layouts.get(state) === 'map';
    for (const cell of table.values()) {
      const base = { state, keyGroup: cell.keyGroup, key: cell.key, namespace: cell.namespace };
      if (!isMap) {
        entries.push({ ...base, value: cell.value, hasMapKey: false, sortKey: '' });
        continue;
      }
      for (const [mapKey, [raw, value]] of cell.value as MapCellValue) {
        entries.push({ ...base, value, hasMapKey: true, mapKey: raw, sortKey: mapKey });
      }
    }
  }
  entries.sort(compareEntries);
  return entries.map(({ sortKey: _, ...entry }) => entry);
}

/** Canonical entry order, shared by every backend's snapshot (the disk backend's index sorts the same way). */
export function compareEntries(
  a: StateEntry & { readonly sortKey: string },
  b: StateEntry & { readonly sortKey: string },
): number {
  return (
    a.keyGroup - b.keyGroup ||
    compareCodePoints(a.state, b.state) ||
    compareCodePoints(a.key, b.key) ||
    compareCodePoints(a.namespace, b.namespace) ||
    compareCodePoints(a.sortKey, b.sortKey)
  );
}

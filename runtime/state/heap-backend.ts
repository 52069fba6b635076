import { copyStateValue } from './copy-state-value.js';
import { compareCodePoints, encodeMapKey } from './key-codec.js';
import { indicesByKeyGroup, rangeContains, type KeyGroupRange } from './key-groups.js';
import {
  registerLayout,
  type CellLayout,
  type KeyChange,
  type KeyedStateBackend,
  type KeyedStateDelta,
  type KeyedStateSnapshot,
  type StateEntry,
  type StateEntrySink,
} from './keyed-state-backend.js';
import { KeyTable } from './key-table.js';
import { compareStateKeys, encodedStateKey, stateKeyOfEncoded, type StateKey } from './state-key.js';

/**
 * What every (key, namespace) cell of a state has. `epoch` is the snapshot epoch it was last written in. A key's
 * only cell is held by the key table itself (no KeyCells around it), so it carries what a KeyCells records for
 * incremental checkpoints: `changedIn` and `supersededIn` (see KeyCells), read only while it is the key's slot.
 */
interface CellHeader {
  readonly state: string;
  readonly keyGroup: number;
  readonly key: StateKey;
  readonly namespace: string;
  epoch: number;
  changedIn: number;
  supersededIn: number;
  recordAt: number;
}

/** A cell of a value-layout state. */
interface ValueCell extends CellHeader {
  value: unknown;
}

/** Mutable only while no snapshot is open (see `MapCell.put`). */
type MapEntry = [rawMapKey: unknown, value: unknown];

/**
 * A cell of a map-layout state, holding its entries by encoded map key in insertion order, as a Map would. Most
 * map cells hold one entry (a timer; a join's rows of one time), kept inline in the cell's own fields: no Map and
 * hash table, no entry pair, no separate value object per cell. A second entry moves them all into a Map.
 */
class MapCell implements CellHeader {
  changedIn = -1;
  supersededIn = Infinity;
  recordAt = -1;
  private onlyKey: string | undefined = undefined;
  private onlyRaw: unknown = undefined;
  private onlyValue: unknown = undefined;
  private map: Map<string, MapEntry> | undefined = undefined;
  /**
   * The epoch from which every entry's pair and value are this cell's own: a new cell's epoch; none (-1) for a
   * copy, which shares its original's pairs and values until `valueForUpdate` copies them all at once.
   */
  private valuesOwnedIn: number;

  constructor(
    readonly state: string,
    readonly keyGroup: number,
    readonly key: StateKey,
    readonly namespace: string,
    public epoch: number,
  ) {
    this.valuesOwnedIn = epoch;
  }

  get size(): number {
    if (this.map !== undefined) return this.map.size;
    return this.onlyKey === undefined ? 0 : 1;
  }

  has(mapKey: string): boolean {
    return this.map !== undefined ? this.map.has(mapKey) : mapKey === this.onlyKey;
  }

  get(mapKey: string): unknown {
    if (this.map !== undefined) return this.map.get(mapKey)?.[1];
    return mapKey === this.onlyKey ? this.onlyValue : undefined;
  }

  /**
   * Sets an entry. `inPlace`: no open snapshot can hold this cell's entry pairs, so an existing one is updated
   * rather than replaced (a copied cell shares its Map's pairs with the original; the inline entry is its own).
   */
  put(mapKey: string, rawMapKey: unknown, value: unknown, inPlace: boolean): void {
    const map = this.map;
    if (map !== undefined) {
      const entry = inPlace ? map.get(mapKey) : undefined;
      if (entry !== undefined) entry[1] = value;
      else map.set(mapKey, [rawMapKey, value]);
    } else if (this.onlyKey === undefined || mapKey === this.onlyKey) {
      this.onlyKey = mapKey;
      this.onlyRaw = rawMapKey;
      this.onlyValue = value;
    } else {
      this.map = new Map([
        [this.onlyKey, [this.onlyRaw, this.onlyValue]],
        [mapKey, [rawMapKey, value]],
      ]);
      this.clearOnly();
    }
  }

  /**
   * The value of the existing entry `mapKey`, for the caller to change in place, in a cell of the current `epoch`
   * while a snapshot is open. A copied cell's values are still its original's: the first call in the epoch copies
   * every entry's value (`copyStateValue`) and pair, after which they are the cell's own. A window aggregate reads
   * its key's few windows for update many times an epoch: one copy of each instead of one per read.
   */
  valueForUpdate(mapKey: string, epoch: number): unknown {
    if (this.valuesOwnedIn !== epoch) {
      this.valuesOwnedIn = epoch;
      const map = this.map;
      if (map === undefined) {
        this.onlyValue = copyStateValue(this.onlyValue);
      } else {
        for (const [encoded, pair] of map) map.set(encoded, [pair[0], copyStateValue(pair[1])]);
      }
    }
    return this.get(mapKey);
  }

  delete(mapKey: string): void {
    if (this.map !== undefined) this.map.delete(mapKey);
    else if (mapKey === this.onlyKey) this.clearOnly();
  }

  private clearOnly(): void {
    this.onlyKey = undefined;
    this.onlyRaw = undefined;
    this.onlyValue = undefined;
  }

  /** [rawMapKey, value] pairs. */
  values(): Iterable<readonly [unknown, unknown]> {
    if (this.map !== undefined) return this.map.values();
    return this.onlyKey === undefined ? [] : [[this.onlyRaw, this.onlyValue]];
  }

  /** Appends the entries to `out` as snapshot entries; `sorted`: by encoded map key (a canonical snapshot's order). */
  appendEntries(sorted: boolean, out: StateEntry[]): void {
    const { state, keyGroup, namespace } = this;
    const key = encodedStateKey(this.key);
    const map = this.map;
    if (map === undefined) {
      if (this.onlyKey !== undefined) out.push({ state, keyGroup, key, namespace, value: this.onlyValue, hasMapKey: true, mapKey: this.onlyRaw });
      return;
    }
    const pairs = sorted && map.size > 1 ? [...map].sort((a, b) => compareCodePoints(a[0], b[0])).map(([, pair]) => pair) : map.values();
    for (const pair of pairs) out.push({ state, keyGroup, key, namespace, value: pair[1], hasMapKey: true, mapKey: pair[0] });
  }

  /** Hands the entries to `sink`, in the order of `values()`. */
  writeEntries(sink: StateEntrySink): void {
    const map = this.map;
    const key = encodedStateKey(this.key);
    if (map === undefined) {
      if (this.onlyKey !== undefined) sink.entry(this.keyGroup, key, this.state, this.namespace, this.onlyValue, this.onlyRaw);
      return;
    }
    for (const pair of map.values()) sink.entry(this.keyGroup, key, this.state, this.namespace, pair[1], pair[0]);
  }

  /** A copy for `epoch` (copy-on-write), sharing the entry pairs of the Map, if any, until they are replaced. */
  copy(epoch: number): MapCell {
    const copy = new MapCell(this.state, this.keyGroup, this.key, this.namespace, epoch);
    copy.onlyKey = this.onlyKey;
    copy.onlyRaw = this.onlyRaw;
    copy.onlyValue = this.onlyValue;
    if (this.map !== undefined) copy.map = new Map(this.map);
    copy.valuesOwnedIn = -1;
    return copy;
  }
}

type Cell = ValueCell | MapCell;

/** A frozen view not yet released: the lowest key group whose cells it may still read (0 until its writer says). */
interface FrozenView {
  readsFrom: number;
}

const NO_ENTRIES: readonly (readonly [unknown, unknown])[] = Object.freeze([]);

/** Changes tracked beyond twice the keys held before tracking gives up (small tables churn a little freely). */
const CHURN_SLACK = 1024;
/**
 * A delta of more than this share of the keys held (plus `LARGE_DELTA_SLACK`) is not taken: it would cost about
 * what a base costs to write, and then a merge of the chain besides (a query whose every key changes each
 * interval, as Nexmark q5's sliding windows do). The checkpoint takes a base instead.
 */
const LARGE_DELTA_SHARE = 0.5;
const LARGE_DELTA_SLACK = 64;

/** Cells a key holds before they are indexed: a few are searched faster than hashed. */
const LINEAR_CELLS = 8;

/**
 * The cells of one key, across states and namespaces, once it has had two (a key's first cell is the table's
 * slot itself: see `Slot`). A KeyCells left with one cell keeps it inline in `only`: no list, which would cost
 * an array and its backing store of 17 slots per key. A second cell moves them to `list`, searched linearly;
 * past LINEAR_CELLS they move to `index`, by state then namespace. At most one of the three is in use. A KeyCells belongs to one snapshot
 * epoch: while a snapshot is open, one of an older epoch is copied (`copy`) before it is changed, so the
 * snapshot's stays as it was.
 */
class KeyCells {
  private only: Cell | undefined = undefined;
  private list: Cell[] | undefined = undefined;
  private index: Map<string, Map<string, Cell>> | undefined = undefined;
  private count = 0;
  /**
   * The epoch in which the key was last recorded as changed (incremental checkpoints): one compare per write. Once
   * a delta's writer has listed the key, it holds that listing's mark instead (`sortedChanges`): negative, so never
   * an epoch, and only ever set on frozen cells, whose epoch is past and no longer compared.
   */
  changedIn = -1;
  /**
   * The epoch in which other cells replaced these in the table (a copy, copy-on-write; or the key removed, then
   * created anew); Infinity while they are the key's own. A delta's record of changed keys keeps the cells each
   * change left, and skips those replaced in or before the delta's epoch.
   */
  supersededIn = Infinity;
  /** Where the current epoch's record of changed keys lists these cells (valid while `changedIn` is the epoch). */
  recordAt = -1;

  constructor(readonly epoch: number) {}

  get(state: string, namespace: string): Cell | undefined {
    const only = this.only;
    if (only !== undefined) return only.namespace === namespace && only.state === state ? only : undefined;
    const list = this.list;
    if (list !== undefined) {
      for (let i = 0; i < list.length; i++) {
        const cell = list[i]!;
        if (cell.namespace === namespace && cell.state === state) return cell;
      }
      return undefined;
    }
    return this.index?.get(state)?.get(namespace);
  }

  set(cell: Cell): void {
    const only = this.only;
    if (only !== undefined) {
      if (only.namespace === cell.namespace && only.state === cell.state) {
        this.only = cell;
      } else {
        this.list = [only, cell];
        this.only = undefined;
        this.count = 2;
      }
      return;
    }
    const list = this.list;
    if (list !== undefined) {
      this.listSet(list, cell);
    } else if (this.index !== undefined) {
      this.indexSet(cell);
    } else {
      this.only = cell;
      this.count = 1;
    }
  }

  private listSet(list: Cell[], cell: Cell): void {
    for (let i = 0; i < list.length; i++) {
      const existing = list[i]!;
      if (existing.namespace === cell.namespace && existing.state === cell.state) {
        list[i] = cell;
        return;
      }
    }
    list.push(cell);
    this.count++;
    if (list.length > LINEAR_CELLS) {
      this.list = undefined;
      this.index = new Map();
      this.count = 0;
      for (const c of list) this.indexSet(c);
    }
  }

  private indexSet(cell: Cell): void {
    let byNamespace = this.index!.get(cell.state);
    if (byNamespace === undefined) this.index!.set(cell.state, (byNamespace = new Map()));
    const size = byNamespace.size;
    byNamespace.set(cell.namespace, cell);
    this.count += byNamespace.size - size;
  }

  delete(state: string, namespace: string): void {
    const only = this.only;
    if (only !== undefined) {
      if (only.namespace !== namespace || only.state !== state) return;
      this.only = undefined;
      this.count = 0;
      return;
    }
    const list = this.list;
    if (list === undefined) {
      const byNamespace = this.index?.get(state);
      if (byNamespace === undefined || !byNamespace.delete(namespace)) return;
      this.count--;
      if (byNamespace.size === 0) this.index!.delete(state);
      return;
    }
    for (let i = 0; i < list.length; i++) {
      const cell = list[i]!;
      if (cell.namespace !== namespace || cell.state !== state) continue;
      // Order among a key's cells means nothing (snapshots sort): the last one fills the gap.
      list[i] = list[list.length - 1]!;
      list.pop();
      this.count--;
      return;
    }
  }

  get isEmpty(): boolean {
    return this.count === 0;
  }

  *cells(): Generator<Cell> {
    if (this.only !== undefined) yield this.only;
    else if (this.list !== undefined) yield* this.list;
    else if (this.index !== undefined) for (const byNamespace of this.index.values()) yield* byNamespace.values();
  }

  /** Appends the key's cells to `out`: snapshots visit every key, and an iterator per key cost more than the visit. */
  appendCells(out: Cell[]): void {
    if (this.only !== undefined) out.push(this.only);
    else if (this.list !== undefined) for (let i = 0; i < this.list.length; i++) out.push(this.list[i]!);
    else if (this.index !== undefined) for (const byNamespace of this.index.values()) for (const cell of byNamespace.values()) out.push(cell);
  }

  copy(epoch: number): KeyCells {
    const copy = new KeyCells(epoch);
    copy.count = this.count;
    copy.changedIn = this.changedIn;
    copy.only = this.only;
    if (this.list !== undefined) copy.list = this.list.slice();
    if (this.index !== undefined) copy.index = new Map(Array.from(this.index, ([state, byNamespace]) => [state, new Map(byNamespace)]));
    return copy;
  }
}

/** What the key table holds for a key: its only cell, or its KeyCells once it has had two. */
type Slot = Cell | KeyCells;

/** The cell of `state` and `namespace` in a key's slot. */
function slotCell(slot: Slot, state: string, namespace: string): Cell | undefined {
  if (slot instanceof KeyCells) return slot.get(state, namespace);
  return slot.namespace === namespace && slot.state === state ? slot : undefined;
}

function appendSlotCells(slot: Slot, out: Cell[]): void {
  if (slot instanceof KeyCells) slot.appendCells(out);
  else out.push(slot);
}

/**
 * Keyed state on the JavaScript heap, for the `memory` and `fs` backends (they differ only in where checkpoints
 * go): one table (key-table.ts) from the state key (a key of one number as the number, else its encoding:
 * state-key.ts) to all that key's cells, of every state and namespace. One lookup by the state key CurrentKey found once then serves
 * all the key's states alike. Snapshots write each key's encoding.
 * Snapshots are copy-on-write, as Flink's CopyOnWriteStateMap: `snapshot()` copies the table's values shallowly (a key's
 * cells are shared, not copied) and starts a new epoch; while a snapshot is open, a write to a key's cells or to
 * a cell of an older epoch replaces them (copying a list or map value) instead of modifying them, so the
 * snapshot's cells never change — unless every open snapshot has already written the cell's key group.
 */
export class HeapKeyedStateBackend implements KeyedStateBackend {
  private readonly table = new KeyTable<Slot>();
  private readonly layoutByName = new Map<string, CellLayout>();
  private epoch = 0;
  /** The frozen views (snapshots, deltas) not yet released, each with the lowest key group it may still read. */
  private readonly openViews: FrozenView[] = [];
  /**
   * Cells of key groups below this are read by no open view, so they are changed in place whatever their epoch
   * (Infinity: no view is open). A base's writer goes through the key groups in order: once it has written a key
   * group, writes to that group copy nothing, which takes about half the copies of copy-on-write away.
   */
  private unsharedBelow = Infinity;
  /**
   * Change tracking for incremental checkpoints: on from the first base snapshot (`snapshot(true)`), so jobs
   * without incremental checkpoints pay one boolean test per write. The keys changed since the last base or
   * delta, with their key groups and the cells the change left, in three arrays (no allocation per change); a key
   * is pushed once per epoch (its KeyCells remembers the epoch), or again if its cells were copied or it was
   * removed and created anew (the delta keeps the last). The keys removed, with the cells they left, besides.
   */
  private tracking = false;
  private changedKeys: StateKey[] = [];
  private changedGroups: number[] = [];
  private changedCells: Slot[] = [];
  private removedKeys: StateKey[] = [];
  private removedCells: Slot[] = [];

  constructor(
    readonly type: 'memory' | 'fs',
    readonly maxParallelism: number,
    readonly keyGroupRange: KeyGroupRange,
  ) {}

  get layouts(): ReadonlyMap<string, CellLayout> {
    return this.layoutByName;
  }

  register(state: string, layout: CellLayout): void {
    registerLayout(this.layoutByName, state, layout);
  }

  private cell(state: string, key: StateKey, namespace: string): Cell | undefined {
    if (!this.layoutByName.has(state)) throw new Error(`state '${state}' is used before it is registered`);
    const slot = this.table.get(key);
    return slot === undefined ? undefined : slotCell(slot, state, namespace);
  }

  /** Whether `cell` may be modified in place: no open view can see it. */
  private writable(cell: Cell): boolean {
    return cell.keyGroup < this.unsharedBelow || cell.epoch === this.epoch;
  }

  /**
   * Records that `key` (present in the table) changed, once per epoch. More changes than twice the keys held
   * (churn: keys removed and created again) make a full snapshot cheaper than the delta: tracking stops until the
   * next base, and `snapshotChanges` says so.
   */
  private track(key: StateKey, keyGroup: number): void {
    const slot = this.table.get(key)!;
    if (slot.changedIn === this.epoch) return;
    slot.changedIn = this.epoch;
    slot.recordAt = this.changedKeys.length;
    this.changedKeys.push(key);
    this.changedGroups.push(keyGroup);
    this.changedCells.push(slot);
    if (this.changedKeys.length > 2 * this.table.size + CHURN_SLACK) this.stopTracking();
  }

  private stopTracking(): void {
    this.tracking = false;
    this.changedKeys = [];
    this.changedGroups = [];
    this.changedCells = [];
    this.removedKeys = [];
    this.removedCells = [];
  }

  /** `key`'s KeyCells (of `keyGroup`, which has them), made private to the current epoch so that they can be changed. */
  private writableCells(key: StateKey, keyGroup: number, cells: KeyCells): KeyCells {
    if (keyGroup < this.unsharedBelow || cells.epoch === this.epoch) return cells;
    const copy = cells.copy(this.epoch);
    cells.supersededIn = this.epoch;
    this.table.set(key, copy);
    return copy;
  }

  /** Stores a new value cell (replacing any) under its state, key and namespace. */
  private setCell(state: string, keyGroup: number, key: StateKey, namespace: string, value: unknown): void {
    this.storeCell({ state, keyGroup, key, namespace, value, epoch: this.epoch, changedIn: -1, supersededIn: Infinity, recordAt: -1 });
  }

  /**
   * Stores `cell`, of the current epoch, replacing any under its state, key and namespace. A key's first cell
   * becomes its slot in the table; a second one of another state or namespace moves both into a KeyCells.
   */
  private storeCell(cell: Cell): void {
    const table = this.table;
    const key = cell.key;
    const slot = table.get(key);
    if (slot === undefined) {
      table.set(key, cell);
    } else if (slot instanceof KeyCells) {
      this.writableCells(key, cell.keyGroup, slot).set(cell);
    } else if (slot !== cell) {
      // The lone cell is replaced (by a copy, or a new value), or joined by another: either way no longer the slot.
      slot.supersededIn = this.epoch;
      let next: Slot = cell;
      if (slot.namespace === cell.namespace && slot.state === cell.state) {
        table.set(key, cell);
      } else {
        next = new KeyCells(this.epoch);
        next.set(slot);
        next.set(cell);
        table.set(key, next);
      }
      // The new slot takes over the old one's record of this epoch: one record per key and epoch, as a KeyCells
      // has (the record count decides between a delta and a base).
      if (slot.changedIn === this.epoch) {
        next.changedIn = this.epoch;
        next.recordAt = slot.recordAt;
        this.changedCells[slot.recordAt] = next;
      }
    }
    if (this.tracking) this.track(key, cell.keyGroup);
  }

  get(state: string, _keyGroup: number, key: StateKey, namespace: string): unknown {
    return (this.cell(state, key, namespace) as ValueCell | undefined)?.value;
  }

  getForUpdate(state: string, keyGroup: number, key: StateKey, namespace: string): unknown {
    const cell = this.cell(state, key, namespace) as ValueCell | undefined;
    if (cell === undefined) return undefined;
    if (this.writable(cell)) {
      // The caller changes it in place: that is a change even if it never puts it back.
      if (this.tracking) this.track(key, keyGroup);
      return cell.value;
    }
    const copy = copyStateValue(cell.value);
    this.setCell(state, keyGroup, key, namespace, copy);
    return copy;
  }

  put(state: string, keyGroup: number, key: StateKey, namespace: string, value: unknown): void {
    const cell = this.cell(state, key, namespace) as ValueCell | undefined;
    if (cell === undefined || !this.writable(cell)) {
      this.setCell(state, keyGroup, key, namespace, value);
      return;
    }
    cell.value = value;
    if (this.tracking) this.track(key, keyGroup);
  }

  append(state: string, keyGroup: number, key: StateKey, namespace: string, items: readonly unknown[]): void {
    const cell = this.cell(state, key, namespace) as ValueCell | undefined;
    if (cell === undefined) {
      this.setCell(state, keyGroup, key, namespace, items.slice());
    } else if (this.writable(cell)) {
      const list = cell.value as unknown[];
      for (let i = 0; i < items.length; i++) list.push(items[i]);
      if (this.tracking) this.track(key, keyGroup);
    } else {
      this.setCell(state, keyGroup, key, namespace, (cell.value as unknown[]).concat(items));
    }
  }

  remove(state: string, keyGroup: number, key: StateKey, namespace: string): void {
    if (this.cell(state, key, namespace) === undefined) return;
    this.removeCell(state, keyGroup, key, namespace);
  }

  /** Removes the cell, which exists. */
  private removeCell(state: string, keyGroup: number, key: StateKey, namespace: string): void {
    const slot = this.table.get(key)!;
    if (!(slot instanceof KeyCells)) {
      // The key's only cell: the key goes. A delta records it with empty cells of its own (allocated only while
      // tracking), which a later recreation of the key can supersede; the cell itself may be a frozen view's. The
      // cell's own record of this epoch, if any, becomes the removal's: one record per key and epoch, as a
      // KeyCells has (the record count decides between a delta and a base).
      if (this.tracking) {
        const gone = new KeyCells(this.epoch);
        gone.changedIn = this.epoch;
        slot.supersededIn = this.epoch;
        if (slot.changedIn === this.epoch) {
          gone.recordAt = slot.recordAt;
          this.changedCells[slot.recordAt] = gone;
        } else {
          gone.recordAt = this.changedKeys.length;
          this.changedKeys.push(key);
          this.changedGroups.push(keyGroup);
          this.changedCells.push(gone);
        }
        this.table.delete(key);
        this.removedKeys.push(key);
        this.removedCells.push(gone);
        if (this.changedKeys.length > 2 * this.table.size + CHURN_SLACK) this.stopTracking();
        return;
      }
      this.table.delete(key);
      return;
    }
    const cells = this.writableCells(key, keyGroup, slot);
    if (this.tracking) this.track(key, keyGroup);
    cells.delete(state, namespace);
    if (!cells.isEmpty) return;
    this.table.delete(key);
    if (this.tracking) {
      this.removedKeys.push(key);
      this.removedCells.push(cells);
    }
  }

  private mapCell(state: string, key: StateKey, namespace: string): MapCell | undefined {
    return this.cell(state, key, namespace) as MapCell | undefined;
  }

  mapGet(state: string, _keyGroup: number, key: StateKey, namespace: string, mapKey: string): unknown {
    return this.mapCell(state, key, namespace)?.get(mapKey);
  }

  mapGetForUpdate(state: string, keyGroup: number, key: StateKey, namespace: string, mapKey: string): unknown {
    const cell = this.mapCell(state, key, namespace);
    if (cell === undefined || !cell.has(mapKey)) return undefined;
    if (keyGroup < this.unsharedBelow) {
      if (this.tracking) this.track(key, keyGroup);
      return cell.get(mapKey);
    }
    // A cell of this epoch (copied or created in it) is changed in place; only its values may still be shared.
    const own = this.writable(cell) ? cell : this.mapForUpdate(state, keyGroup, key, namespace, false)!;
    if (this.tracking) this.track(key, keyGroup);
    return own.valueForUpdate(mapKey, this.epoch);
  }

  mapPut(state: string, keyGroup: number, key: StateKey, namespace: string, mapKey: string, rawMapKey: unknown, value: unknown): void {
    this.mapForUpdate(state, keyGroup, key, namespace, true)!.put(mapKey, rawMapKey, value, keyGroup < this.unsharedBelow);
    if (this.tracking) this.track(key, keyGroup);
  }

  mapPutIfAbsent(state: string, keyGroup: number, key: StateKey, namespace: string, mapKey: string, rawMapKey: unknown, value: unknown): boolean {
    const existing = this.mapCell(state, key, namespace);
    if (existing !== undefined && existing.has(mapKey)) return false;
    // The cell just found serves unless a snapshot shares it (one lookup instead of two).
    const cell = existing !== undefined && this.writable(existing) ? existing : this.mapForUpdate(state, keyGroup, key, namespace, true)!;
    cell.put(mapKey, rawMapKey, value, false);
    if (this.tracking) this.track(key, keyGroup);
    return true;
  }

  mapRemove(state: string, keyGroup: number, key: StateKey, namespace: string, mapKey: string): boolean {
    const existing = this.mapCell(state, key, namespace);
    if (existing === undefined || !existing.has(mapKey)) return false;
    const cell = this.writable(existing) ? existing : this.mapForUpdate(state, keyGroup, key, namespace, false)!;
    if (this.tracking) this.track(key, keyGroup);
    cell.delete(mapKey);
    if (cell.size === 0) this.removeCell(state, keyGroup, key, namespace);
    return true;
  }

  /** The map cell, made private to the current epoch (or created, with `create`) so that it can be changed. */
  private mapForUpdate(state: string, keyGroup: number, key: StateKey, namespace: string, create: boolean): MapCell | undefined {
    const cell = this.mapCell(state, key, namespace);
    if (cell === undefined) {
      if (!create) return undefined;
      const created = new MapCell(state, keyGroup, key, namespace, this.epoch);
      this.storeCell(created);
      return created;
    }
    if (this.writable(cell)) return cell;
    const copy = cell.copy(this.epoch);
    this.storeCell(copy);
    return copy;
  }

  mapEntries(state: string, _keyGroup: number, key: StateKey, namespace: string): Iterable<readonly [unknown, unknown]> {
    const cell = this.mapCell(state, key, namespace);
    return cell === undefined ? NO_ENTRIES : cell.values();
  }

  mapSize(state: string, _keyGroup: number, key: StateKey, namespace: string): number {
    return this.mapCell(state, key, namespace)?.size ?? 0;
  }

  *keys(state: string): Iterable<{ readonly keyGroup: number; readonly key: string; readonly namespace: string }> {
    if (!this.layoutByName.has(state)) throw new Error(`state '${state}' is used before it is registered`);
    for (const slot of this.table.values()) {
      for (const cell of slot instanceof KeyCells ? slot.cells() : [slot]) if (cell.state === state) yield { keyGroup: cell.keyGroup, key: encodedStateKey(cell.key), namespace: cell.namespace };
    }
  }

  snapshot(asBase = false): KeyedStateSnapshot {
    // The keys' cells, not a copy of the Map: a copy hashes every key again (the synchronous part, O(keys)).
    const frozen = this.table.values();
    const layouts = new Map(this.layoutByName);
    if (asBase) {
      this.stopTracking();
      this.tracking = true;
    }
    const view = this.openFrozenView(() => {
      frozen.length = 0;
    });
    return {
      keyGroupRange: this.keyGroupRange,
      maxParallelism: this.maxParallelism,
      layouts,
      // A base is only ever a checkpoint's file, read by key group: nothing within a key group and state is sorted.
      entries: () => snapshotEntries(frozen, layouts, this.keyGroupRange, !asBase),
      ...(asBase ? { writeEntries: (sink: StateEntrySink) => writeBaseEntries(frozen, layouts, this.keyGroupRange, sink, view.readsFrom) } : {}),
      release: view.release,
    };
  }

  /**
   * Starts a new copy-on-write epoch for a frozen view (snapshot or delta): writes from now on copy what the view
   * shares. Returns the view's `release`, idempotent, which calls `free` once, and `readsFrom`, by which its writer
   * says that it will read no key group below the one given any more (Infinity: none).
   */
  private openFrozenView(free: () => void): { release: () => void; readsFrom: (keyGroup: number) => void } {
    this.epoch++;
    const view: FrozenView = { readsFrom: 0 };
    this.openViews.push(view);
    this.unsharedBelow = 0;
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.openViews.splice(this.openViews.indexOf(view), 1);
        this.updateUnsharedBelow();
        free();
      },
      readsFrom: (keyGroup) => {
        if (released) return;
        view.readsFrom = keyGroup;
        this.updateUnsharedBelow();
      },
    };
  }

  private updateUnsharedBelow(): void {
    let below = Infinity;
    for (const view of this.openViews) below = Math.min(below, view.readsFrom);
    this.unsharedBelow = below;
  }

  /**
   * Each changed key's cells as they are now (the cells are shared, frozen by copy-on-write exactly as
   * `snapshot()`'s), sorted and expanded into entries only when written. The cells each change left are recorded
   * with it, so the synchronous part neither looks up nor visits the changed keys: it looks up the keys removed
   * (created anew since?) and those of `alsoChanged` only, O(removed + alsoChanged). Undefined (take a base) when
   * more than half the keys changed.
   */
  snapshotChanges(alsoChanged?: ReadonlyMap<string, number>): KeyedStateDelta | undefined {
    // At least this many distinct keys changed (the two lists overlap: a key's cells and timers change together).
    const changed = Math.max(this.changedKeys.length, alsoChanged?.size ?? 0);
    if (!this.tracking || changed > this.table.size * LARGE_DELTA_SHARE + LARGE_DELTA_SLACK) return undefined;
    const keys = this.changedKeys;
    const groups = this.changedGroups;
    // undefined: the key holds no cells.
    const frozen: (Slot | undefined)[] = this.changedCells;
    // A key removed and created anew: its new cells are recorded too, and replace the empty ones.
    for (let i = 0; i < this.removedKeys.length; i++) {
      if (this.table.has(this.removedKeys[i]!)) this.removedCells[i]!.supersededIn = this.epoch;
    }
    this.changedKeys = [];
    this.changedGroups = [];
    this.changedCells = [];
    this.removedKeys = [];
    this.removedCells = [];
    const epoch = this.epoch;
    if (alsoChanged !== undefined) {
      for (const [encoded, keyGroup] of alsoChanged) {
        const key = stateKeyOfEncoded(encoded);
        keys.push(key);
        groups.push(keyGroup);
        frozen.push(this.table.get(key));
      }
    }
    const layouts = new Map(this.layoutByName);
    return {
      keyGroupRange: this.keyGroupRange,
      maxParallelism: this.maxParallelism,
      layouts,
      changes: () => sortedChanges(keys, groups, frozen, epoch, layouts, this.keyGroupRange),
      forEachChangedKey: (visit) => keys.forEach((key) => visit(encodedStateKey(key))),
      release: this.openFrozenView(() => {
        frozen.length = 0;
      }).release,
    };
  }

  restore(entries: Iterable<StateEntry>, layouts: Readonly<Record<string, CellLayout>> = {}): void {
    for (const [state, layout] of Object.entries(layouts)) this.register(state, layout);
    for (const entry of entries) {
      if (!rangeContains(this.keyGroupRange, entry.keyGroup)) continue;
      this.register(entry.state, entry.hasMapKey ? 'map' : 'value');
      const key = stateKeyOfEncoded(entry.key);
      if (entry.hasMapKey) {
        this.mapPut(entry.state, entry.keyGroup, key, entry.namespace, encodeMapKey(entry.mapKey), entry.mapKey, entry.value);
      } else {
        this.put(entry.state, entry.keyGroup, key, entry.namespace, entry.value);
      }
    }
  }

  dispose(): void {
    this.table.clear();
    this.stopTracking();
  }
}

/**
 * Every entry of the frozen tables by key group, then state, lazily: cells are put in buckets by key group and
 * state first, and entries are made as the writer consumes them (short-lived objects, nothing held for the whole
 * snapshot). `canonical` (savepoints, full checkpoints) sorts each bucket by key and namespace, and a map cell's
 * entries by map key, into the canonical order; checkpoint files are read by key group only and skip the sorts.
 */
function* snapshotEntries(
  table: readonly Slot[],
  layouts: ReadonlyMap<string, CellLayout>,
  range: KeyGroupRange,
  canonical: boolean,
): Generator<StateEntry> {
  const { states, size, buckets } = cellBuckets(table, layouts, range);
  const entries: StateEntry[] = [];
  for (let group = 0; group < size; group++) {
    for (let s = 0; s < states.length; s++) {
      const bucket = buckets[s]![group];
      if (bucket === undefined) continue;
      if (canonical) bucket.sort(compareCells);
      if (layouts.get(states[s]!) !== 'map') {
        // Inline: a generator per cell would cost more than the entry it yields.
        for (const cell of bucket) yield { state: cell.state, keyGroup: cell.keyGroup, key: encodedStateKey(cell.key), namespace: cell.namespace, value: (cell as ValueCell).value, hasMapKey: false };
        continue;
      }
      for (const cell of bucket) {
        pushCellEntries(cell, true, canonical, entries);
        for (let e = 0; e < entries.length; e++) yield entries[e]!;
        entries.length = 0;
      }
    }
  }
}

/** The frozen cells by state (sorted by name), then key group: `buckets[state][keyGroup - range.start]`. */
function cellBuckets(
  table: readonly Slot[],
  layouts: ReadonlyMap<string, CellLayout>,
  range: KeyGroupRange,
): { states: string[]; size: number; buckets: (Cell[] | undefined)[][] } {
  const states = [...layouts.keys()].sort(compareCodePoints);
  const size = Math.max(0, range.end - range.start + 1);
  const buckets = states.map((): (Cell[] | undefined)[] => new Array(size));
  const stateIndex = new Map(states.map((state, i) => [state, i]));
  const cells: Cell[] = [];
  for (let k = 0; k < table.length; k++) {
    appendSlotCells(table[k]!, cells);
    for (let c = 0; c < cells.length; c++) {
      const cell = cells[c]!;
      (buckets[stateIndex.get(cell.state)!]![cell.keyGroup - range.start] ??= []).push(cell);
    }
    cells.length = 0;
  }
  return { states, size, buckets };
}

/**
 * A base's entries handed to `sink` in the order `snapshotEntries(…, false)` yields them, with no StateEntry
 * per entry; yields when `sink.full()` after a cell (KeyedStateSnapshot.writeEntries). Tells `readsFrom` the key
 * group it is at: the cells of those before it are not read again, so writes to them need not copy.
 */
function* writeBaseEntries(
  table: readonly Slot[],
  layouts: ReadonlyMap<string, CellLayout>,
  range: KeyGroupRange,
  sink: StateEntrySink,
  readsFrom: (keyGroup: number) => void,
): Generator<void, void, undefined> {
  const { states, size, buckets } = cellBuckets(table, layouts, range);
  for (let group = 0; group < size; group++) {
    readsFrom(range.start + group);
    for (let s = 0; s < states.length; s++) {
      const bucket = buckets[s]![group];
      if (bucket === undefined) continue;
      const isMap = layouts.get(states[s]!) === 'map';
      for (let c = 0; c < bucket.length; c++) {
        const cell = bucket[c]!;
        if (isMap) (cell as MapCell).writeEntries(sink);
        else sink.entry(cell.keyGroup, encodedStateKey(cell.key), cell.state, cell.namespace, (cell as ValueCell).value, undefined);
        if (sink.full()) yield;
      }
    }
  }
  readsFrom(Infinity);
}

/** Appends a cell's entries to `out`: its value, or its map's entries (by encoded map key when `sorted`). */
function pushCellEntries(cell: Cell, isMap: boolean, sorted: boolean, out: StateEntry[]): void {
  if (isMap) (cell as MapCell).appendEntries(sorted, out);
  else out.push({ state: cell.state, keyGroup: cell.keyGroup, key: encodedStateKey(cell.key), namespace: cell.namespace, value: (cell as ValueCell).value, hasMapKey: false });
}

/** The mark of the last listing of a delta's keys (`KeyCells.changedIn`): each listing has its own, below -1. */
let lastListing = -1;

/**
 * The changed keys of a delta in key-group order, each once, with their entries: `keys[i]` of key group
 * `groups[i]` was left holding `frozen[i]` (undefined or empty: removed) by a change, the last change of the key
 * before the delta of `epoch` unless other cells replaced them by then. Keys are ordered by key group only
 * (a counting sort: readers and chain merges need key-group order, and comparing keys cost more than the rest
 * of a delta); within a key group, in the order they first changed.
 */
function* sortedChanges(
  keys: readonly StateKey[],
  groups: readonly number[],
  frozen: readonly (Slot | undefined)[],
  epoch: number,
  layouts: ReadonlyMap<string, CellLayout>,
  range: KeyGroupRange,
): Generator<KeyChange> {
  const order = indicesByKeyGroup(groups, range);
  // A key can be recorded twice (removed and created anew; its timers changed too), and both look up the same
  // frozen cells: it is listed once. Its cells are marked as listed by this listing, the keys removed (no cells,
  // few) remembered: a Set of every key cost a quarter of a delta's time.
  const listing = --lastListing;
  const removed = new Set<StateKey>();
  const list: Cell[] = [];
  for (let n = 0; n < order.length; n++) {
    const i = order[n]!;
    const key = keys[i]!;
    let cells = frozen[i];
    if (cells !== undefined) {
      if (cells.supersededIn <= epoch || cells.changedIn === listing) continue;
      cells.changedIn = listing;
      if (cells instanceof KeyCells && cells.isEmpty) cells = undefined;
    }
    if (cells === undefined) {
      if (removed.has(key)) continue;
      removed.add(key);
    }
    const entries: StateEntry[] = [];
    // A key's entries in any order: its change replaces them all.
    if (cells !== undefined) {
      appendSlotCells(cells, list);
      for (let c = 0; c < list.length; c++) pushCellEntries(list[c]!, layouts.get(list[c]!.state) === 'map', false, entries);
      list.length = 0;
    }
    yield { keyGroup: groups[i]!, key: encodedStateKey(key), entries };
  }
}

function compareCells(a: Cell, b: Cell): number {
  return compareStateKeys(a.key, b.key) || compareCodePoints(a.namespace, b.namespace);
}

import type { KeyGroupRange } from './key-groups.js';
import type { StateKey } from './state-key.js';

export type StateBackendType = 'memory' | 'fs' | 'disk';

/** How a state stores its cells: one value per (key, namespace), or a map of entries per (key, namespace). */
export type CellLayout = 'value' | 'map';

/**
 * Adds `state` with `layout` to a backend's registry; true when it is new. A state name registered before with
 * another layout is a programming error: the stored cells could not be read back.
 */
export function registerLayout(layouts: Map<string, CellLayout>, state: string, layout: CellLayout): boolean {
  const existing = layouts.get(state);
  if (existing === undefined) {
    layouts.set(state, layout);
    return true;
  }
  if (existing !== layout) throw new Error(`state '${state}' is registered as a ${existing} state, not a ${layout} state`);
  return false;
}

/**
 * One entry of keyed state in the canonical, backend-independent form used by snapshots, savepoint dumps and
 * rescaling. `key` is the encoded key (key-codec.ts) and `keyGroup` its key group. Value-layout states give one
 * entry per (state, key, namespace) whose `value` is the stored value (a list state's whole list); map-layout
 * states give one entry per map entry, with `mapKey` the map key as given (`hasMapKey` true).
 */
export interface StateEntry {
  readonly state: string;
  readonly keyGroup: number;
  readonly key: string;
  readonly namespace: string;
  readonly value: unknown;
  readonly hasMapKey: boolean;
  readonly mapKey?: unknown;
}

/**
 * The frozen view taken by `KeyedStateBackend.snapshot()`: the synchronous part of a checkpoint. Taking it is
 * cheap and later writes to the backend do not show in it (copy-on-write on the heap, a read transaction on
 * disk); `entries()` can then be written out asynchronously, off the hot path. Call `release()` when done.
 */
export interface KeyedStateSnapshot {
  readonly keyGroupRange: KeyGroupRange;
  readonly maxParallelism: number;
  /** The states registered when the snapshot was taken, by name. */
  readonly layouts: ReadonlyMap<string, CellLayout>;
  /**
   * Every entry, in canonical order: key group, state, key, namespace, map key (code point order). A base
   * (`snapshot(true)`) is written to checkpoint files only, which are read by key group: its entries may come in
   * key-group and state order only.
   */
  entries(): Iterable<StateEntry>;
  /**
   * A base's entries (key-group and state order, as `entries()` lists them) handed to `sink` one by one, with no
   * StateEntry object per entry: what a checkpoint's file writer takes when the backend offers it. The generator
   * yields whenever `sink.full()` says so (a piece of the file is ready) and ends after the last entry. The heap
   * backend stops freezing the key groups it has written (writes to them change cells in place): read a snapshot
   * through this or through `entries()`, not both while the backend is written to.
   */
  writeEntries?(sink: StateEntrySink): Generator<void, void, undefined>;
  release(): void;
}

/** Takes a snapshot's entries field by field (`KeyedStateSnapshot.writeEntries`); `mapKey` of map-layout states only. */
export interface StateEntrySink {
  entry(keyGroup: number, key: string, state: string, namespace: string, value: unknown, mapKey: unknown): void;
  /** Whether the producer should yield now. */
  full(): boolean;
}

/** One key whose state changed since the previous snapshot a backend handed out (see `snapshotChanges`). */
export interface KeyChange {
  readonly keyGroup: number;
  /** The encoded key, as in `StateEntry.key`. */
  readonly key: string;
  /** Every entry the key holds now, of every state and namespace, in no particular order; none: the key was removed. */
  readonly entries: readonly StateEntry[];
}

/**
 * The frozen view taken by `KeyedStateBackend.snapshotChanges()`, the synchronous part of an incremental
 * checkpoint: taking it costs O(changed keys), and later writes do not show in it (the same copy-on-write as
 * `snapshot()`). A key's change replaces all the key's entries, so applying the deltas of a chain in order to
 * its base gives the state at the last one. Call `release()` when done.
 */
export interface KeyedStateDelta {
  readonly keyGroupRange: KeyGroupRange;
  readonly maxParallelism: number;
  /** The states registered when the delta was taken, by name. */
  readonly layouts: ReadonlyMap<string, CellLayout>;
  /** The changed keys in key-group order (within a key group, in no particular order), each once. */
  changes(): Iterable<KeyChange>;
  /**
   * Visits the changed keys, in no order and possibly more than once; cheap, so callable in the synchronous part
   * (the timer service copies these keys' timers there).
   */
  forEachChangedKey(visit: (key: string) => void): void;
  release(): void;
}

/**
 * Where an operator subtask's keyed state lives. All three backends (`memory`, `fs`: heap; `disk`: LMDB)
 * implement this one interface, at the level of cells addressed by (state, key group, key, namespace) and, for
 * map layouts, a map key. The typed states of keyed-state.ts sit on top, so every state kind works on every
 * backend alike. Values must be plain data (value-codec.ts). A value handed out by `get` or `mapGet` must not
 * be modified by the caller; the backend may share it until it is replaced.
 *
 * Map keys are passed twice: `mapKey` (encoded with `encodeMapKey`) identifies the entry, `rawMapKey` is the
 * key as the operator gave it, returned by `mapEntries` and stored in snapshots. A key is passed as its `StateKey`
 * (state-key.ts: the number of a key of one finite number, else its `encodeKey` string); snapshots, deltas and
 * `keys()` give keys as their `encodeKey` strings.
 */
export interface KeyedStateBackend {
  readonly type: StateBackendType;
  readonly maxParallelism: number;
  readonly keyGroupRange: KeyGroupRange;

  /** Declares a state before use. Registering a name again with another layout throws. */
  register(state: string, layout: CellLayout): void;
  /** The registered states, by name. */
  readonly layouts: ReadonlyMap<string, CellLayout>;

  get(state: string, keyGroup: number, key: StateKey, namespace: string): unknown;
  /**
   * The value, for the caller to modify in place (accumulators): the backend hands out a private copy when the
   * stored value is shared with an open snapshot, and counts the cell as changed, so it need not be `put` back.
   */
  getForUpdate(state: string, keyGroup: number, key: StateKey, namespace: string): unknown;
  put(state: string, keyGroup: number, key: StateKey, namespace: string, value: unknown): void;
  /** Appends to the array stored in the cell (creating it): list state without copying the list. */
  append(state: string, keyGroup: number, key: StateKey, namespace: string, items: readonly unknown[]): void;
  /** Removes the cell: its value, or every entry of its map. */
  remove(state: string, keyGroup: number, key: StateKey, namespace: string): void;

  mapGet(state: string, keyGroup: number, key: StateKey, namespace: string, mapKey: string): unknown;
  /** Like `getForUpdate`, for a map entry: the value, to modify in place (no `mapPut` needed). */
  mapGetForUpdate(state: string, keyGroup: number, key: StateKey, namespace: string, mapKey: string): unknown;
  mapPut(state: string, keyGroup: number, key: StateKey, namespace: string, mapKey: string, rawMapKey: unknown, value: unknown): void;
  /** Puts the entry unless the map has one under `mapKey`; true when it was added (a timer's one lookup). */
  mapPutIfAbsent(state: string, keyGroup: number, key: StateKey, namespace: string, mapKey: string, rawMapKey: unknown, value: unknown): boolean;
  /** Removes the entry; true when there was one. */
  mapRemove(state: string, keyGroup: number, key: StateKey, namespace: string, mapKey: string): boolean;
  /** Entries as [rawMapKey, value] pairs, in no particular order; do not modify the map while iterating. */
  mapEntries(state: string, keyGroup: number, key: StateKey, namespace: string): Iterable<readonly [unknown, unknown]>;
  mapSize(state: string, keyGroup: number, key: StateKey, namespace: string): number;

  /** Every (key, namespace) that has a cell of `state`, e.g. to visit all windows of all keys. */
  keys(state: string): Iterable<{ readonly keyGroup: number; readonly key: string; readonly namespace: string }>;

  /**
   * The synchronous part of a full checkpoint or a savepoint: a consistent, frozen view of all state. With
   * `asBase` the snapshot is the base of an incremental chain: change tracking (re)starts there, and the next
   * `snapshotChanges()` returns what changed after it. Without (savepoints), change tracking is not affected.
   */
  snapshot(asBase?: boolean): KeyedStateSnapshot;
  /**
   * The synchronous part of an incremental checkpoint: what changed since the previous `snapshot(true)` or
   * `snapshotChanges()`. Undefined when the backend cannot say (no base was taken, or it gave up tracking because
   * more keys changed than it holds): the caller then takes `snapshot(true)`. Optional: a backend without it is
   * always checkpointed in full. `alsoChanged`: keys (with their key groups) whose state kept outside the
   * backend changed (timers), included as if their cells had changed.
   */
  snapshotChanges?(alsoChanged?: ReadonlyMap<string, number>): KeyedStateDelta | undefined;
  /**
   * Loads entries (from snapshots of any backend and any parallelism); entries outside this backend's key-group
   * range are skipped, so a subtask can be handed every snapshot whose range intersects its own. `layouts`
   * registers the snapshot's states, including those that had no entries.
   */
  restore(entries: Iterable<StateEntry>, layouts?: Readonly<Record<string, CellLayout>>): void;
  /** Frees memory and files. */
  dispose(): void;
}

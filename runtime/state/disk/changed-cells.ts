import type { Database, Transaction } from 'lmdb';
import { indicesByKeyGroup, type KeyGroupRange } from '../key-groups.js';
import type { KeyChange, StateEntry } from '../keyed-state-backend.js';
import { decodeJson } from '../value-codec.js';
import { decodeCellSuffix, keyCellsPrefix } from './cell-key.js';

/**
 * Reads the cells of a delta's changed keys from the disk backend's store, one key group at a time, in one ordered
 * pass per (key group, state): the changed keys' cell prefixes are sorted as the store sorts them, then either
 * - a scan of the span from the first changed key to the last, skipping the cells of unchanged keys between them
 *   (a merge join), when the changed keys are a large share of the key group: one cursor, ~0.5 µs per cell read;
 * - or one range read per changed key, when they are few: each costs a cursor of its own (~9 µs in lmdb-js), so it
 *   wins only when it skips more than ~SEEK_COST_IN_CELLS cells.
 * Either way each key's cells are read before its change is yielded (no cursor stays open across a `yield`), and
 * keys come out in key-group order. `pending` holds cells whose values were taken when the delta was (the backend's
 * dirty cached cells): each replaces the stored cell at its place, or removes it.
 *
 * `written`, when the backend can say that a key has at most one cell (one value state, no namespaces), holds the
 * value each key's cell was last written back with since the previous delta: a key found there or in `pending` is
 * known whole, and is not read from the store at all (in a continuous GROUP BY, nearly every changed key).
 */
export function* readChangedCells(
  db: Database<string, Buffer>,
  transaction: Transaction,
  changed: ReadonlyMap<string, number>,
  /** Each changed key's first pending cell, the others chained by `next`. */
  pending: ReadonlyMap<string, PendingCell>,
  states: readonly string[],
  range: KeyGroupRange,
  /** The cells the store holds in all (of all states): steers scan against seeks. */
  storedCells: number,
  check: () => void,
  /** The encoded value (undefined: removed) of each key written back since the previous delta, when a key has at most one cell. */
  written: ReadonlyMap<string, string | undefined> | undefined,
): Generator<KeyChange> {
  const keys = [...changed.keys()];
  const groups = [...changed.values()];
  const order = indicesByKeyGroup(groups, range);
  const groupCount = Math.max(1, range.end - range.start + 1);
  const cellsPerGroupAndState = storedCells / groupCount / Math.max(1, states.length);
  for (let from = 0; from < order.length; ) {
    const keyGroup = groups[order[from]!]!;
    let to = from + 1;
    while (to < order.length && groups[order[to]!] === keyGroup) to++;
    const groupKeys: string[] = [];
    for (let i = from; i < to; i++) groupKeys.push(keys[order[i]!]!);
    from = to;
    // Entries per key of the group, in the order of `groupKeys`.
    const entries: StateEntry[][] = groupKeys.map(() => []);
    const overlays = groupKeys.map((key) => overlayOf(pending.get(key)));
    // The keys not known whole, by their index in `groupKeys`: read from the store.
    const unknown: number[] = [];
    for (let i = 0; i < groupKeys.length; i++) {
      const key = groupKeys[i]!;
      if (written === undefined) unknown.push(i);
      // A pending cell is the key's only cell, newer than any value written back before it: laid on below.
      else if (overlays[i] !== undefined) continue;
      else if (!written.has(key)) unknown.push(i);
      else {
        const value = written.get(key);
        if (value !== undefined) entries[i]!.push(cellEntry(keyGroup, states[0]!, key, '', undefined, value));
      }
    }
    const scan = unknown.length * SEEK_COST_IN_CELLS >= cellsPerGroupAndState;
    for (const state of unknown.length === 0 ? [] : states) {
      check();
      const prefixes = unknown.map((index) => ({ prefix: keyCellsPrefix(keyGroup, state, groupKeys[index]!), index }));
      prefixes.sort((a, b) => Buffer.compare(a.prefix, b.prefix));
      if (scan) scanSpan(db, transaction, keyGroup, state, groupKeys, prefixes, entries, overlays);
      else for (const { prefix, index } of prefixes) readKey(db, transaction, keyGroup, state, groupKeys[index]!, prefix, entries[index]!, overlays[index]);
    }
    for (let i = 0; i < groupKeys.length; i++) {
      check();
      const overlay = overlays[i];
      if (overlay !== undefined) {
        const into = entries[i]!;
        for (let cell: PendingCell | undefined = overlay.first; cell !== undefined; cell = cell.next) {
          if (cell.value !== undefined) into.push(cellEntry(keyGroup, cell.state, groupKeys[i]!, cell.namespace, cell.mapKey, cell.value));
        }
      }
      yield { keyGroup, key: groupKeys[i]!, entries: entries[i]! };
    }
  }
}

/**
 * How many cells a scan reads in the time of one range read of its own (lmdb-js opens a cursor per range read on a
 * given transaction): measured ~9 µs against ~0.5 µs per cell scanned (bench/README.md, "The `disk` backend, part 2").
 */
const SEEK_COST_IN_CELLS = 16;

/**
 * A cell (or map entry) of the backend's cache whose value was taken when the delta was: `value` is its encoded
 * value (a map entry's `[rawMapKey, value]`), undefined when the cell or entry was removed.
 */
export interface PendingCell {
  readonly keyGroup: number;
  readonly key: string;
  readonly state: string;
  readonly namespace: string;
  /** The encoded map key of a map entry; undefined for a value cell. */
  readonly mapKey: string | undefined;
  readonly value: string | undefined;
  /** The next pending cell of the same key: a chain, not an array per key (the delta's garbage). */
  next: PendingCell | undefined;
}

/** A key's pending cells, with their identities when they are too many to compare one by one with each stored cell. */
interface Overlay {
  readonly first: PendingCell;
  readonly ids: ReadonlySet<string> | undefined;
}

/** Pending cells of one key compared one by one with its stored cells; more get a set of identities. */
const LINEAR_OVERLAY = 16;

function overlayOf(first: PendingCell | undefined): Overlay | undefined {
  if (first === undefined) return undefined;
  let count = 0;
  for (let cell: PendingCell | undefined = first; cell !== undefined && count <= LINEAR_OVERLAY; cell = cell.next) count++;
  if (count <= LINEAR_OVERLAY) return { first, ids: undefined };
  const ids = new Set<string>();
  for (let cell: PendingCell | undefined = first; cell !== undefined; cell = cell.next) ids.add(cellId(cell.state, cell.namespace, cell.mapKey));
  return { first, ids };
}

function replaced(overlay: Overlay, state: string, namespace: string, mapKey: string | undefined): boolean {
  if (overlay.ids !== undefined) return overlay.ids.has(cellId(state, namespace, mapKey));
  for (let cell: PendingCell | undefined = overlay.first; cell !== undefined; cell = cell.next) {
    if (cell.mapKey === mapKey && cell.namespace === namespace && cell.state === state) return true;
  }
  return false;
}

function cellId(state: string, namespace: string, mapKey: string | undefined): string {
  // The lengths keep it unambiguous whatever bytes the parts hold.
  return `${state.length}:${state}${namespace.length}:${namespace}${mapKey ?? ''}`;
}

/** Adds a stored cell of a known key, unless a pending cell replaces it. */
function addStored(into: StateEntry[], overlay: Overlay | undefined, keyGroup: number, state: string, key: string, cellKey: Uint8Array, prefixLength: number, value: string): void {
  const { namespace, mapKey } = decodeCellSuffix(cellKey, prefixLength);
  if (overlay !== undefined && replaced(overlay, state, namespace, mapKey)) return;
  into.push(cellEntry(keyGroup, state, key, namespace, mapKey, value));
}

/** The cells of one key of `state`: one range read. */
function readKey(db: Database<string, Buffer>, transaction: Transaction, keyGroup: number, state: string, key: string, prefix: Buffer, into: StateEntry[], overlay: Overlay | undefined): void {
  for (const { key: cellKey, value } of db.getRange({ start: prefix, end: prefixEnd(prefix), transaction })) {
    addStored(into, overlay, keyGroup, state, key, cellKey, prefix.length, value);
  }
}

/** The cells of the sorted `prefixes` (keys of `state` in one key group): one scan from the first to the last, a merge join. */
function scanSpan(
  db: Database<string, Buffer>,
  transaction: Transaction,
  keyGroup: number,
  state: string,
  keys: readonly string[],
  prefixes: readonly { prefix: Buffer; index: number }[],
  into: StateEntry[][],
  overlays: readonly (Overlay | undefined)[],
): void {
  let at = 0;
  const range = { start: prefixes[0]!.prefix, end: prefixEnd(prefixes[prefixes.length - 1]!.prefix), transaction };
  for (const { key: cellKey, value } of db.getRange(range)) {
    let order = comparePrefix(cellKey, prefixes[at]!.prefix);
    // Past this key's cells: on to the next changed key (the cell may be one of its).
    while (order > 0 && ++at < prefixes.length) order = comparePrefix(cellKey, prefixes[at]!.prefix);
    if (at === prefixes.length) return;
    // A cell of an unchanged key between two changed ones.
    if (order < 0) continue;
    const { prefix, index } = prefixes[at]!;
    addStored(into[index]!, overlays[index], keyGroup, state, keys[index]!, cellKey, prefix.length, value);
  }
}

/** 0 when `cellKey` starts with `prefix`, else the order of `cellKey` against the cells under `prefix`. */
function comparePrefix(cellKey: Uint8Array, prefix: Uint8Array): number {
  const length = Math.min(cellKey.length, prefix.length);
  for (let i = 0; i < length; i++) {
    const difference = cellKey[i]! - prefix[i]!;
    if (difference !== 0) return difference;
  }
  return cellKey.length < prefix.length ? -1 : 0;
}

/**
 * The end (exclusive) of the cells under a key's prefix, which ends with the key's 0 terminator: the same bytes
 * ending in 1 (an escaped part never holds a raw 0 or 1 byte, cell-key.ts).
 */
function prefixEnd(prefix: Buffer): Buffer {
  const end = Buffer.from(prefix);
  end[end.length - 1] = 1;
  return end;
}

/** A stored cell as a snapshot entry: a value cell's value, or a map entry's `[rawMapKey, value]`, decoded. */
export function cellEntry(keyGroup: number, state: string, key: string, namespace: string, mapKey: string | undefined, value: string): StateEntry {
  if (mapKey === undefined) return { state, keyGroup, key, namespace, value: decodeJson(value), hasMapKey: false };
  const [rawMapKey, entryValue] = decodeJson(value) as [unknown, unknown];
  return { state, keyGroup, key, namespace, value: entryValue, hasMapKey: true, mapKey: rawMapKey };
}

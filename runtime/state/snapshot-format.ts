import * as z from 'zod';
import type { KeyGroupRange } from './key-groups.js';
import type { CellLayout, KeyedStateDelta, KeyedStateSnapshot, StateEntry } from './keyed-state-backend.js';
import { decodeJson, encodeJson } from './value-codec.js';

/**
 * The canonical, backend-independent form of one subtask's keyed state: JSON lines. Line 1 is a header
 * (validated with zod on read), then one line per entry in canonical order, then a trailer with the entry
 * count (a truncated file is detected). Entry lines are `[keyGroup, state, key, namespace, value]`, plus the
 * map key as a sixth element for map-layout states. Numbers JSON cannot spell use value-codec.ts's tag.
 * Snapshots of the memory, fs and disk backends of the same state are byte-identical.
 *
 * A delta file (incremental checkpoints) is the same format with `"delta": true` in its header: per changed key,
 * in key-group order, a line `[keyGroup, key]` followed by the key's complete entries now (none:
 * the key was removed); its trailer also counts the keys. Applied to the state before it, it replaces every entry
 * of each listed key. Full snapshots and savepoints never carry the field, so their bytes are as before.
 */
export const KEYED_STATE_FORMAT = 'sluice.keyed-state';
export const KEYED_STATE_VERSION = 1;

export const KeyedStateHeaderSchema = z.object({
  format: z.literal(KEYED_STATE_FORMAT),
  version: z.literal(KEYED_STATE_VERSION),
  maxParallelism: z.number().int().min(1),
  keyGroupRange: z.object({ start: z.number().int().min(0), end: z.number().int() }),
  states: z.record(z.string(), z.enum(['value', 'map'])),
  delta: z.literal(true).optional(),
});
export type KeyedStateHeader = z.infer<typeof KeyedStateHeaderSchema>;

const TrailerSchema = z.object({ end: z.literal(true), entries: z.number().int().min(0), keys: z.number().int().min(0).optional() });

const KeyLineSchema = z.tuple([z.number().int().min(0), z.string()]);

const EntryLineSchema = z.union([
  z.tuple([z.number().int().min(0), z.string(), z.string(), z.string(), z.unknown()]),
  z.tuple([z.number().int().min(0), z.string(), z.string(), z.string(), z.unknown(), z.unknown()]),
]);

export function keyedStateHeader(maxParallelism: number, keyGroupRange: KeyGroupRange, layouts: ReadonlyMap<string, CellLayout>): KeyedStateHeader {
  const states: Record<string, CellLayout> = {};
  for (const name of [...layouts.keys()].sort()) states[name] = layouts.get(name)!;
  return {
    format: KEYED_STATE_FORMAT,
    version: KEYED_STATE_VERSION,
    maxParallelism,
    keyGroupRange: { start: keyGroupRange.start, end: keyGroupRange.end },
    states,
  };
}

/** The lines (without newlines) of a snapshot: header, entries, trailer. Lazy, so a writer can pace itself. */
export function keyedStateLines(snapshot: KeyedStateSnapshot): Generator<string> {
  return keyedStateLinesOf(snapshot.maxParallelism, snapshot.keyGroupRange, snapshot.layouts, snapshot.entries());
}

/**
 * The lines of a snapshot of `keyGroupRange` holding `entries` (in canonical order, all inside the range): a
 * part of a subtask's snapshot written as a file of its own (incremental checkpoints) is a snapshot too.
 */
export function* keyedStateLinesOf(
  maxParallelism: number,
  keyGroupRange: KeyGroupRange,
  layouts: ReadonlyMap<string, CellLayout>,
  entries: Iterable<StateEntry>,
): Generator<string> {
  yield JSON.stringify(keyedStateHeader(maxParallelism, keyGroupRange, layouts));
  let count = 0;
  for (const entry of entries) {
    count++;
    yield encodeEntry(entry);
  }
  yield JSON.stringify({ end: true, entries: count });
}

/** The lines of a delta file (see above): header, each changed key and its entries, trailer. Lazy. */
export function* keyedStateDeltaLines(delta: KeyedStateDelta): Generator<string> {
  yield JSON.stringify({ ...keyedStateHeader(delta.maxParallelism, delta.keyGroupRange, delta.layouts), delta: true });
  let keys = 0;
  let entries = 0;
  for (const change of delta.changes()) {
    keys++;
    yield JSON.stringify([change.keyGroup, change.key]);
    for (const entry of change.entries) {
      entries++;
      yield encodeEntry(entry);
    }
  }
  yield JSON.stringify({ end: true, entries, keys });
}

function encodeEntry(entry: StateEntry): string {
  const fields: unknown[] = [entry.keyGroup, entry.state, entry.key, entry.namespace, entry.value];
  if (entry.hasMapKey) fields.push(entry.mapKey);
  return encodeJson(fields);
}

/** What is wrong with a keyed-state file, and where: its line (JSON lines) or record (snapshot-binary.ts), from 1. */
export class SnapshotFormatError extends Error {
  constructor(
    message: string,
    readonly line: number,
    unit: 'line' | 'record' = 'line',
  ) {
    super(`keyed state snapshot, ${unit} ${line}: ${message}`);
    this.name = 'SnapshotFormatError';
  }
}

export interface ParsedKeyedState {
  readonly header: KeyedStateHeader;
  readonly entries: readonly StateEntry[];
  /** A delta file's changed keys, in file order, with their key groups (their entries are `entries`); absent for a full snapshot. */
  readonly changedKeys?: ReadonlyMap<string, number>;
}

/** Reads the lines `keyedStateLines` wrote; throws `SnapshotFormatError` naming the line for anything else. */
export function parseKeyedStateLines(lines: Iterable<string>): ParsedKeyedState {
  let header: KeyedStateHeader | undefined;
  const entries: StateEntry[] = [];
  const changedKeys = new Map<string, number>();
  /** In a delta file, the key the entry lines belong to. */
  let currentKey: string | undefined;
  let lineNumber = 0;
  let ended = false;
  for (const line of lines) {
    lineNumber++;
    if (line === '') continue;
    if (ended) throw new SnapshotFormatError('content after the trailer', lineNumber);
    let parsed: unknown;
    try {
      parsed = decodeJson(line);
    } catch {
      throw new SnapshotFormatError('not valid JSON', lineNumber);
    }
    if (header === undefined) {
      const result = KeyedStateHeaderSchema.safeParse(parsed);
      if (!result.success) {
        throw new SnapshotFormatError(`not a ${KEYED_STATE_FORMAT} v${KEYED_STATE_VERSION} header (${result.error.issues[0]?.message ?? 'invalid'})`, lineNumber);
      }
      header = result.data;
      continue;
    }
    if (!Array.isArray(parsed)) {
      const trailer = TrailerSchema.safeParse(parsed);
      if (!trailer.success) throw new SnapshotFormatError('neither an entry nor the trailer', lineNumber);
      if (trailer.data.entries !== entries.length) {
        throw new SnapshotFormatError(`the trailer counts ${trailer.data.entries} entries but ${entries.length} were read`, lineNumber);
      }
      if (header.delta === true && trailer.data.keys !== changedKeys.size) {
        throw new SnapshotFormatError(`the trailer counts ${String(trailer.data.keys)} keys but ${changedKeys.size} were read`, lineNumber);
      }
      ended = true;
      continue;
    }
    if (header.delta === true && parsed.length === 2) {
      const keyLine = KeyLineSchema.safeParse(parsed);
      if (!keyLine.success) throw new SnapshotFormatError('malformed key line', lineNumber);
      currentKey = keyLine.data[1];
      if (changedKeys.has(currentKey)) throw new SnapshotFormatError(`key ${currentKey} is listed twice`, lineNumber);
      changedKeys.set(currentKey, keyLine.data[0]);
      continue;
    }
    const fields = EntryLineSchema.safeParse(parsed);
    if (!fields.success) throw new SnapshotFormatError('malformed entry', lineNumber);
    const [keyGroup, state, key, namespace, value] = fields.data;
    if (header.delta === true && key !== currentKey) throw new SnapshotFormatError(`entry of key ${key} outside that key's change`, lineNumber);
    const layout = header.states[state];
    if (layout === undefined) throw new SnapshotFormatError(`entry of state '${state}', which the header does not declare`, lineNumber);
    if ((fields.data.length === 6) !== (layout === 'map')) {
      throw new SnapshotFormatError(`entry of ${layout} state '${state}' ${layout === 'map' ? 'lacks' : 'has'} a map key`, lineNumber);
    }
    entries.push(
      fields.data.length === 6
        ? { state, keyGroup, key, namespace, value, hasMapKey: true, mapKey: fields.data[5] }
        : { state, keyGroup, key, namespace, value, hasMapKey: false },
    );
  }
  if (header === undefined) throw new SnapshotFormatError('empty snapshot', lineNumber);
  if (!ended) throw new SnapshotFormatError('truncated: no trailer', lineNumber);
  return header.delta === true ? { header, entries, changedKeys } : { header, entries };
}

/** The whole snapshot as one text (tests, small state); large state should stream `keyedStateLines`. */
export function keyedStateToText(snapshot: KeyedStateSnapshot): string {
  let text = '';
  for (const line of keyedStateLines(snapshot)) text += line + '\n';
  return text;
}

export function keyedStateFromText(text: string): ParsedKeyedState {
  return parseKeyedStateLines(text.split('\n'));
}

import type { StateDescriptor } from '../../compiler/graph/job-graph.js';
import { formatStateSize } from '../../compiler/savepoint-compat/snapshot-contents.js';
import type { OperatorStateEntry } from '../../runtime/checkpoint/metadata/metadata-v6.js';
import { loadCheckpoint, type LoadedOperatorState } from '../../runtime/checkpoint/restore/load-checkpoint.js';
import type { StoredCheckpoint } from '../../runtime/checkpoint/storage/checkpoint-storage.js';
import { decodeKey } from '../../runtime/state/key-codec.js';
import { savedStateTtlMs, TTL_ELEMENT_TIMES, TTL_ENTRY_TIMES, TTL_STATE } from '../../runtime/state/state-ttl.js';
import { encodeJson } from '../../runtime/state/value-codec.js';
import { formatDuration as formatTtl } from '../../compiler/config/durations.js';
import { formatDuration, formatEventTime } from '../format-numbers.js';

/**
 * `sluice savepoint inspect`: what a savepoint (or retained checkpoint) holds, read without running anything —
 * a read-only state processor. Every state file read is checked against its size and checksum, so a damaged
 * snapshot shows here as it would on restore (a CheckpointReadError naming the file).
 */

/** How an operator is named in the report and in `--dump`: its uid, or its id for a step without one. */
export function operatorName(entry: OperatorStateEntry): string {
  return entry.uid ?? entry.id;
}

/** Reads one operator's state files (and only those), verified. */
function loadOperator(stored: StoredCheckpoint, entry: OperatorStateEntry): Promise<LoadedOperatorState> {
  return loadCheckpoint({ metadata: { ...stored.metadata, operators: [entry] }, location: stored.location }).then((loaded) => loaded.operators[0]!);
}

function describeState(descriptor: StateDescriptor | undefined, operatorScoped: boolean, layout: string | undefined): string {
  if (descriptor === undefined) return operatorScoped ? 'operator list (internal)' : `keyed ${layout ?? 'value'} (internal)`;
  const redistribution = descriptor.redistribution === undefined ? '' : ` (${descriptor.redistribution})`;
  return `${descriptor.scope} ${descriptor.kind}${redistribution}`;
}

function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}

/** How long until `expiresAt`, seen at `now`: `expires in 3 h 02 min`, or that it has expired. */
function remainingLife(expiresAt: number, now: number): string {
  return expiresAt > now ? `expires in ${formatDuration(expiresAt - now)}` : 'expired (removed as soon as the job is restored)';
}

/**
 * With a state TTL: the TTL and the remaining life of the keys' state, from the soonest to the latest expiry
 * (each key's last write time plus the TTL), as seen at `now`.
 */
function ttlLine(subject: string, ttlMs: number, writeTimes: readonly number[], now: number): string {
  const head = `  ${subject}TTL ${formatTtl(ttlMs)} after a key's last write`;
  if (writeTimes.length === 0) return `${head}: no key`;
  const soonest = Math.min(...writeTimes) + ttlMs;
  const latest = Math.max(...writeTimes) + ttlMs;
  const keys = plural(writeTimes.length, 'key (or join side)', 'keys (or join sides)');
  return `${head}: ${keys}; the soonest ${remainingLife(soonest, now)}, the latest ${remainingLife(latest, now)}`;
}

/**
 * A list or map state with a TTL, whose elements expire one by one: `oldest` is each key's oldest element's write
 * time (`__ttl.written`), `elementTimes` every element's.
 */
function elementTtlLine(name: string, kind: string, ttlMs: number, oldest: readonly number[], elementTimes: readonly number[], now: number): string {
  const element = kind === 'map' ? 'entry' : 'element';
  const head = `  state '${name}' TTL ${formatTtl(ttlMs)} after each ${element}'s write`;
  if (oldest.length === 0) return `${head}: no key`;
  const soonest = Math.min(...oldest) + ttlMs;
  const latest = Math.max(...oldest, ...elementTimes) + ttlMs;
  return `${head}: ${plural(oldest.length, 'key', 'keys')}; the soonest ${element} ${remainingLife(soonest, now)}, the latest ${remainingLife(latest, now)}`;
}

/**
 * The TTL a write time (`__ttl.written`, in namespace `part`) counts under: the step's (SQL steps), else that of
 * the process-function state named `part`.
 */
function ttlOfWriteTime(entry: OperatorStateEntry, part: string): number | undefined {
  return savedStateTtlMs(entry.spec) ?? entry.state.find((d) => d.name === part)?.ttl?.ms;
}

/** The lines describing one operator: a heading, then one line per state with what it holds. */
async function describeOperator(stored: StoredCheckpoint, entry: OperatorStateEntry, now: number): Promise<string[]> {
  const files = entry.subtasks.flatMap((s) => s.keyedState);
  const bytes = files.reduce((sum, file) => sum + file.bytes, 0);
  const keyed = files.length === 0 ? '' : `, keyed state ${formatStateSize({ bytes })} in ${plural(files.length, 'file', 'files')}`;
  const lines = [`${operatorName(entry)}  ${entry.kind} '${entry.name}', parallelism ${entry.parallelism}${keyed}`];

  const loaded = await loadOperator(stored, entry);
  const entries = new Map<string, number>();
  const layouts = new Map<string, string>();
  // Write times of state TTL by part: '' (or a join's side) for SQL steps, a state's name for a process function.
  const writeTimes = new Map<string, number[]>();
  // Per-element TTL of list and map state: each element's write time, by state.
  const elementTimes = new Map<string, number[]>();
  const note = (times: Map<string, number[]>, state: string, values: readonly number[]) => times.set(state, [...(times.get(state) ?? []), ...values]);
  for (const file of loaded.keyed) {
    for (const [name, layout] of Object.entries(file.header.states)) layouts.set(name, layout);
    for (const stateEntry of file.entries) {
      entries.set(stateEntry.state, (entries.get(stateEntry.state) ?? 0) + 1);
      if (stateEntry.state === TTL_STATE.name) note(writeTimes, stateEntry.namespace, [stateEntry.value as number]);
      else if (stateEntry.state === TTL_ELEMENT_TIMES.name) note(elementTimes, stateEntry.namespace, stateEntry.value as number[]);
      else if (stateEntry.state === TTL_ENTRY_TIMES.name) note(elementTimes, stateEntry.namespace, [stateEntry.value as number]);
    }
  }
  const ttlMs = savedStateTtlMs(entry.spec);
  const ttlLines =
    ttlMs !== undefined
      ? [ttlLine('state ', ttlMs, [...writeTimes.values()].flat(), now)]
      : entry.state.flatMap((d) => {
          if (d.ttl === undefined) return [];
          if (d.kind === 'list' || d.kind === 'map') return [elementTtlLine(d.name, d.kind, d.ttl.ms, writeTimes.get(d.name) ?? [], elementTimes.get(d.name) ?? [], now)];
          return [ttlLine(`state '${d.name}' `, d.ttl.ms, writeTimes.get(d.name) ?? [], now)];
        });
  const items = new Map<string, number>();
  for (const lists of loaded.operatorState) for (const list of lists) items.set(list.name, (items.get(list.name) ?? 0) + list.items.length);
  // Raw state is opaque: its size, never its content.
  const raw = new Map<string, { parts: number; bytes: number }>();
  for (const states of loaded.rawState) {
    for (const { name, bytes } of states) raw.set(name, { parts: (raw.get(name)?.parts ?? 0) + 1, bytes: (raw.get(name)?.bytes ?? 0) + bytes.length });
  }

  const declared = new Map(entry.state.map((d) => [d.name, d]));
  const names = [...new Set([...declared.keys(), ...layouts.keys(), ...items.keys(), ...raw.keys()])];
  if (names.length === 0) return [...lines, '  no state'];
  const rows = names.map((name) => {
    const descriptor = declared.get(name);
    if (descriptor?.kind === 'raw' || (descriptor === undefined && raw.has(name))) {
      const size = raw.get(name) ?? { parts: 0, bytes: 0 };
      return [name, descriptor === undefined ? 'raw (undeclared)' : 'operator raw', `${plural(size.parts, 'part', 'parts')}, ${plural(size.bytes, 'byte', 'bytes')}`] as const;
    }
    const operatorScoped = descriptor?.scope === 'operator' || (descriptor === undefined && items.has(name));
    const contents = operatorScoped ? plural(items.get(name) ?? 0, 'item', 'items') : plural(entries.get(name) ?? 0, 'entry', 'entries');
    return [name, describeState(descriptor, operatorScoped, layouts.get(name)), contents] as const;
  });
  const nameWidth = Math.max(...rows.map((r) => r[0].length));
  const kindWidth = Math.max(...rows.map((r) => r[1].length));
  const stateLines = rows.map(([name, kind, contents]) => `  ${name.padEnd(nameWidth)}  ${kind.padEnd(kindWidth)}  ${contents}`);
  return [...lines, ...stateLines, ...ttlLines];
}

/**
 * The report of `sluice savepoint inspect`: where the snapshot came from, then every operator and its state.
 * Remaining state TTL is counted to `now` (processing time, as the TTL is).
 */
export async function describeSnapshot(stored: StoredCheckpoint, now = Date.now()): Promise<string> {
  const { metadata, location } = stored;
  const lines = [
    `${metadata.type} ${location.description}`,
    `  pipeline '${metadata.pipelineName}', job ${metadata.jobId}, checkpoint ${metadata.checkpointId}`,
    `  taken ${formatEventTime(metadata.timestamp)} UTC; max parallelism ${metadata.maxParallelism}; written by the ${metadata.stateBackend} backend`,
  ];
  for (const entry of metadata.operators) lines.push('', ...(await describeOperator(stored, entry, now)));
  return `${lines.join('\n')}\n`;
}

/** A key as the row of values it encodes; the encoded text itself when it is not an encoded row. */
function readableKey(encoded: string): unknown {
  try {
    return decodeKey(encoded);
  } catch {
    return encoded;
  }
}

/**
 * `--dump <uid>`: the operator's state as JSON lines, operator state first (one line per list item), raw state's
 * size (one line per state and subtask: `bytes`, never the content, which only the function can read), then keyed
 * state in its canonical order (one line per entry; map state, one per map entry). Numbers JSON cannot spell
 * are written as `{"$num": "NaN"}`. With a state TTL, each write time (`__ttl.written`) also says when that key's
 * state (a join: that side's; a list or map state: its oldest element) expires, `expiresAt` in epoch ms and `expires` in words as seen at `now`.
 */
export async function* dumpOperatorState(stored: StoredCheckpoint, entry: OperatorStateEntry, now = Date.now()): AsyncGenerator<string> {
  const loaded = await loadOperator(stored, entry);
  // loadCheckpoint gives operator state in subtask order.
  const subtasks = entry.subtasks.map((s) => s.subtask).sort((a, b) => a - b);
  for (const [index, lists] of loaded.operatorState.entries()) {
    const subtask = subtasks[index]!;
    for (const list of lists) {
      for (const item of list.items) yield encodeJson({ scope: 'operator', state: list.name, subtask, item });
    }
  }
  for (const [index, states] of loaded.rawState.entries()) {
    for (const { name, bytes } of states) yield encodeJson({ scope: 'raw', state: name, subtask: subtasks[index]!, bytes: bytes.length });
  }
  for (const file of loaded.keyed) {
    for (const e of file.entries) {
      const line = { scope: 'keyed', state: e.state, keyGroup: e.keyGroup, key: readableKey(e.key), namespace: e.namespace, value: e.value };
      const ttlMs = e.state === TTL_STATE.name ? ttlOfWriteTime(entry, e.namespace) : undefined;
      if (ttlMs !== undefined) {
        const expiresAt = (e.value as number) + ttlMs;
        yield encodeJson({ ...line, expiresAt, expires: remainingLife(expiresAt, now) });
      } else {
        yield encodeJson(e.hasMapKey ? { ...line, mapKey: e.mapKey } : line);
      }
    }
  }
}

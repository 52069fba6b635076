import type { JobGraph } from '../../../compiler/graph/job-graph.js';
import { checkCompatibility } from '../../../compiler/savepoint-compat/check.js';
import type { CompatibilityReport } from '../../../compiler/savepoint-compat/report.js';
import type { SnapshotContents, StateSize } from '../../../compiler/savepoint-compat/snapshot-contents.js';
import type { StateEntry } from '../../state/keyed-state-backend.js';
import { TTL_ELEMENT_TIMES, TTL_ENTRY_TIMES, TTL_STATE } from '../../state/state-ttl.js';
import { TIMER_STATES } from '../../time/timer-service.js';
import { encodeJson } from '../../state/value-codec.js';
import type { LoadedCheckpoint } from './load-checkpoint.js';

/** The runtime's own state (timers, state TTL's write times): not declared in the graph, restored with the operator whose state it serves. */
const RUNTIME_STATES: ReadonlySet<string> = new Set([...Object.values(TIMER_STATES), TTL_STATE.name, TTL_ELEMENT_TIMES.name, TTL_ENTRY_TIMES.name]);

/**
 * What a loaded (and so verified) snapshot holds, per operator uid and declared state, as the compatibility check
 * wants it: keyed state counts entries and the bytes of their canonical lines, operator state list items and the
 * bytes of their JSON, raw state its bytes (no entries: Sluice does not look inside). Counted from the data itself, so it cannot disagree with what a restore would load.
 */
export function snapshotContentsOf(loaded: LoadedCheckpoint): SnapshotContents {
  const operators: Record<string, { states: Record<string, StateSize> }> = {};
  for (const { entry, keyed, operatorState, rawState } of loaded.operators) {
    if (entry.uid === null) continue;
    const sizes = new Map<string, { bytes: number; entries: number }>();
    const add = (state: string, bytes: number): void => {
      const size = sizes.get(state) ?? { bytes: 0, entries: 0 };
      size.bytes += bytes;
      size.entries++;
      sizes.set(state, size);
    };
    for (const file of keyed) for (const e of file.entries) if (!RUNTIME_STATES.has(e.state)) add(e.state, lineBytes(e));
    for (const lists of operatorState) for (const list of lists) for (const item of list.items) add(list.name, Buffer.byteLength(encodeJson(item)) + 1);
    const raw = new Map<string, { bytes: number }>();
    for (const states of rawState) for (const { name, bytes } of states) raw.set(name, { bytes: (raw.get(name)?.bytes ?? 0) + bytes.length });
    if (sizes.size > 0 || raw.size > 0) operators[entry.uid] = { states: { ...Object.fromEntries(sizes), ...Object.fromEntries(raw) } };
  }
  return { maxParallelism: loaded.metadata.maxParallelism, operators };
}

function lineBytes(e: StateEntry): number {
  const fields: unknown[] = [e.keyGroup, e.state, e.key, e.namespace, e.value];
  if (e.hasMapKey) fields.push(e.mapKey);
  return Buffer.byteLength(encodeJson(fields)) + 1;
}

/**
 * The compatibility report of starting `next` from `loaded`; undefined when the snapshot does not record the job
 * graph it was taken with (metadata version 1), which leaves only the checks a restore plan makes.
 */
export function checkLoadedSnapshot(loaded: LoadedCheckpoint, next: JobGraph, allowNonRestoredState: boolean): CompatibilityReport | undefined {
  const previous = loaded.metadata.graph;
  if (previous === null) return undefined;
  return checkCompatibility(previous, next, snapshotContentsOf(loaded), { allowNonRestoredState });
}

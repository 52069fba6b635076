import type { KeyGroupRange } from '../../state/key-groups.js';
import type { CellLayout, StateEntry } from '../../state/keyed-state-backend.js';
import { keyedStateHeader, type ParsedKeyedState } from '../../state/snapshot-format.js';

/**
 * One subtask's keyed state from its chain (metadata-v4.ts): the entries of its complete files, then each delta
 * in order replacing every entry of the keys it lists. The result reads as one complete snapshot of `range`, so
 * restore plans and rescaling treat it like any other (entries in no particular order; backends do not need one).
 */
export function applyDeltas(files: readonly ParsedKeyedState[], range: KeyGroupRange, maxParallelism: number): ParsedKeyedState {
  let entries: StateEntry[] = [];
  const layouts = new Map<string, CellLayout>();
  for (const file of files) {
    for (const [state, layout] of Object.entries(file.header.states)) layouts.set(state, layout);
    const changed = file.changedKeys;
    if (changed !== undefined) entries = entries.filter((entry) => !changed.has(entry.key));
    for (const entry of file.entries) entries.push(entry);
  }
  return { header: keyedStateHeader(maxParallelism, range, layouts), entries };
}

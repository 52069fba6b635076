import type { KeyGroupRange } from '../../state/key-groups.js';
import type { CellLayout, StateEntry } from '../../state/keyed-state-backend.js';
import { keyedStateHeader, type ParsedKeyedState } from '../../state/snapshot-format.js';

/**
 * One subtask's keyed state from its chain (metadata-v4.ts): the entries of its complete files, with each delta
 * in order replacing every entry of the keys it lists. One pass over every file, newest first: a key's entries
 * are those of the newest file that lists it, so each entry is looked at once however long the chain. The result
 * reads as one complete snapshot of `range`, so restore plans and rescaling treat it like any other (entries in
 * no particular order; backends do not need one).
 */
export function applyDeltas(files: readonly ParsedKeyedState[], range: KeyGroupRange, maxParallelism: number): ParsedKeyedState {
  const layouts = new Map<string, CellLayout>();
  for (const file of files) for (const [state, layout] of Object.entries(file.header.states)) layouts.set(state, layout);
  /** Keys a newer delta lists: their entries in older files are replaced. */
  const replaced = new Set<string>();
  const entries: StateEntry[] = [];
  for (let i = files.length - 1; i >= 0; i--) {
    const file = files[i]!;
    for (const entry of file.entries) if (!replaced.has(entry.key)) entries.push(entry);
    if (file.changedKeys !== undefined) for (const key of file.changedKeys.keys()) replaced.add(key);
  }
  return { header: keyedStateHeader(maxParallelism, range, layouts), entries };
}

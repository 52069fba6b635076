import { rangeSize, type KeyGroupRange } from '../../state/key-groups.js';
import type { StateEntry } from '../../state/keyed-state-backend.js';

/**
 * Splitting one subtask's keyed snapshot into files by key-group range, for incremental checkpoints: a part
 * whose entries did not change since the last checkpoint has the same content, hence the same file.
 */

/** At most `maxChunks` contiguous, nearly equal ranges covering `range` (none for an empty range). */
export function chunkRanges(range: KeyGroupRange, maxChunks: number): KeyGroupRange[] {
  const size = rangeSize(range);
  const chunks = Math.min(size, Math.max(1, maxChunks));
  const ranges: KeyGroupRange[] = [];
  let start = range.start;
  for (let i = 0; i < chunks; i++) {
    const length = Math.floor(size / chunks) + (i < size % chunks ? 1 : 0);
    ranges.push({ start, end: start + length - 1 });
    start += length;
  }
  return ranges;
}

/**
 * The entries of each range in turn, from one pass over `entries` (canonical order: by key group). Each part
 * must be consumed completely before the next one is read.
 */
export function* entriesByRange(entries: Iterable<StateEntry>, ranges: readonly KeyGroupRange[]): Generator<{ range: KeyGroupRange; entries: Iterable<StateEntry> }> {
  const iterator = entries[Symbol.iterator]();
  let next = iterator.next();
  for (const range of ranges) {
    const part = function* (): Generator<StateEntry> {
      while (!next.done && next.value.keyGroup <= range.end) {
        const entry = next.value;
        next = iterator.next();
        if (entry.keyGroup >= range.start) yield entry;
      }
    };
    yield { range, entries: part() };
  }
}

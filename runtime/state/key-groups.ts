import { encodeKey } from './key-codec.js';
import { murmur3OfKey } from './key-hash.js';
import { murmur3String } from './murmur3.js';
import { numberKeyHash } from './number-encodings.js';

/**
 * Key groups, Flink's unit of keyed-state distribution (KeyGroupRangeAssignment): every key belongs to one of
 * `maxParallelism` key groups, and each subtask owns one contiguous range of them, so rescaling moves whole
 * key groups. The range math below is Flink's, so the same (maxParallelism, parallelism) splits alike.
 */

/** An inclusive range of key groups, `[start, end]`; empty when `end < start`. */
export interface KeyGroupRange {
  readonly start: number;
  readonly end: number;
}

/** Flink's default: 1.5 × parallelism rounded up to a power of two, clamped to [128, 32768]. */
export function defaultMaxParallelism(parallelism: number): number {
  const wanted = parallelism + Math.floor(parallelism / 2);
  let power = 1;
  while (power < wanted) power *= 2;
  return Math.min(Math.max(power, 128), 32768);
}

/** The key group of a key already serialized by `encodeKey` (key-codec.ts). */
export function keyGroupForKey(encodedKey: string, maxParallelism: number): number {
  return murmur3String(encodedKey) % maxParallelism;
}

/**
 * The key group of a key (the values of the key columns): a numeric key's hash is memoised (number-encodings.ts),
 * a key of other plain values hashed without encoding it (key-hash.ts).
 */
export function keyGroupOf(key: readonly unknown[], maxParallelism: number): number {
  const only = key.length === 1 ? key[0] : undefined;
  if (typeof only === 'number' && Number.isFinite(only)) return numberKeyHash(only) % maxParallelism;
  const hash = murmur3OfKey(key);
  return hash >= 0 ? hash % maxParallelism : keyGroupForKey(encodeKey(key), maxParallelism);
}

/** The subtask that owns `keyGroup`: `keyGroup * parallelism / maxParallelism`, rounded down. */
export function subtaskForKeyGroup(keyGroup: number, parallelism: number, maxParallelism: number): number {
  return Math.floor((keyGroup * parallelism) / maxParallelism);
}

/** The key groups `subtask` owns (Flink's computeKeyGroupRangeForOperatorIndex). */
export function keyGroupRangeForSubtask(subtask: number, parallelism: number, maxParallelism: number): KeyGroupRange {
  checkParallelism(parallelism, maxParallelism);
  if (subtask < 0 || subtask >= parallelism) {
    throw new RangeError(`subtask ${subtask} is outside 0..${parallelism - 1}`);
  }
  return {
    start: Math.floor((subtask * maxParallelism + parallelism - 1) / parallelism),
    end: Math.floor(((subtask + 1) * maxParallelism - 1) / parallelism),
  };
}

export function checkParallelism(parallelism: number, maxParallelism: number): void {
  if (!Number.isInteger(parallelism) || parallelism < 1 || parallelism > maxParallelism) {
    throw new RangeError(`parallelism ${parallelism} must be between 1 and the max parallelism ${maxParallelism}`);
  }
}

export function rangeContains(range: KeyGroupRange, keyGroup: number): boolean {
  return keyGroup >= range.start && keyGroup <= range.end;
}

export function rangesIntersect(a: KeyGroupRange, b: KeyGroupRange): boolean {
  return a.start <= b.end && b.start <= a.end && a.start <= a.end && b.start <= b.end;
}

export function rangeSize(range: KeyGroupRange): number {
  return Math.max(0, range.end - range.start + 1);
}

export function formatRange(range: KeyGroupRange): string {
  return `[${range.start}, ${range.end}]`;
}

/**
 * The indices of `groups` (key groups inside `range`) ordered by key group, stably: a counting sort, O(n) with no
 * comparisons, for putting the changed keys of a delta in key-group order.
 */
export function indicesByKeyGroup(groups: ArrayLike<number>, range: KeyGroupRange): Uint32Array {
  const size = rangeSize(range);
  const starts = new Uint32Array(size + 1);
  for (let i = 0; i < groups.length; i++) starts[groups[i]! - range.start + 1]!++;
  for (let g = 1; g <= size; g++) starts[g]! += starts[g - 1]!;
  const order = new Uint32Array(groups.length);
  for (let i = 0; i < groups.length; i++) order[starts[groups[i]! - range.start]!++] = i;
  return order;
}

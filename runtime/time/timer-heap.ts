import { compareCodePoints } from '../state/key-codec.js';

export interface HeapTimer {
  readonly timestamp: number;
  readonly encodedKey: string;
  readonly namespace: string;
}

/** Timers of equal timestamp are ordered by key, then namespace, so that firing order is the same in every run. */
function compareTimers(a: HeapTimer, b: HeapTimer): number {
  return compareCodePoints(a.encodedKey, b.encodedKey) || compareCodePoints(a.namespace, b.namespace);
}

/** The timers of one timestamp; sorted from `next` on once that timestamp is the earliest. */
interface Bucket<T> {
  readonly timestamp: number;
  readonly timers: T[];
  next: number;
  sorted: boolean;
}

/**
 * Timers in (timestamp, key, namespace) order, as a min-heap of the distinct timestamps with, per timestamp, a
 * bucket of its timers. Windows and joins register many timers for one timestamp (every key's window ends at
 * once), so the heap stays small and compares numbers only; a bucket is sorted by key once, when it becomes the
 * earliest, and a timer pushed into that bucket meanwhile is inserted in order. `byKeyWithinTimestamp` false:
 * the timers of one timestamp come in the order they were pushed, unsorted, for a user whose timers of one
 * timestamp may go in any order (an inner interval join's expiries, which emit nothing).
 */
export class TimerHeap<T extends HeapTimer> {
  /** Min-heap of the timestamps that have a bucket. */
  private readonly times: number[] = [];
  private readonly buckets = new Map<number, Bucket<T>>();
  /** The earliest bucket once sorted, so that firing a run of timers looks it up once, not per peek and pop. */
  private head: Bucket<T> | undefined = undefined;
  private count = 0;

  constructor(private readonly byKeyWithinTimestamp = true) {}

  get size(): number {
    return this.count;
  }

  peek(): T | undefined {
    const bucket = this.first();
    return bucket === undefined ? undefined : bucket.timers[bucket.next];
  }

  pop(): T | undefined {
    const bucket = this.first();
    if (bucket === undefined) return undefined;
    const timer = bucket.timers[bucket.next]!;
    bucket.next++;
    this.count--;
    if (bucket.next === bucket.timers.length) {
      this.buckets.delete(bucket.timestamp);
      this.popTime();
      this.head = undefined;
    }
    return timer;
  }

  push(timer: T): void {
    this.count++;
    const bucket = this.buckets.get(timer.timestamp);
    if (bucket === undefined) {
      this.buckets.set(timer.timestamp, { timestamp: timer.timestamp, timers: [timer], next: 0, sorted: false });
      this.pushTime(timer.timestamp);
      // An earlier timestamp than the head's takes its place.
      if (this.head !== undefined && timer.timestamp < this.head.timestamp) this.head = undefined;
    } else if (!bucket.sorted || !this.byKeyWithinTimestamp) {
      bucket.timers.push(timer);
    } else {
      insertSorted(bucket, timer);
    }
  }

  clear(): void {
    this.times.length = 0;
    this.buckets.clear();
    this.head = undefined;
    this.count = 0;
  }

  /** The earliest bucket, sorted. */
  private first(): Bucket<T> | undefined {
    if (this.head !== undefined) return this.head;
    if (this.times.length === 0) return undefined;
    const bucket = this.buckets.get(this.times[0]!)!;
    if (!bucket.sorted) {
      if (this.byKeyWithinTimestamp) bucket.timers.sort(compareTimers);
      bucket.sorted = true;
    }
    this.head = bucket;
    return bucket;
  }

  private pushTime(timestamp: number): void {
    const times = this.times;
    let i = times.length;
    times.push(timestamp);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (times[parent]! <= timestamp) break;
      times[i] = times[parent]!;
      i = parent;
    }
    times[i] = timestamp;
  }

  private popTime(): void {
    const times = this.times;
    const last = times.pop()!;
    if (times.length === 0) return;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= times.length) break;
      const right = left + 1;
      const child = right < times.length && times[right]! < times[left]! ? right : left;
      if (times[child]! >= last) break;
      times[i] = times[child]!;
      i = child;
    }
    times[i] = last;
  }
}

/** Inserts into the part of a sorted bucket not yet popped, after any equal timer. */
function insertSorted<T extends HeapTimer>(bucket: Bucket<T>, timer: T): void {
  const timers = bucket.timers;
  let low = bucket.next;
  let high = timers.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (compareTimers(timers[mid]!, timer) <= 0) low = mid + 1;
    else high = mid;
  }
  timers.splice(low, 0, timer);
}

import { compareCodePoints } from '../state/key-codec.js';
import { TimestampHeap } from './timestamp-heap.js';

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
 * earliest, and a timer pushed into that bucket meanwhile is inserted in order.
 */
export class TimerHeap<T extends HeapTimer> {
  /** The timestamps that have a bucket. */
  private readonly times = new TimestampHeap();
  private readonly buckets = new Map<number, Bucket<T>>();
  /** The earliest bucket once sorted, so that firing a run of timers looks it up once, not per peek and pop. */
  private head: Bucket<T> | undefined = undefined;
  /** The bucket pushed to last: a window's timers of all keys share a timestamp, so pushes mostly repeat it. */
  private last: Bucket<T> | undefined = undefined;
  private count = 0;

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
      this.times.pop();
      this.head = undefined;
      if (bucket === this.last) this.last = undefined;
    }
    return timer;
  }

  push(timer: T): void {
    this.count++;
    let bucket = this.last;
    if (bucket?.timestamp !== timer.timestamp) bucket = this.last = this.buckets.get(timer.timestamp);
    if (bucket === undefined) {
      this.last = { timestamp: timer.timestamp, timers: [timer], next: 0, sorted: false };
      this.buckets.set(timer.timestamp, this.last);
      this.times.push(timer.timestamp);
      // An earlier timestamp than the head's takes its place.
      if (this.head !== undefined && timer.timestamp < this.head.timestamp) this.head = undefined;
    } else if (!bucket.sorted) {
      bucket.timers.push(timer);
    } else {
      insertSorted(bucket, timer);
    }
  }

  clear(): void {
    this.times.clear();
    this.buckets.clear();
    this.head = undefined;
    this.last = undefined;
    this.count = 0;
  }

  /** The earliest bucket, sorted. */
  private first(): Bucket<T> | undefined {
    if (this.head !== undefined) return this.head;
    const earliest = this.times.peek();
    if (earliest === undefined) return undefined;
    const bucket = this.buckets.get(earliest)!;
    if (!bucket.sorted) {
      bucket.timers.sort(compareTimers);
      bucket.sorted = true;
    }
    this.head = bucket;
    return bucket;
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

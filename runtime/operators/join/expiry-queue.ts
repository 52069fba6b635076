import { compareCodePoints, encodeKey } from '../../state/key-codec.js';
import { encodedStateKey } from '../../state/state-key.js';
import { TimestampHeap } from '../../time/timestamp-heap.js';

/**
 * The expiries of one timestamp, as columns: entry i is (keys[i], encoded[i], sides[i]). A key of one number is
 * kept as that number, with no encoding (''), and made an array again when it expires: the key array would
 * otherwise live as long as its rows (this column is its only holder; state keeps the number too).
 */
interface Bucket {
  readonly keys: (readonly unknown[] | number)[];
  readonly encoded: string[];
  readonly sides: string[];
}

/**
 * What an expiry hands back when it comes due: the key (and its encoding, undefined for a key of one number,
 * which needs none), the side and the expiry time.
 */
export type Expire = (key: readonly unknown[], encoded: string | undefined, side: string, timestamp: number) => void;

/**
 * The interval join's expiries, one per key, side and time, in the order event-time timers would fire: by
 * timestamp, and within a timestamp by key then side when `byKey` (a LEFT join, whose expiries emit padded rows),
 * else in the order pushed (an inner join's emit nothing). Kept as columns per timestamp with a min-heap of the
 * timestamps: a stored row costs three array slots here, not an object and its boxed timestamp that live as long
 * as the row (q7 stores each bid under its own price, so one per bid).
 */
export class ExpiryQueue {
  /** The timestamps that have a bucket. */
  private readonly times = new TimestampHeap();
  private readonly buckets = new Map<number, Bucket>();
  /** The bucket pushed to last: a batch's rows share a few times, so consecutive pushes mostly share a bucket. */
  private lastTimestamp = Number.NaN;
  private last: Bucket | undefined = undefined;

  constructor(private readonly byKey: boolean) {}

  /** `encoded`: the key's `encodeKey` form when the caller has it (made here otherwise, unless one number). */
  push(timestamp: number, key: readonly unknown[], encoded: string | undefined, side: string): void {
    let bucket = timestamp === this.lastTimestamp ? this.last : this.buckets.get(timestamp);
    if (bucket === undefined) {
      bucket = { keys: [], encoded: [], sides: [] };
      this.buckets.set(timestamp, bucket);
      this.times.push(timestamp);
    }
    this.lastTimestamp = timestamp;
    this.last = bucket;
    const only = key[0];
    if (key.length === 1 && typeof only === 'number' && Number.isFinite(only)) {
      bucket.keys.push(only);
      bucket.encoded.push('');
    } else {
      bucket.keys.push(key);
      bucket.encoded.push(encoded ?? encodeKey(key));
    }
    bucket.sides.push(side);
  }

  /**
   * Hands every expiry with timestamp <= `watermark` to `expire`, in order, and forgets it. `expire` must not
   * push: a bucket is taken whole.
   */
  expireUntil(watermark: number, expire: Expire): void {
    for (let timestamp = this.times.peek(); timestamp !== undefined && timestamp <= watermark; timestamp = this.times.peek()) {
      const bucket = this.buckets.get(timestamp)!;
      this.buckets.delete(timestamp);
      this.times.pop();
      if (bucket === this.last) this.last = undefined;
      this.lastTimestamp = Number.NaN;
      const { keys, encoded, sides } = bucket;
      if (!this.byKey) {
        for (let i = 0; i < keys.length; i++) expireAt(expire, keys[i]!, encoded[i]!, sides[i]!, timestamp);
        continue;
      }
      const texts = keys.map((key, i) => (typeof key === 'number' ? encodedStateKey(key) : encoded[i]!));
      const order = Array.from(keys, (_, i) => i).sort((a, b) => compareCodePoints(texts[a]!, texts[b]!) || compareCodePoints(sides[a]!, sides[b]!));
      for (const i of order) expireAt(expire, keys[i]!, encoded[i]!, sides[i]!, timestamp);
    }
  }
}

function expireAt(expire: Expire, kept: readonly unknown[] | number, encoded: string, side: string, timestamp: number): void {
  if (typeof kept === 'number') expire([kept], undefined, side, timestamp);
  else expire(kept, encoded, side, timestamp);
}

import type { NexmarkEvents, Rows } from './events.js';

const SIZE_MS = 10_000;

/**
 * q7, highest bid: per 10 s tumbling window its highest price, then the bids of that price placed between the
 * window's time attribute (window_end - 1 ms, Flink's TUMBLE_ROWTIME) minus 10 s and it, both inclusive.
 */
export function q7({ bids }: NexmarkEvents): Rows {
  const highest = new Map<number, number>();
  for (const b of bids) {
    const end = b.dateTime - (b.dateTime % SIZE_MS) + SIZE_MS;
    highest.set(end, Math.max(highest.get(end) ?? -Infinity, b.price));
  }
  const rows: Rows = [];
  for (const [end, price] of highest) {
    const rowtime = end - 1;
    for (const b of bids) {
      if (b.price === price && rowtime - SIZE_MS <= b.dateTime && b.dateTime <= rowtime) {
        rows.push([b.auction, b.price, b.bidder, b.dateTime, b.extra]);
      }
    }
  }
  return rows;
}

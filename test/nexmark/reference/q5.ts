import type { NexmarkEvents, Rows } from './events.js';

const SLIDE_MS = 2_000;
const SIZE_MS = 10_000;

/**
 * q5, hot items: bids counted per auction in every 10 s window sliding by 2 s (windows start at multiples of the
 * slide; a bid at t is in those with start <= t < start + 10 s), then in each window the auctions whose count is
 * the window's highest.
 */
export function q5({ bids }: NexmarkEvents): Rows {
  const counts = new Map<number, Map<number, number>>();
  for (const b of bids) {
    for (let start = b.dateTime - (b.dateTime % SLIDE_MS); start > b.dateTime - SIZE_MS; start -= SLIDE_MS) {
      const perAuction = counts.get(start) ?? new Map<number, number>();
      perAuction.set(b.auction, (perAuction.get(b.auction) ?? 0) + 1);
      counts.set(start, perAuction);
    }
  }
  const rows: Rows = [];
  for (const perAuction of counts.values()) {
    const highest = Math.max(...perAuction.values());
    for (const [auction, num] of perAuction) if (num === highest) rows.push([auction, num]);
  }
  return rows;
}

import type { Bid, NexmarkEvents, Rows } from './events.js';

/**
 * q4, average winning price per category: for each auction the highest bid placed on it between its start and its
 * expiry (both inclusive), then per category the average of those, over the auctions that got such a bid.
 */
export function q4({ auctions, bids }: NexmarkEvents): Rows {
  const bidsOn = new Map<number, Bid[]>();
  for (const b of bids) {
    const list = bidsOn.get(b.auction);
    if (list === undefined) bidsOn.set(b.auction, [b]);
    else list.push(b);
  }
  const finals = new Map<number, number[]>();
  for (const a of auctions) {
    const prices = (bidsOn.get(a.id) ?? []).filter((b) => a.dateTime <= b.dateTime && b.dateTime <= a.expires).map((b) => b.price);
    if (prices.length === 0) continue;
    const inCategory = finals.get(a.category) ?? [];
    inCategory.push(Math.max(...prices));
    finals.set(a.category, inCategory);
  }
  return [...finals].map(([category, prices]) => [category, prices.reduce((sum, p) => sum + p, 0) / prices.length]);
}

import type { NexmarkEvents, Rows } from './events.js';

/** q2, selection: the bids on auctions whose id is a multiple of 123. */
export function q2({ bids }: NexmarkEvents): Rows {
  return bids.filter((b) => b.auction % 123 === 0).map((b) => [b.auction, b.price]);
}

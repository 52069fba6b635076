import type { NexmarkEvents, Rows } from './events.js';

/** q0, pass-through: every bid. */
export function q0({ bids }: NexmarkEvents): Rows {
  return bids.map((b) => [b.auction, b.bidder, b.price, b.dateTime, b.extra]);
}

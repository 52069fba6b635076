import type { NexmarkEvents, Rows } from './events.js';

/** q1, currency conversion: `0.908 * price` is exactly price * 908 / 1000 (DECIMAL with 3 digits). */
export function q1({ bids }: NexmarkEvents): Rows {
  return bids.map((b) => [b.auction, b.bidder, (b.price * 908) / 1000, b.dateTime, b.extra]);
}

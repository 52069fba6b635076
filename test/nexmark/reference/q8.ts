import type { NexmarkEvents, Rows } from './events.js';

const SIZE_MS = 10_000;

const windowStart = (time: number): number => time - (time % SIZE_MS);

/** q8, new users: the persons who opened an auction in the 10 s tumbling window in which they registered. */
export function q8({ persons, auctions }: NexmarkEvents): Rows {
  return persons
    .filter((p) => auctions.some((a) => a.seller === p.id && windowStart(a.dateTime) === windowStart(p.dateTime)))
    .map((p) => [p.id, p.name, windowStart(p.dateTime)]);
}

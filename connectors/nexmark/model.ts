import type { NexmarkTable } from './tables.js';
import type { IndexSequence } from '../../runtime/connectors/generators/indexed-split.js';

/**
 * Nexmark's data model and event numbering, per docs/NEXMARK.md: event n is a person, an auction or a bid by
 * n % 50 (1 : 3 : 46); ids follow from the event number. The tables' columns are the compiler's
 * (tables.ts); the generator builds rows in that column order.
 */
export type { NexmarkTable };
export const NEXMARK_TABLE_NAMES: readonly NexmarkTable[] = ['person', 'auction', 'bid'];

export const FIRST_PERSON_ID = 1000;
export const FIRST_AUCTION_ID = 1000;
export const FIRST_CATEGORY_ID = 10;
/** 2015-07-15T00:00:00Z, Beam's base time. */
export const NEXMARK_BASE_TIME = Date.UTC(2015, 6, 15);
export const DEFAULT_NEXMARK_RATE = 10_000;

export const TOTAL_PROPORTION = 50;
/** Each table's offsets n % 50 ∈ [first, first + width). */
export const TABLE_OFFSETS: Readonly<Record<NexmarkTable, { readonly first: number; readonly width: number }>> = {
  person: { first: 0, width: 1 },
  auction: { first: 1, width: 3 },
  bid: { first: 4, width: 46 },
};

export function eventTable(n: number): NexmarkTable {
  const offset = n % TOTAL_PROPORTION;
  return offset === 0 ? 'person' : offset < 4 ? 'auction' : 'bid';
}

/** Event numbers of one table's events: its k-th event is event `indexOf(k)`. */
export function tableSequence(table: NexmarkTable): IndexSequence {
  const { first, width } = TABLE_OFFSETS[table];
  return {
    indexOf: (k) => Math.floor(k / width) * TOTAL_PROPORTION + first + (k % width),
    countBelow: (n) => Math.floor(n / TOTAL_PROPORTION) * width + Math.min(Math.max((n % TOTAL_PROPORTION) - first, 0), width),
  };
}

/** Base-0 index of the last person created at or before event n. */
export function lastPersonIndex(n: number): number {
  return Math.floor(n / TOTAL_PROPORTION);
}

/** Base-0 index of the last auction created at or before event n (-1 before the first). */
export function lastAuctionIndex(n: number): number {
  const epoch = Math.floor(n / TOTAL_PROPORTION);
  const offset = n % TOTAL_PROPORTION;
  if (offset < 1) return (epoch - 1) * 3 + 2;
  if (offset >= 4) return epoch * 3 + 2;
  return epoch * 3 + (offset - 1);
}

/** Event time of event n at `rate` events per second of event time. */
export function eventTime(n: number, rate: number): number {
  return NEXMARK_BASE_TIME + Math.floor((n * 1000) / rate);
}

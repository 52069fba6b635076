import { NexmarkGenerator } from '../../connectors/nexmark/generator.js';
import type { NexmarkQuery } from './queries.js';

/**
 * Each Nexmark query written by hand as the plain TypeScript loop one would write without an engine: the same
 * generator and events, one pass in event order, state in Maps, output rows (in the sink's columns) given to
 * `emit` when they are known. The benchmark's ratio compares Sluice with these; a test checks that they compute
 * the reference results, so both sides do the same work.
 */
export type Emit = (row: readonly unknown[]) => void;
export type Baseline = (events: number, rate: number, emit: Emit) => void;

type Row = readonly unknown[];
type Visit = (row: Row) => void;

/** Visits the events [0, events) of the tables that have a visitor, in event order, generating only those. */
function forEachEvent(events: number, rate: number, visit: { person?: Visit; auction?: Visit; bid?: Visit }): void {
  const generator = new NexmarkGenerator(rate);
  const { person, auction, bid } = visit;
  for (let n = 0; n < events; n++) {
    const offset = n % 50;
    if (offset >= 4) {
      if (bid !== undefined) bid(generator.bid(n));
    } else if (offset > 0) {
      if (auction !== undefined) auction(generator.auction(n));
    } else if (person !== undefined) {
      person(generator.person(n));
    }
  }
}

// Column positions in the generator's rows.
const P_ID = 0, P_NAME = 1, P_CITY = 4, P_STATE = 5, P_TIME = 6;
const A_ID = 0, A_TIME = 5, A_EXPIRES = 6, A_SELLER = 7, A_CATEGORY = 8;
const B_AUCTION = 0, B_BIDDER = 1, B_PRICE = 2, B_TIME = 5, B_EXTRA = 6;

const q0: Baseline = (events, rate, emit) =>
  forEachEvent(events, rate, { bid: (b) => emit([b[B_AUCTION], b[B_BIDDER], b[B_PRICE], b[B_TIME], b[B_EXTRA]]) });

const q1: Baseline = (events, rate, emit) =>
  forEachEvent(events, rate, {
    bid: (b) => emit([b[B_AUCTION], b[B_BIDDER], ((b[B_PRICE] as number) * 908) / 1000, b[B_TIME], b[B_EXTRA]]),
  });

const q2: Baseline = (events, rate, emit) =>
  forEachEvent(events, rate, {
    bid: (b) => {
      if ((b[B_AUCTION] as number) % 123 === 0) emit([b[B_AUCTION], b[B_PRICE]]);
    },
  });

/** A symmetric hash join: each side kept by seller id, each arrival joined with what the other side holds. */
const q3: Baseline = (events, rate, emit) => {
  const sellers = new Map<number, Row>();
  const auctionsBySeller = new Map<number, number[]>();
  const output = (p: Row, auctionId: unknown) => emit([p[P_NAME], p[P_CITY], p[P_STATE], auctionId]);
  forEachEvent(events, rate, {
    person: (p) => {
      const state = p[P_STATE];
      if (state !== 'OR' && state !== 'ID' && state !== 'CA') return;
      sellers.set(p[P_ID] as number, p);
      for (const id of auctionsBySeller.get(p[P_ID] as number) ?? []) output(p, id);
    },
    auction: (a) => {
      if (a[A_CATEGORY] !== 10) return;
      const seller = a[A_SELLER] as number;
      const ids = auctionsBySeller.get(seller);
      if (ids === undefined) auctionsBySeller.set(seller, [a[A_ID] as number]);
      else ids.push(a[A_ID] as number);
      const p = sellers.get(seller);
      if (p !== undefined) output(p, a[A_ID]);
    },
  });
};

interface OpenAuction {
  readonly start: number;
  readonly expires: number;
  readonly category: number;
  /** The highest price bid in [start, expires]; -1 before one. */
  final: number;
}

/** Highest bid per auction as bids arrive (bids that name an auction not created yet wait for it); averages at the end. */
const q4: Baseline = (events, rate, emit) => {
  const auctions = new Map<number, OpenAuction>();
  const early = new Map<number, number[][]>();
  const offer = (a: OpenAuction, time: number, price: number) => {
    if (time >= a.start && time <= a.expires && price > a.final) a.final = price;
  };
  forEachEvent(events, rate, {
    auction: (row) => {
      const a: OpenAuction = { start: row[A_TIME] as number, expires: row[A_EXPIRES] as number, category: row[A_CATEGORY] as number, final: -1 };
      auctions.set(row[A_ID] as number, a);
      for (const [time, price] of early.get(row[A_ID] as number) ?? []) offer(a, time!, price!);
      early.delete(row[A_ID] as number);
    },
    bid: (b) => {
      const id = b[B_AUCTION] as number;
      const a = auctions.get(id);
      if (a !== undefined) offer(a, b[B_TIME] as number, b[B_PRICE] as number);
      else if (early.has(id)) early.get(id)!.push([b[B_TIME] as number, b[B_PRICE] as number]);
      else early.set(id, [[b[B_TIME] as number, b[B_PRICE] as number]]);
    },
  });
  const categories = new Map<number, { sum: number; count: number }>();
  for (const a of auctions.values()) {
    if (a.final < 0) continue;
    const c = categories.get(a.category) ?? { sum: 0, count: 0 };
    c.sum += a.final;
    c.count++;
    categories.set(a.category, c);
  }
  for (const [category, { sum, count }] of categories) emit([category, sum / count]);
};

const HOP_SLIDE_MS = 2_000;
const WINDOW_MS = 10_000;

/** Counts per auction in each open hop window; a window closes (and emits its top auctions) once a bid is past its end. */
const q5: Baseline = (events, rate, emit) => {
  const windows = new Map<number, Map<number, number>>();
  const close = (start: number, counts: Map<number, number>) => {
    let highest = 0;
    for (const num of counts.values()) if (num > highest) highest = num;
    for (const [auction, num] of counts) if (num === highest) emit([auction, num]);
    windows.delete(start);
  };
  forEachEvent(events, rate, {
    bid: (b) => {
      const time = b[B_TIME] as number;
      for (const [start, counts] of windows) if (start + WINDOW_MS <= time) close(start, counts);
      const auction = b[B_AUCTION] as number;
      for (let start = time - (time % HOP_SLIDE_MS); start > time - WINDOW_MS; start -= HOP_SLIDE_MS) {
        let counts = windows.get(start);
        if (counts === undefined) windows.set(start, (counts = new Map()));
        counts.set(auction, (counts.get(auction) ?? 0) + 1);
      }
    },
  });
  for (const [start, counts] of windows) close(start, counts);
};

/**
 * The current tumbling window's highest price and the bids at it, plus the bids of the previous window's last
 * millisecond: Flink's q7 range [window_end - 10001 ms, window_end - 1 ms] reaches one millisecond back.
 */
const q7: Baseline = (events, rate, emit) => {
  let end = -Infinity;
  let highest = -1;
  let atHighest: Row[] = [];
  let lastMillisecond: Row[] = [];
  let previousLastMillisecond: Row[] = [];
  const output = (b: Row) => emit([b[B_AUCTION], b[B_PRICE], b[B_BIDDER], b[B_TIME], b[B_EXTRA]]);
  const close = () => {
    for (const b of previousLastMillisecond) if (b[B_PRICE] === highest) output(b);
    for (const b of atHighest) output(b);
  };
  forEachEvent(events, rate, {
    bid: (b) => {
      const time = b[B_TIME] as number;
      if (time >= end) {
        if (end !== -Infinity) close();
        const start = time - (time % WINDOW_MS);
        previousLastMillisecond = start === end ? lastMillisecond : [];
        end = start + WINDOW_MS;
        highest = -1;
        atHighest = [];
        lastMillisecond = [];
      }
      const price = b[B_PRICE] as number;
      if (price > highest) {
        highest = price;
        atHighest = [b];
      } else if (price === highest) {
        atHighest.push(b);
      }
      if (time === end - 1) lastMillisecond.push(b);
    },
  });
  if (end !== -Infinity) close();
};

/** The current tumbling window's new persons and sellers; at its end, the persons who are also sellers. */
const q8: Baseline = (events, rate, emit) => {
  let start = -Infinity;
  let persons = new Map<number, unknown>();
  let sellers = new Set<number>();
  const close = () => {
    for (const [id, name] of persons) if (sellers.has(id)) emit([id, name, start]);
  };
  const advance = (time: number) => {
    if (time < start + WINDOW_MS) return;
    close();
    start = time - (time % WINDOW_MS);
    persons = new Map();
    sellers = new Set();
  };
  forEachEvent(events, rate, {
    person: (p) => {
      advance(p[P_TIME] as number);
      persons.set(p[P_ID] as number, p[P_NAME]);
    },
    auction: (a) => {
      advance(a[A_TIME] as number);
      sellers.add(a[A_SELLER] as number);
    },
  });
  close();
};

export const BASELINES: Readonly<Record<NexmarkQuery, Baseline>> = { q0, q1, q2, q3, q4, q5, q7, q8 };

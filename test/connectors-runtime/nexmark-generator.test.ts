import { describe, expect, it } from 'vitest';
import { NexmarkGenerator } from '../../connectors/nexmark/generator.js';
import {
  NEXMARK_BASE_TIME,
  NEXMARK_TABLE_NAMES,
  eventTable,
  eventTime,
  lastAuctionIndex,
  lastPersonIndex,
  tableSequence,
} from '../../connectors/nexmark/model.js';

const RATE = 10_000;
const generator = new NexmarkGenerator(RATE);
const EVENTS = 20_000;
const indicesOf = (table: string) => Array.from({ length: EVENTS }, (_, n) => n).filter((n) => eventTable(n) === table);

describe('nexmark event sequence', () => {
  it('has person : auction : bid in proportion 1 : 3 : 46 by n % 50', () => {
    expect(NEXMARK_TABLE_NAMES.map((t) => indicesOf(t).length)).toEqual([400, 1200, 18_400]);
    expect([0, 1, 3, 4, 49, 50].map(eventTable)).toEqual(['person', 'auction', 'auction', 'bid', 'bid', 'person']);
  });

  it("numbers each table's events with an invertible sequence", () => {
    for (const table of NEXMARK_TABLE_NAMES) {
      const sequence = tableSequence(table);
      const indices = indicesOf(table);
      expect(indices.map((_, k) => sequence.indexOf(k))).toEqual(indices);
      expect(indices.map((n) => sequence.countBelow(n))).toEqual(indices.map((_, k) => k));
    }
  });

  it('computes the last person and auction indices per the doc', () => {
    expect([0, 49, 50, 149].map(lastPersonIndex)).toEqual([0, 0, 1, 2]);
    // offset 0 → (epoch-1)*3+2; 1..3 → epoch*3 + offset-1; >= 4 → epoch*3+2
    expect([50, 51, 52, 53, 54, 99].map(lastAuctionIndex)).toEqual([2, 3, 4, 5, 5, 5]);
  });

  it('spaces event time by 1e6 / rate microseconds from 2015-07-15', () => {
    expect(NEXMARK_BASE_TIME).toBe(Date.parse('2015-07-15T00:00:00Z'));
    expect([0, 9, 10, 12_345].map((n) => eventTime(n, RATE) - NEXMARK_BASE_TIME)).toEqual([0, 0, 1, 1234]);
    expect(eventTime(3, 1000) - NEXMARK_BASE_TIME).toBe(3);
  });
});

describe('nexmark events', () => {
  it('are a function of the event number', () => {
    const other = new NexmarkGenerator(RATE);
    for (const n of [0, 1, 7, 50_001, 123_456_789]) {
      const table = eventTable(n);
      expect(other.rowMaker(table)(n)).toEqual(generator.rowMaker(table)(n));
    }
    expect(generator.bid(4)).not.toEqual(generator.bid(5));
  });

  it('person: id from the event number, fields from the fixed lists', () => {
    for (const n of indicesOf('person').slice(0, 300)) {
      const [id, name, email, card, city, state, dateTime, extra] = generator.person(n);
      expect(id).toBe(n / 50 + 1000);
      expect(name).toMatch(/^(Peter|Paul|Luke|John|Saul|Vicky|Kate|Julie|Sarah|Deiter|Walter) (Shultz|Abrams|Spencer|White|Bartels|Walton|Smith|Jones|Noris)$/);
      expect(email).toMatch(/^[a-z ]+@[a-z ]+\.com$/);
      expect(card).toMatch(/^\d{4} \d{4} \d{4} \d{4}$/);
      expect(['Phoenix', 'Los Angeles', 'San Francisco', 'Boise', 'Portland', 'Bend', 'Redmond', 'Seattle', 'Kent', 'Cheyenne']).toContain(city);
      expect(['AZ', 'CA', 'ID', 'OR', 'WA', 'WY']).toContain(state);
      expect(dateTime).toBe(eventTime(n, RATE));
      expect((extra as string).length).toBeGreaterThan(100);
    }
  });

  it('auction: ids, hot sellers (3/4), categories, prices and expiry', () => {
    const auctions = indicesOf('auction').map((n) => ({ n, row: generator.auction(n) }));
    let hot = 0;
    for (const { n, row } of auctions) {
      const [id, itemName, description, initialBid, reserve, dateTime, expires, seller, category] = row as number[];
      expect(id).toBe(lastAuctionIndex(n) + 1000);
      expect((itemName as unknown as string).length).toBeLessThan(20);
      expect((description as unknown as string).length).toBeLessThan(100);
      expect(initialBid).toBeGreaterThanOrEqual(100);
      expect(initialBid).toBeLessThanOrEqual(100_000_000);
      expect(reserve).toBeGreaterThan(initialBid!);
      expect(category).toBeGreaterThanOrEqual(10);
      expect(category).toBeLessThanOrEqual(14);
      expect(expires).toBeGreaterThan(dateTime!);
      // horizon: the event-time span of the next 1666 events, about 166 ms at 10,000 events/s
      expect(expires! - dateTime!).toBeLessThanOrEqual(2 * 167 + 1);
      const people = lastPersonIndex(n) + 1;
      if (seller === Math.floor(lastPersonIndex(n) / 100) * 100 + 1000) hot++;
      else expect(seller! - 1000).toBeGreaterThanOrEqual(people - Math.min(people, 1000));
      expect(seller! - 1000).toBeLessThan(people + 10);
    }
    expect(hot / auctions.length).toBeGreaterThan(0.7);
    expect(hot / auctions.length).toBeLessThan(0.85);
  });

  it('bid: hot auctions (1/2) and bidders (3/4), recent otherwise; log-uniform prices; channels', () => {
    const bids = indicesOf('bid').slice(0, 6000).map((n) => ({ n, row: generator.bid(n) }));
    let hotAuctions = 0;
    let hotBidders = 0;
    let hotChannels = 0;
    const prices: number[] = [];
    for (const { n, row } of bids) {
      const [auction, bidder, price, channel, url, dateTime] = row as [number, number, number, string, string, number];
      const lastAuction = lastAuctionIndex(n);
      if (auction === Math.floor(lastAuction / 100) * 100 + 1000) hotAuctions++;
      else expect(auction - 1000).toBeGreaterThanOrEqual(Math.max(lastAuction - 100, 0));
      expect(auction - 1000).toBeLessThanOrEqual(lastAuction + 10);
      if (bidder === Math.floor(lastPersonIndex(n) / 100) * 100 + 1 + 1000) hotBidders++;
      expect(bidder - 1000).toBeLessThan(lastPersonIndex(n) + 1 + 10);
      prices.push(price);
      if (['Google', 'Facebook', 'Baidu', 'Apple'].includes(channel)) hotChannels++;
      else expect(channel).toMatch(/^channel-\d{1,4}$/);
      expect(url).toMatch(/^https:\/\/www\.nexmark\.com\/\S+\/item\.htm\?query=1/);
      expect(dateTime).toBe(eventTime(n, RATE));
    }
    expect(hotAuctions / bids.length).toBeCloseTo(0.5, 1);
    expect(hotBidders / bids.length).toBeCloseTo(0.75, 1);
    expect(hotChannels / bids.length).toBeCloseTo(0.5, 1);
    expect(Math.min(...prices)).toBeGreaterThanOrEqual(100);
    expect(Math.max(...prices)).toBeLessThanOrEqual(100_000_000);
    // log-uniform over six decades: about a sixth of prices per decade
    const belowTenDollars = prices.filter((p) => p < 1000).length / prices.length;
    expect(belowTenDollars).toBeCloseTo(1 / 6, 1);
  });

  it('gives the same channel the same url', () => {
    const urls = new Map<string, string>();
    for (const n of indicesOf('bid')) {
      const [, , , channel, url] = generator.bid(n) as string[];
      expect(urls.get(channel!) ?? url).toBe(url);
      urls.set(channel!, url!);
    }
  });
});

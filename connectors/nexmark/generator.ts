import type { RowMaker } from '../../runtime/connectors/generators/indexed-split.js';
import { Prng } from '../../runtime/connectors/generators/prng.js';
import {
  FIRST_AUCTION_ID,
  FIRST_CATEGORY_ID,
  FIRST_PERSON_ID,
  eventTime,
  lastAuctionIndex,
  lastPersonIndex,
  type NexmarkTable,
} from './model.js';
import { nextExactString, nextExtra, nextString } from './strings.js';

/**
 * Nexmark's events as rows (columns in NEXMARK_COLUMNS order), each a pure function of its event number n: the
 * random draws of event n come from a generator seeded with n. Field rules follow docs/NEXMARK.md and the draw
 * order follows the reference generator's, although the numbers drawn differ (see prng.ts).
 */
const FIRST_NAMES = ['Peter', 'Paul', 'Luke', 'John', 'Saul', 'Vicky', 'Kate', 'Julie', 'Sarah', 'Deiter', 'Walter'];
const LAST_NAMES = ['Shultz', 'Abrams', 'Spencer', 'White', 'Bartels', 'Walton', 'Smith', 'Jones', 'Noris'];
const FULL_NAMES = FIRST_NAMES.flatMap((first) => LAST_NAMES.map((last) => `${first} ${last}`));
const CITIES = ['Phoenix', 'Los Angeles', 'San Francisco', 'Boise', 'Portland', 'Bend', 'Redmond', 'Seattle', 'Kent', 'Cheyenne'];
const STATES = ['AZ', 'CA', 'ID', 'OR', 'WA', 'WY'];
const HOT_CHANNELS = ['Google', 'Facebook', 'Baidu', 'Apple'];

const NUM_CATEGORIES = 5;
const HOT_SELLER_RATIO = 100;
const HOT_AUCTION_RATIO = 100;
const HOT_BIDDER_RATIO = 100;
const ACTIVE_PEOPLE = 1000;
const PERSON_ID_LEAD = 10;
const IN_FLIGHT_AUCTIONS = 100;
const AUCTION_ID_LEAD = 10;
/** Events until about `IN_FLIGHT_AUCTIONS` more auctions exist: 100 * 50 / 3. */
const AUCTION_HORIZON_EVENTS = 1666;
const CHANNELS = 10_000;
const AVG_PERSON_BYTES = 200;
const AVG_AUCTION_BYTES = 500;
const AVG_BID_BYTES = 100;
/** Salts keep the channel urls' random streams apart from the events'. */
const URL_SALT = 0x0c4a_77e1;

function baseUrl(prng: Prng): string {
  const part = () => nextExactString(prng, 5).replaceAll(' ', '_');
  return `https://www.nexmark.com/${part()}/${part()}/${part()}/item.htm?query=1`;
}

const HOT_URLS = HOT_CHANNELS.map((_, i) => baseUrl(new Prng().seed(CHANNELS + i, URL_SALT)));
const channelNames: string[] = [];
const channelUrls: string[] = [];

function channelName(i: number): string {
  return (channelNames[i] ??= `channel-${i}`);
}

function channelUrl(i: number): string {
  return (channelUrls[i] ??= `${baseUrl(new Prng().seed(i, URL_SALT))}&channel_id=${i}`);
}

function nextPrice(prng: Prng): number {
  return Math.round(10 ** (prng.nextDouble() * 6) * 100);
}

export class NexmarkGenerator {
  private readonly prng = new Prng();

  /** `rate`: events per second of event time. */
  constructor(private readonly rate: number) {}

  /** Builds rows of `table`'s events, given their event numbers. */
  rowMaker(table: NexmarkTable): RowMaker {
    return table === 'bid' ? (n) => this.bid(n) : table === 'auction' ? (n) => this.auction(n) : (n) => this.person(n);
  }

  person(n: number): unknown[] {
    const prng = this.prng.seed(n);
    const id = lastPersonIndex(n) + FIRST_PERSON_ID;
    const name = FULL_NAMES[prng.nextInt(FULL_NAMES.length)]!;
    const email = `${nextString(prng, 7)}@${nextString(prng, 5)}.com`;
    const card = `${digits4(prng)} ${digits4(prng)} ${digits4(prng)} ${digits4(prng)}`;
    const city = CITIES[prng.nextInt(CITIES.length)]!;
    const state = STATES[prng.nextInt(STATES.length)]!;
    const size = 8 + name.length + email.length + card.length + city.length + state.length;
    const extra = nextExtra(prng, size, AVG_PERSON_BYTES);
    return [id, name, email, card, city, state, eventTime(n, this.rate), extra];
  }

  auction(n: number): unknown[] {
    const prng = this.prng.seed(n);
    const id = lastAuctionIndex(n) + FIRST_AUCTION_ID;
    const seller =
      prng.nextInt(4) > 0
        ? Math.floor(lastPersonIndex(n) / HOT_SELLER_RATIO) * HOT_SELLER_RATIO + FIRST_PERSON_ID
        : randomPerson(prng, n);
    const category = FIRST_CATEGORY_ID + prng.nextInt(NUM_CATEGORIES);
    const initialBid = nextPrice(prng);
    const dateTime = eventTime(n, this.rate);
    const horizonMs = eventTime(n + AUCTION_HORIZON_EVENTS, this.rate) - dateTime;
    const expires = dateTime + 1 + prng.nextInt(Math.max(horizonMs * 2, 1));
    const itemName = nextString(prng, 20);
    const description = nextString(prng, 100);
    const reserve = initialBid + nextPrice(prng);
    const size = 8 + itemName.length + description.length + 8 + 8 + 8 + 8 + 8;
    const extra = nextExtra(prng, size, AVG_AUCTION_BYTES);
    return [id, itemName, description, initialBid, reserve, dateTime, expires, seller, category, extra];
  }

  bid(n: number): unknown[] {
    const prng = this.prng.seed(n);
    const auction =
      prng.nextInt(2) > 0
        ? Math.floor(lastAuctionIndex(n) / HOT_AUCTION_RATIO) * HOT_AUCTION_RATIO + FIRST_AUCTION_ID
        : randomAuction(prng, n);
    const bidder =
      prng.nextInt(4) > 0
        ? Math.floor(lastPersonIndex(n) / HOT_BIDDER_RATIO) * HOT_BIDDER_RATIO + 1 + FIRST_PERSON_ID
        : randomPerson(prng, n);
    const price = nextPrice(prng);
    let channel: string;
    let url: string;
    if (prng.nextInt(2) > 0) {
      const i = prng.nextInt(HOT_CHANNELS.length);
      channel = HOT_CHANNELS[i]!;
      url = HOT_URLS[i]!;
    } else {
      const i = prng.nextInt(CHANNELS);
      channel = channelName(i);
      url = channelUrl(i);
    }
    const extra = nextExtra(prng, 32, AVG_BID_BYTES);
    return [auction, bidder, price, channel, url, eventTime(n, this.rate), extra];
  }
}

function digits4(prng: Prng): string {
  return String(prng.nextInt(10_000)).padStart(4, '0');
}

/** A recent person, possibly a few not created yet (as the reference does). */
function randomPerson(prng: Prng, n: number): number {
  const people = lastPersonIndex(n) + 1;
  const active = Math.min(people, ACTIVE_PEOPLE);
  return people - active + prng.nextInt(active + PERSON_ID_LEAD) + FIRST_PERSON_ID;
}

/** One of the last `IN_FLIGHT_AUCTIONS` auctions, possibly a few not created yet. */
function randomAuction(prng: Prng, n: number): number {
  const last = lastAuctionIndex(n);
  const min = Math.max(last - IN_FLIGHT_AUCTIONS, 0);
  return min + prng.nextInt(last - min + 1 + AUCTION_ID_LEAD) + FIRST_AUCTION_ID;
}

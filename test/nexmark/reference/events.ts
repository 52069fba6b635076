import { NexmarkGenerator } from '../../../connectors/nexmark/generator.js';
import { eventTable } from '../../../connectors/nexmark/model.js';

/**
 * Nexmark's events [0, events) as named records, straight from the generator module the `nexmark` source uses:
 * the references below compute each query over these, independently of the runtime.
 */
export interface Person {
  readonly id: number;
  readonly name: string;
  readonly emailAddress: string;
  readonly creditCard: string;
  readonly city: string;
  readonly state: string;
  readonly dateTime: number;
  readonly extra: string;
}

export interface Auction {
  readonly id: number;
  readonly itemName: string;
  readonly description: string;
  readonly initialBid: number;
  readonly reserve: number;
  readonly dateTime: number;
  readonly expires: number;
  readonly seller: number;
  readonly category: number;
  readonly extra: string;
}

export interface Bid {
  readonly auction: number;
  readonly bidder: number;
  readonly price: number;
  readonly channel: string;
  readonly url: string;
  readonly dateTime: number;
  readonly extra: string;
}

export interface NexmarkEvents {
  readonly persons: readonly Person[];
  readonly auctions: readonly Auction[];
  readonly bids: readonly Bid[];
}

/** A query's result: rows in the sink's column order. */
export type Rows = unknown[][];

export function generateEvents(events: number, rate: number): NexmarkEvents {
  const generator = new NexmarkGenerator(rate);
  const persons: Person[] = [];
  const auctions: Auction[] = [];
  const bids: Bid[] = [];
  for (let n = 0; n < events; n++) {
    switch (eventTable(n)) {
      case 'person': {
        const [id, name, emailAddress, creditCard, city, state, dateTime, extra] = generator.person(n);
        persons.push({ id, name, emailAddress, creditCard, city, state, dateTime, extra } as Person);
        break;
      }
      case 'auction': {
        const [id, itemName, description, initialBid, reserve, dateTime, expires, seller, category, extra] = generator.auction(n);
        auctions.push({ id, itemName, description, initialBid, reserve, dateTime, expires, seller, category, extra } as Auction);
        break;
      }
      case 'bid': {
        const [auction, bidder, price, channel, url, dateTime, extra] = generator.bid(n);
        bids.push({ auction, bidder, price, channel, url, dateTime, extra } as Bid);
        break;
      }
    }
  }
  return { persons, auctions, bids };
}

import type { NexmarkEvents, Rows } from './events.js';

const WESTERN_STATES = ['OR', 'ID', 'CA'];

/** q3, local item suggestion: every pair of a category-10 auction and its seller, when the seller lives in OR, ID or CA. */
export function q3({ persons, auctions }: NexmarkEvents): Rows {
  const rows: Rows = [];
  for (const a of auctions) {
    for (const p of persons) {
      if (a.category === 10 && WESTERN_STATES.includes(p.state) && a.seller === p.id) rows.push([p.name, p.city, p.state, a.id]);
    }
  }
  return rows;
}

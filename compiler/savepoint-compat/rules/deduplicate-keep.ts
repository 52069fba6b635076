import { Diagnostics } from '../../diagnostics/catalogue.js';
import { finding, pairsOfKind, type Rule } from './rule.js';

/** KEEP FIRST remembers that a key was seen, KEEP LAST the last row: neither can stand in for the other. */
export const deduplicateKeepRule: Rule = (ctx) =>
  pairsOfKind(ctx, 'deduplicate')
    .filter(({ previous, next }) => previous.spec.keep !== next.spec.keep)
    .map(({ uid, previous, next }) => ({
      uid,
      verdict: 'incompatible',
      finding: finding(Diagnostics.DeduplicateKeepChanged, { uid, previous: previous.spec.keep.toUpperCase(), next: next.spec.keep.toUpperCase() }),
    }));

import { Diagnostics } from '../../diagnostics/catalogue.js';
import { finding, pairsOfKind, type Rule } from './rule.js';

/** An inner join keeps rows, a left join also which left rows found a match: the state means different things. */
export const joinTypeRule: Rule = (ctx) =>
  pairsOfKind(ctx, 'join', 'interval_join', 'window_join')
    .filter(({ previous, next }) => previous.spec.joinType !== next.spec.joinType)
    .map(({ uid, previous, next }) => ({
      uid,
      verdict: 'incompatible',
      finding: finding(Diagnostics.JoinTypeChanged, { uid, previous: previous.spec.joinType.toUpperCase(), next: next.spec.joinType.toUpperCase() }),
    }));

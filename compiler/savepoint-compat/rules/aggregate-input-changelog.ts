import { Diagnostics } from '../../diagnostics/catalogue.js';
import { finding, pairsOfKind, type Rule } from './rule.js';

/**
 * An aggregate over an updating input keeps each input row ('input-rows') to retract it when it changes. When
 * the input turns updating, the restored groups hold rows of which nothing was kept, so their updates could not
 * be retracted.
 */
export const aggregateInputChangelogRule: Rule = (ctx) =>
  pairsOfKind(ctx, 'group_aggregate')
    .filter(({ previous, next }) => previous.inputs[0]?.changelog === 'append' && next.inputs[0]?.changelog === 'upsert')
    .map(({ uid }) => ({ uid, state: 'input-rows', verdict: 'incompatible', finding: finding(Diagnostics.AggregateInputNowUpdating, { uid }) }));

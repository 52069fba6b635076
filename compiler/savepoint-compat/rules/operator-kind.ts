import { Diagnostics } from '../../diagnostics/catalogue.js';
import { finding, restoredPairs, type Rule } from './rule.js';

/**
 * A uid names one step for the pipeline's life: state of an aggregate cannot be restored into a join. Without
 * saved state there is nothing to restore, and the new step simply starts.
 */
export const operatorKindRule: Rule = (ctx) =>
  restoredPairs(ctx)
    .filter(({ previous, next, savedStates }) => previous.spec.kind !== next.spec.kind && savedStates.size > 0)
    .map(({ uid, previous, next }) => ({
      uid,
      verdict: 'incompatible',
      finding: finding(Diagnostics.OperatorKindChanged, { uid, previous: previous.spec.kind, next: next.spec.kind }),
    }));

import { Diagnostics } from '../../diagnostics/catalogue.js';
import { finding, pairsOfKind, type Rule } from './rule.js';

/** A process function's state means what its code makes of it: another function cannot read it, whatever its shape. */
export const processFunctionRule: Rule = (ctx) =>
  pairsOfKind(ctx, 'process')
    .filter(({ previous, next }) => previous.spec.function !== next.spec.function)
    .map(({ uid, previous, next }) => ({
      uid,
      verdict: 'incompatible',
      finding: finding(Diagnostics.ProcessFunctionChanged, { uid, previous: previous.spec.function, next: next.spec.function }),
    }));

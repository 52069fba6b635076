import { Diagnostics } from '../../diagnostics/catalogue.js';
import { finding, type Rule } from './rule.js';

/** State the savepoint holds under a uid its own job graph lacks has no declared shape to check the new step against. */
export const undeclaredSavedOperatorRule: Rule = (ctx) =>
  ctx.matches
    .filter((m) => m.saved && m.previous === undefined && m.next !== undefined)
    .map(({ uid }) => ({ uid, verdict: 'incompatible', finding: finding(Diagnostics.UndeclaredSavedOperator, { uid }) }));

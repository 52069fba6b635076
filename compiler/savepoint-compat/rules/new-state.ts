import { Diagnostics } from '../../diagnostics/catalogue.js';
import { finding, sameKindPairs, type Rule, type Verdict } from './rule.js';

/** State the savepoint does not have starts empty: all of a new step's, and what a restored step newly declares. */
export const newStateRule: Rule = (ctx) => {
  const newSteps: Verdict[] = ctx.matches
    .filter((m) => !m.saved && m.next !== undefined && m.next.state.length > 0)
    .map(({ uid }) => ({ uid, verdict: 'starts-empty', finding: finding(Diagnostics.OperatorStartsEmpty, { uid }) }));
  const newStates: Verdict[] = sameKindPairs(ctx).flatMap(({ uid, next, savedStates }) =>
    next.state
      .filter((s) => !savedStates.has(s.name))
      .map((s) => ({ uid, state: s.name, verdict: 'starts-empty', finding: finding(Diagnostics.StateStartsEmpty, { uid, state: s.name }) })),
  );
  return [...newSteps, ...newStates];
};

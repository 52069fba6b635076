import { Diagnostics } from '../../diagnostics/catalogue.js';
import { finding, restoredPairs, type Rule, type Verdict } from './rule.js';

/**
 * State the savepoint does not have starts empty: all of a new step's, and what a restored step newly declares
 * (unless the step changed kind over saved state, which is a rule of its own).
 */
export const newStateRule: Rule = (ctx) => {
  const newSteps: Verdict[] = ctx.matches
    .filter((m) => !m.saved && m.next !== undefined && m.next.state.length > 0)
    .map(({ uid }) => ({ uid, verdict: 'starts-empty', finding: finding(Diagnostics.OperatorStartsEmpty, { uid }) }));
  const newStates: Verdict[] = restoredPairs(ctx)
    .filter(({ previous, next, savedStates }) => previous.spec.kind === next.spec.kind || savedStates.size === 0)
    .flatMap(({ uid, next, savedStates }) =>
      next.state
        .filter((s) => !savedStates.has(s.name))
        .map((s) => ({ uid, state: s.name, verdict: 'starts-empty', finding: finding(Diagnostics.StateStartsEmpty, { uid, state: s.name }) })),
    );
  return [...newSteps, ...newStates];
};

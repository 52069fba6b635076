import { Diagnostics } from '../../diagnostics/catalogue.js';
import { finding, sameKindPairs, sharedStates, stateKindOf, type Rule, type Verdict } from './rule.js';

/** Entries of a keyed list cannot be read as a map, nor a subtask's operator list as keyed state. */
export const stateKindRule: Rule = (ctx) =>
  sameKindPairs(ctx).flatMap((pair) =>
    sharedStates(pair)
      .filter((s) => !s.sameKind)
      .map((s): Verdict => {
        const args = { uid: pair.uid, state: s.name, previous: stateKindOf(s.saved), next: stateKindOf(s.next) };
        return { uid: pair.uid, state: s.name, verdict: 'incompatible', finding: finding(Diagnostics.StateKindChanged, args) };
      }),
  );

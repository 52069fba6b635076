import { Diagnostics } from '../../diagnostics/catalogue.js';
import type { StateDescriptor } from '../../graph/job-graph.js';
import { finding, sameKindPairs, type Rule } from './rule.js';

/** `keyed map`, `operator union list`. */
function kindOf(state: StateDescriptor): string {
  return `${state.scope} ${state.redistribution === 'union' ? 'union ' : ''}${state.kind}`;
}

/** Entries of a keyed list cannot be read as a map, nor a subtask's operator list as keyed state. */
export const stateKindRule: Rule = (ctx) =>
  sameKindPairs(ctx).flatMap(({ uid, next, savedStates }) =>
    next.state.flatMap((state) => {
      const saved = savedStates.get(state.name)?.descriptor;
      if (saved === undefined || kindOf(saved) === kindOf(state)) return [];
      return [{ uid, state: state.name, verdict: 'incompatible' as const, finding: finding(Diagnostics.StateKindChanged, { uid, state: state.name, previous: kindOf(saved), next: kindOf(state) }) }];
    }),
  );

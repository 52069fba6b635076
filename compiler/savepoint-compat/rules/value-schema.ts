import { accumulatorStateOf } from './accumulator-states.js';
import { sameKindPairs, type Rule } from './rule.js';
import { valueMigrationVerdicts } from './value-migration-verdicts.js';

/**
 * A stored value (a row, a list element, a map value) restores if its columns, matched by name, only gain
 * nullable columns, lose columns, move or widen numbers; restoring then migrates each value.
 */
export const valueSchemaRule: Rule = (ctx) =>
  sameKindPairs(ctx).flatMap(({ uid, next, savedStates }) =>
    next.state.flatMap((state) => {
      const saved = savedStates.get(state.name)?.descriptor;
      if (saved === undefined || state.name === accumulatorStateOf(next)) return [];
      return valueMigrationVerdicts(uid, state.name, saved.valueType, state.valueType);
    }),
  );

import { accumulatorStateOf } from './accumulator-states.js';
import { sameKindPairs, sharedStates, type Rule } from './rule.js';
import { valueMigrationVerdicts } from './value-migration-verdicts.js';

/**
 * A stored value (a row, a list element, a map value) restores if its columns, matched by name, only gain
 * nullable columns, lose columns, move or widen numbers; restoring then migrates each value. Values of a state
 * that changed kind mean something else and are not compared.
 */
export const valueSchemaRule: Rule = (ctx) =>
  sameKindPairs(ctx).flatMap((pair) =>
    sharedStates(pair)
      .filter((s) => s.sameKind && s.name !== accumulatorStateOf(pair.next))
      .flatMap((s) => valueMigrationVerdicts(pair.uid, s.name, s.saved.valueType, s.next.valueType)),
  );

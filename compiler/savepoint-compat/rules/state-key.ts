import { Diagnostics } from '../../diagnostics/catalogue.js';
import { sameType, type Field } from '../../types/sql-type.js';
import { describeFields, finding, sameKindPairs, sharedStates, type Rule, type Verdict } from './rule.js';

/**
 * Keyed state is found by its key's value, so the key must keep its columns and types. Names count as well:
 * from the graph alone `GROUP BY category` turned `GROUP BY region` looks like a rename, and restoring state
 * under the wrong key would silently mix groups. Nullability does not matter to the stored keys.
 */
function sameKey(a: readonly Field[], b: readonly Field[]): boolean {
  return a.length === b.length && a.every((f, i) => f.name === b[i]!.name && sameType(f.type, b[i]!.type));
}

export const stateKeyRule: Rule = (ctx) =>
  sameKindPairs(ctx).flatMap((pair) =>
    sharedStates(pair).flatMap(({ name, saved, next }): Verdict[] => {
      if (saved.keyType === undefined || next.keyType === undefined || sameKey(saved.keyType, next.keyType)) return [];
      const args = { uid: pair.uid, state: name, previous: describeFields(saved.keyType), next: describeFields(next.keyType) };
      return [{ uid: pair.uid, state: name, verdict: 'incompatible', finding: finding(Diagnostics.KeyChanged, args) }];
    }),
  );

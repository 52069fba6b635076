import { Diagnostics } from '../../diagnostics/catalogue.js';
import { sameType, type Field } from '../../types/sql-type.js';
import { describeFields, finding, sameKindPairs, type Rule } from './rule.js';

/**
 * Keyed state is found by its key's value, so the key must keep its columns and types. Names count as well:
 * from the graph alone `GROUP BY category` turned `GROUP BY region` looks like a rename, and restoring state
 * under the wrong key would silently mix groups. Nullability does not matter to the stored keys.
 */
function sameKey(a: readonly Field[], b: readonly Field[]): boolean {
  return a.length === b.length && a.every((f, i) => f.name === b[i]!.name && sameType(f.type, b[i]!.type));
}

export const stateKeyRule: Rule = (ctx) =>
  sameKindPairs(ctx).flatMap(({ uid, next, savedStates }) =>
    next.state.flatMap((state) => {
      const saved = savedStates.get(state.name)?.descriptor;
      if (saved?.keyType === undefined || state.keyType === undefined || sameKey(saved.keyType, state.keyType)) return [];
      const args = { uid, state: state.name, previous: describeFields(saved.keyType), next: describeFields(state.keyType) };
      return [{ uid, state: state.name, verdict: 'incompatible' as const, finding: finding(Diagnostics.KeyChanged, args) }];
    }),
  );

import { Diagnostics } from '../../diagnostics/catalogue.js';
import { sameType, type Field } from '../../types/sql-type.js';
import { describeFields, finding, sameKindPairs, type Rule } from './rule.js';

/** Map entries are found by their map key's value (window bounds, a distinct value, a join row): its types must stay. */
function sameTypes(a: readonly Field[], b: readonly Field[]): boolean {
  return a.length === b.length && a.every((f, i) => sameType(f.type, b[i]!.type));
}

export const mapKeyRule: Rule = (ctx) =>
  sameKindPairs(ctx).flatMap(({ uid, next, savedStates }) =>
    next.state.flatMap((state) => {
      const saved = savedStates.get(state.name)?.descriptor;
      if (saved?.mapKeyType === undefined || state.mapKeyType === undefined || sameTypes(saved.mapKeyType, state.mapKeyType)) return [];
      const args = { uid, state: state.name, previous: describeFields(saved.mapKeyType), next: describeFields(state.mapKeyType) };
      return [{ uid, state: state.name, verdict: 'incompatible' as const, finding: finding(Diagnostics.MapKeyChanged, args) }];
    }),
  );

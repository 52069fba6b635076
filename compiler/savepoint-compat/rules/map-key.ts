import { Diagnostics } from '../../diagnostics/catalogue.js';
import { sameType, type Field } from '../../types/sql-type.js';
import { describeFields, finding, sameKindPairs, sharedStates, type Rule, type Verdict } from './rule.js';

/** Map entries are found by their map key's value (window bounds, a distinct value, a join row): its types must stay. */
function sameTypes(a: readonly Field[], b: readonly Field[]): boolean {
  return a.length === b.length && a.every((f, i) => sameType(f.type, b[i]!.type));
}

export const mapKeyRule: Rule = (ctx) =>
  sameKindPairs(ctx).flatMap((pair) =>
    sharedStates(pair)
      .filter((s) => s.sameKind)
      .flatMap(({ name, saved, next }): Verdict[] => {
        if (saved.mapKeyType === undefined || next.mapKeyType === undefined || sameTypes(saved.mapKeyType, next.mapKeyType)) return [];
        const args = { uid: pair.uid, state: name, previous: describeFields(saved.mapKeyType), next: describeFields(next.mapKeyType) };
        return [{ uid: pair.uid, state: name, verdict: 'incompatible', finding: finding(Diagnostics.MapKeyChanged, args) }];
      }),
  );

import { redactOptions } from '../../../connectors/secrets.js';
import { Diagnostics } from '../../diagnostics/catalogue.js';
import { finding, pairsOfKind, type Rule, type Verdict } from './rule.js';
import { optionValue, sourceIdentityOptions } from './source-identity.js';

/**
 * Options other than what a source reads (bounded ↔ continuous, rates, the monitor interval, a datagen column's
 * generator) leave its recorded position meaningful: the source continues there, and the report lists them.
 * So does its PRIMARY KEY: a key is not a position, and state kept per key declares that key (state-key rule).
 * Credentials are compared as recorded graphs hold them, hidden (connectors/secrets.ts): they do not touch state.
 */
export const sourceOptionsRule: Rule = (ctx) =>
  pairsOfKind(ctx, 'source')
    .filter(({ previous, next }) => previous.spec.connector === next.spec.connector)
    .flatMap(({ uid, previous, next }): Verdict[] => {
      const identity = sourceIdentityOptions(next.spec.connector);
      const [before, after] = [redactOptions(previous.spec.connector, previous.spec.options), redactOptions(next.spec.connector, next.spec.options)];
      const changed = [...new Set([...Object.keys(before), ...Object.keys(after)])]
        .filter((option) => !identity.includes(option) && before[option] !== after[option])
        .sort();
      const keyChange = primaryKeyText(previous.spec.primaryKey) === primaryKeyText(next.spec.primaryKey) ? [] : [`PRIMARY KEY ${primaryKeyText(previous.spec.primaryKey)} → ${primaryKeyText(next.spec.primaryKey)}`];
      if (changed.length === 0 && keyChange.length === 0) return [];
      const changes = [...changed.map((o) => `'${o}' ${optionValue(before[o])} → ${optionValue(after[o])}`), ...keyChange].join(', ');
      return [{ uid, verdict: 'compatible', finding: finding(Diagnostics.SourceOptionsChanged, { uid, changes }) }];
    });

/** `(id, day)`, or `(none)`. */
function primaryKeyText(key: readonly string[] | undefined): string {
  return key === undefined ? '(none)' : `(${key.join(', ')})`;
}

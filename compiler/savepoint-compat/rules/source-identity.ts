import { connectorDefinition } from '../../../connectors/definitions.js';
import { Diagnostics } from '../../diagnostics/catalogue.js';
import { finding, pairsOfKind, type OperatorOf, type Rule, type Verdict } from './rule.js';

type Source = OperatorOf<'source'>;

/** The options that say what a source of `connector` reads (ConnectorDefinition.identityOptions). */
export function sourceIdentityOptions(connector: string): readonly string[] {
  return connectorDefinition('source', connector)?.identityOptions ?? [];
}

/** `'bounded'`, `(unset)`: an option's value in messages. */
export function optionValue(value: string | undefined): string {
  return value === undefined ? '(unset)' : `'${value}'`;
}

/** The first difference in what the two sources read, if any. */
function identityChange(previous: Source, next: Source): { what: string; previous: string; next: string } | undefined {
  if (previous.spec.connector !== next.spec.connector) {
    return { what: 'connector', previous: optionValue(previous.spec.connector), next: optionValue(next.spec.connector) };
  }
  const option = sourceIdentityOptions(next.spec.connector).find((o) => previous.spec.options[o] !== next.spec.options[o]);
  return option === undefined ? undefined : { what: `'${option}'`, previous: optionValue(previous.spec.options[option]), next: optionValue(next.spec.options[option]) };
}

export const sourceIdentityRule: Rule = (ctx) =>
  pairsOfKind(ctx, 'source').flatMap(({ uid, previous, next }): Verdict[] => {
    const change = identityChange(previous, next);
    return change === undefined ? [] : [{ uid, verdict: 'incompatible', finding: finding(Diagnostics.SourceIdentityChanged, { uid, ...change }) }];
  });

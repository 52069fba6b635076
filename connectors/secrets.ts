import type { OptionDefinition } from '../compiler/connectors/connector-definition.js';
import type { JobGraph } from '../compiler/graph/job-graph.js';
import { sinkDefinitions, sourceDefinitions } from './definitions.js';

/**
 * Credentials never leave the WITH clause they were written in: not in diagnostics, runtime errors,
 * `sluice inspect`, `--graph json` or checkpoint metadata. Two kinds are hidden: the value of an option whose
 * definition says `secret`, and the password of a URL (`postgres://user:password@host/db`,
 * `nats://user:password@host:4222`, `…?password=…`) in any option. The running job keeps the real values in memory only.
 */
export const REDACTED = '<redacted>';

/**
 * `scheme://user:password@` → `scheme://user:<redacted>@`, for every URL in `text` (a comma-separated server list
 * too), and a `password=` query parameter (JDBC's `jdbc:postgresql://host/db?user=u&password=p`) likewise.
 */
export function redactUrlPasswords(text: string): string {
  return text
    .replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@,]*:)[^\s@/,]*@/gi, `$1${REDACTED}@`)
    .replace(/(:\/\/[^\s?]*\?(?:[^\s#]*&)?password=)[^\s&#,]*/gi, `$1${REDACTED}`);
}

/** How an option's value may be shown in a message: hidden for a secret option, URL passwords hidden otherwise. */
export function shownValue(option: Pick<OptionDefinition, 'secret'> | undefined, text: string): string {
  return option?.secret === true ? REDACTED : redactUrlPasswords(text);
}

/** Whether `key` is a secret option of the connector named `connector` (as a source or a sink). */
export function isSecretOption(connector: string, key: string): boolean {
  return [...sourceDefinitions, ...sinkDefinitions].some((d) => d.name === connector && d.options.some((o) => o.key === key && o.secret));
}

/** `options` of a `connector` with every credential hidden (shownValue). */
export function redactOptions(connector: string, options: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(options).map(([key, value]) => [key, isSecretOption(connector, key) ? REDACTED : redactUrlPasswords(value)]));
}

/** `graph` with the credentials in its source and sink options hidden: what is written out of the process. */
export function redactGraphSecrets(graph: JobGraph): JobGraph {
  return {
    ...graph,
    operators: graph.operators.map((op) =>
      op.spec.kind === 'source' || op.spec.kind === 'sink' ? { ...op, spec: { ...op.spec, options: redactOptions(op.spec.connector, op.spec.options) } } : op,
    ),
  };
}

import type * as pipe from '../../../grammar/ast/index.js';
import { Diagnostics } from '../../diagnostics/catalogue.js';
import type { DiagnosticBag } from '../../diagnostics/diagnostic.js';

type Options = readonly pipe.OptionEntry[];

const entry = (key: string, value: string, at: pipe.Span): pipe.OptionEntry => ({
  kind: 'OptionEntry',
  key: { kind: 'StringLiteralNode', value: key, span: at },
  value: { kind: 'StringLiteralNode', value, span: at },
  span: at,
});

/** Renames keys (dropping those mapped to undefined) and keeps every other option as written. */
function renamed(options: Options, keys: Readonly<Record<string, string | undefined>>): pipe.OptionEntry[] {
  return options.flatMap((o) => {
    if (!Object.hasOwn(keys, o.key.value)) return [o];
    const key = keys[o.key.value];
    return key === undefined ? [] : [{ ...o, key: { ...o.key, value: key } }];
  });
}

/**
 * Flink's filesystem connector as Sluice's file connector, the inverse of the exporter's mapping
 * (compiler/exporters/flink-sql/connector-tables.ts): a monitored path is a continuous source, the formats'
 * own ignore-parse-errors keys become Sluice's one key, and csv has no header line, as in Flink. Sluice accepts
 * Flink's `json` format name.
 */
function fileOptions(options: Options, role: 'source' | 'sink'): pipe.OptionEntry[] {
  const result = renamed(options, {
    'connector': undefined,
    'json.ignore-parse-errors': 'format.ignore-parse-errors',
    'csv.ignore-parse-errors': 'format.ignore-parse-errors',
  });
  const at = options[0]!.span;
  const continuous = role === 'source' && options.some((o) => o.key.value === 'source.monitor-interval');
  // Flink's csv format has no header line: its first line is a row, which Sluice's default would skip.
  const csv = options.some((o) => o.key.value === 'format' && o.value.value === 'csv');
  const noHeader = csv && !options.some((o) => o.key.value === 'csv.header') ? [entry('csv.header', 'false', at)] : [];
  return [entry('connector', 'file', at), ...result, ...noHeader, ...(continuous ? [entry('mode', 'continuous', at)] : [])];
}

/** Connectors whose options are the same in Sluice; Sluice reports any option it does not know, at its place. */
const SAME_OPTIONS = new Set(['datagen', 'print', 'blackhole']);

/**
 * The WITH options of a Sluice source or sink for a Flink table's, or undefined (reported) when its connector
 * has no Sluice counterpart. Options without a Sluice meaning are kept, never dropped, so that compiling the
 * imported file names each of them.
 */
export function sluiceOptions(table: string, options: Options, role: 'source' | 'sink', tableSpan: pipe.Span, bag: DiagnosticBag): pipe.OptionEntry[] | undefined {
  const connector = options.find((o) => o.key.value === 'connector');
  if (connector === undefined) {
    bag.report(Diagnostics.NotImportable, tableSpan, { what: `table '${table}' without a 'connector' option`, why: 'Sluice needs to know what to read or write' });
    return undefined;
  }
  if (connector.value.value === 'filesystem') return fileOptions(options, role);
  if (SAME_OPTIONS.has(connector.value.value)) return [...options];
  bag.report(Diagnostics.UnknownFlinkConnector, connector.value.span, { connector: connector.value.value, table });
  return undefined;
}

const DEFAULT_PROPORTIONS: Readonly<Record<string, string>> = { 'person.proportion': '1', 'auction.proportion': '3', 'bid.proportion': '46' };

/** The options of a Sluice nexmark source for the Nexmark project's Flink connector and one of its tables. */
export function nexmarkOptions(options: Options, table: string, at: pipe.Span): pipe.OptionEntry[] {
  const value = (key: string): string | undefined => options.find((o) => o.key.value === key)?.value.value;
  const oneRate = (value('next-event.rate') ?? value('first-event.rate')) === (value('first-event.rate') ?? value('next-event.rate'));
  const rest = renamed(options, {
    'connector': undefined,
    'events.num': 'events',
    'first-event.rate': 'rate',
    // Sluice's generator has one event rate, which the exporter writes to both of Flink's keys; two different
    // rates are kept, and compiling the imported file reports the key.
    'next-event.rate': oneRate ? undefined : 'next-event.rate',
    // Sluice generates the Nexmark project's default mix (1 person : 3 auctions : 46 bids); another is kept.
    ...Object.fromEntries(
      Object.entries(DEFAULT_PROPORTIONS).map(([key, share]) => [key, value(key) === share ? undefined : key]),
    ),
  });
  return [entry('connector', 'nexmark', at), entry('table', table, at), ...rest];
}

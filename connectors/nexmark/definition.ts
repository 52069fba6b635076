import { enumType, integerType, numberType } from '../../compiler/config/value-types.js';
import { closestMatch, didYouMean } from '../../compiler/config/closest-match.js';
import { Diagnostics } from '../../compiler/diagnostics/catalogue.js';
import { sameType, typeToString } from '../../compiler/types/sql-type.js';
import { option, type ConnectorContext, type ConnectorDefinition } from '../../compiler/connectors/connector-definition.js';
import { NEXMARK_TABLES, type NexmarkTable } from './tables.js';

export const nexmarkSource: ConnectorDefinition = {
  name: 'nexmark',
  description:
    'Generates the Nexmark benchmark events (person, auction, bid) deterministically from the event index; declare any subset of the chosen table\'s columns.',
  options: [
    option('table', enumType(['person', 'auction', 'bid']), 'Which Nexmark table this source reads.', { required: true }),
    option('events', integerType(1), 'Total events generated across all three tables (1 person : 3 auctions : 46 bids); unset means unbounded.'),
    option('rate', numberType(1), 'Events per second of event time: sets the spacing of `date_time`.', { default: 10_000 }),
    option('rows-per-second', numberType(0), 'Wall-clock throttle in events per second; unset or 0 generates as fast as possible.'),
    option('first-event', integerType(0), 'Index of the first generated event.', { default: 0 }),
  ],
  check: checkColumns,
  identityOptions: ['table'],
};

/** Declared columns must be columns of the chosen table, with its types. */
function checkColumns(context: ConnectorContext): void {
  const table = context.options['table'] as NexmarkTable | undefined;
  if (table === undefined) return;
  const tableColumns = NEXMARK_TABLES[table];
  for (const declared of context.columns) {
    const definition = context.columnDefs.find((d) => d.name.name === declared.name);
    const expected = tableColumns.find((c) => c.name === declared.name);
    if (expected === undefined) {
      const names = tableColumns.map((c) => c.name);
      context.bag.report(Diagnostics.NexmarkUnknownColumn, definition?.name.span ?? context.name.span, {
        table,
        column: declared.name,
        suggestion: didYouMean(closestMatch(declared.name, names)),
        columns: names.join(', '),
      });
    } else if (!sameType(expected.type, declared.type)) {
      context.bag.report(Diagnostics.NexmarkColumnType, definition?.type.span ?? context.name.span, {
        table,
        column: declared.name,
        expected: typeToString(expected.type),
        actual: typeToString(declared.type),
      });
    }
  }
}

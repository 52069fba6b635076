import type { StreamSchema } from '../../compiler/graph/job-graph.js';
import { mapColumns } from '../../runtime/connectors/generators/column-mapping.js';
import { IndexedSplitReader, generatorSplits, type GeneratorSplit } from '../../runtime/connectors/generators/indexed-split.js';
import { RateLimiter } from '../../runtime/connectors/generators/rate-limiter.js';
import type { ConnectorOptions } from '../../runtime/connectors/options.js';
import { systemClock, type SourceConnector, type SourceContext, type SplitPosition } from '../../runtime/connectors/source-connector.js';
import { NexmarkGenerator } from './generator.js';
import { NEXMARK_TABLES } from './tables.js';
import { DEFAULT_NEXMARK_RATE, NEXMARK_TABLE_NAMES, TABLE_OFFSETS, TOTAL_PROPORTION, tableSequence } from './model.js';

/**
 * The `nexmark` source: the events of one table (`table`) among event numbers [`first-event`, `events`), or
 * unbounded without `events`; event time advances at `rate` events per second. `rows-per-second` paces the
 * event sequence by wall clock, in events of all tables per second (so a bid source emits 46/50 of it in bid
 * rows), each split at an equal share.
 */
export function createNexmarkSource(options: ConnectorOptions, schema: StreamSchema, context: SourceContext): SourceConnector {
  const table = options.oneOf('table', NEXMARK_TABLE_NAMES);
  const range = {
    firstIndex: options.count('first-event', 0),
    endIndex: options.has('events') ? options.count('events') : Infinity,
  };
  const rate = options.number('rate', DEFAULT_NEXMARK_RATE);
  if (!(rate > 0)) throw new Error(`nexmark connector: option 'rate' must be positive, not ${rate}`);
  const eventsPerSecond = options.number('rows-per-second', 0);
  const tableRowsPerSecond = (eventsPerSecond * TABLE_OFFSETS[table].width) / TOTAL_PROPORTION;
  const clock = context.clock ?? systemClock;
  const generator = new NexmarkGenerator(rate);
  const makeRow = mapColumns('nexmark', NEXMARK_TABLES[table], schema.fields, generator.rowMaker(table));
  const sequence = tableSequence(table);
  const splits = generatorSplits(`nexmark-${table}`, context.parallelism);
  return {
    bounded: range.endIndex !== Infinity,
    enumerateSplits: () => Promise.resolve(splits),
    createReader(split, position?: SplitPosition) {
      // A split's share of the pace follows its own stride, which it keeps when restored at another parallelism.
      const limiter = tableRowsPerSecond > 0 ? new RateLimiter(tableRowsPerSecond / (split as GeneratorSplit).splits, clock) : undefined;
      return new IndexedSplitReader(split as GeneratorSplit, sequence, range, makeRow, limiter, position);
    },
  };
}

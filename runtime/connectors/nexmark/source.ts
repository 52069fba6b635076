import type { StreamSchema } from '../../../compiler/graph/job-graph.js';
import { mapColumns } from '../generators/column-mapping.js';
import {
  IndexedSplitReader,
  generatorSplits,
  type GeneratorSplit,
  type IndexRange,
  type IndexSequence,
  type RowMaker,
} from '../generators/indexed-split.js';
import { RateLimiter } from '../generators/rate-limiter.js';
import type { ConnectorOptions } from '../options.js';
import { systemClock, type ReadResult, type SourceConnector, type SourceContext, type SplitPosition } from '../source-connector.js';
import { NexmarkGenerator } from './generator.js';
import { NEXMARK_TABLES } from '../../../compiler/connectors/nexmark-tables.js';
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
  const share = TABLE_OFFSETS[table].width / TOTAL_PROPORTION;
  const splits = generatorSplits(`nexmark-${table}`, context.parallelism);
  return {
    bounded: range.endIndex !== Infinity,
    enumerateSplits: () => Promise.resolve(splits),
    createReader(split, position?: SplitPosition) {
      // A split's share of the pace follows its own stride, which it keeps when restored at another parallelism.
      const limiter = tableRowsPerSecond > 0 ? new RateLimiter(tableRowsPerSecond / (split as GeneratorSplit).splits, clock) : undefined;
      return new NexmarkSplitReader(split as GeneratorSplit, sequence, range, makeRow, limiter, position, share);
    },
  };
}

/**
 * A read covers the same span of the event sequence in every table, `maxRows` events of all tables (so at most
 * that many times the table's share of rows), not `maxRows` rows of its own table. Sources are polled in turn,
 * so the person, auction and bid sources of one job then advance in event time at the same pace; reading equal
 * rows, a person source ran 3× ahead of an auction source, and an operator joining them (q8) held every person
 * row until the auctions' watermark caught up, a backlog growing with the length of the run.
 */
class NexmarkSplitReader extends IndexedSplitReader {
  constructor(
    split: GeneratorSplit,
    sequence: IndexSequence,
    range: IndexRange,
    makeRow: RowMaker,
    limiter: RateLimiter | undefined,
    position: SplitPosition | undefined,
    /** The table's share of the events. */
    private readonly share: number,
  ) {
    super(split, sequence, range, makeRow, limiter, position);
  }

  override readSync(maxRows: number): ReadResult {
    return super.readSync(Math.max(1, Math.round(maxRows * this.share)));
  }
}

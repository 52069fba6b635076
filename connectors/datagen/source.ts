import type { StreamSchema } from '../../compiler/graph/job-graph.js';
import { IndexedSplitReader, IDENTITY_SEQUENCE, generatorSplits, type GeneratorSplit } from '../../runtime/connectors/generators/indexed-split.js';
import { Prng } from '../../runtime/connectors/generators/prng.js';
import { RateLimiter } from '../../runtime/connectors/generators/rate-limiter.js';
import type { ConnectorOptions } from '../../runtime/connectors/options.js';
import { systemClock, type SourceConnector, type SourceContext, type SplitPosition } from '../../runtime/connectors/source-connector.js';
import { fieldGenerator } from './field-generators.js';

/**
 * The `datagen` source: row r's columns are drawn from a generator seeded with (r, column), so any row can be
 * produced by any split after any restore with the same values. Rows [0, `number-of-rows`), further bounded by
 * the shortest sequence column; unbounded when neither applies. `rows-per-second` paces the whole source.
 */
export function createDatagenSource(options: ConnectorOptions, schema: StreamSchema, context: SourceContext): SourceConnector {
  const generators = schema.fields.map((field) => fieldGenerator(field, options));
  const rows = Math.min(options.has('number-of-rows') ? options.count('number-of-rows') : Infinity, ...generators.map((g) => g.rows));
  const rowsPerSecond = options.number('rows-per-second', 0);
  const clock = context.clock ?? systemClock;
  const prng = new Prng();
  const count = generators.length;
  const makeRow = (r: number): unknown[] => {
    const row = new Array<unknown>(count);
    for (let c = 0; c < count; c++) {
      const generator = generators[c]!;
      prng.seed(r, c + 1);
      row[c] = generator.nullRate > 0 && prng.nextDouble() < generator.nullRate ? null : generator.value(r, prng);
    }
    return row;
  };
  const splits = generatorSplits('datagen', context.parallelism);
  const range = { firstIndex: 0, endIndex: rows };
  return {
    bounded: rows !== Infinity,
    enumerateSplits: () => Promise.resolve(splits),
    createReader(split, position?: SplitPosition) {
      const limiter = rowsPerSecond > 0 ? new RateLimiter(rowsPerSecond / (split as GeneratorSplit).splits, clock) : undefined;
      return new IndexedSplitReader(split as GeneratorSplit, IDENTITY_SEQUENCE, range, makeRow, limiter, position);
    },
  };
}

import { readFileSync, readdirSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compile } from '../../compiler/compile.js';

const examples = readdirSync('examples/nexmark').map((f) => readFileSync(`examples/nexmark/${f}`, 'utf8'));

/** Fragments that make mutated programs reach the planner in unusual shapes rather than fail to parse. */
const FRAGMENTS = [
  '|> WHERE price > 1', '|> SELECT *', '|> WINDOW TUMBLE(date_time, INTERVAL \'1\' SECOND)', 'window_start', 'window_end',
  '|> AGGREGATE COUNT(*) AS n GROUP BY window_start, window_end', 'UID \'x\'', 'LEFT JOIN bid AS z ON', 'AND', '=',
  '|> UNION ALL bid', '|> DEDUPLICATE BY auction KEEP LAST', 'SESSION', 'HOP', ';', 'FROM', 'bid', 'a.', 'NULL', '0',
];

const mutation = fc.record({
  example: fc.integer({ min: 0, max: examples.length - 1 }),
  at: fc.nat(),
  cut: fc.nat({ max: 30 }),
  insert: fc.oneof(fc.constantFrom(...FRAGMENTS), fc.string({ maxLength: 8 })),
});

describe('compile on mutated programs', () => {
  it('never throws, and every diagnostic lies within the text', () => {
    fc.assert(
      fc.property(mutation, ({ example, at, cut, insert }) => {
        const source = examples[example]!;
        const position = at % (source.length + 1);
        const text = `${source.slice(0, position)} ${insert} ${source.slice(position + cut)}`;
        const result = compile(text, { file: 'mutated.pipe' });
        for (const d of result.diagnostics) {
          expect(d.span.offset).toBeGreaterThanOrEqual(0);
          expect(d.span.offset + d.span.length).toBeLessThanOrEqual(text.length);
        }
        expect(result.value === undefined).toBe(result.diagnostics.some((d) => d.severity === 'error'));
      }),
      { numRuns: 300 },
    );
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse } from '../../grammar/parse.js';
import { pipeLexer } from '../../grammar/tokens.js';
import { corpus } from './corpus.js';

/** Parsing must not throw, and every position it reports must lie inside the text. */
function checkParse(text: string): void {
  const { value, diagnostics } = parse(text);
  for (const { span } of diagnostics) {
    expect(span.offset).toBeGreaterThanOrEqual(0);
    expect(span.length).toBeGreaterThanOrEqual(0);
    expect(span.offset + span.length).toBeLessThanOrEqual(text.length);
  }
  for (const { span } of value.statements) {
    expect(span.offset).toBeGreaterThanOrEqual(0);
    expect(span.offset + span.length).toBeLessThanOrEqual(text.length);
  }
}

const corpusTokens = corpus.map((text) => pipeLexer.tokenize(text).tokens.map((t) => t.image));

type Mutation = (tokens: string[], at: number, other: number) => string[];

const mutations: readonly Mutation[] = [
  (tokens, at) => tokens.toSpliced(at, 1),
  (tokens, at) => tokens.toSpliced(at, 0, tokens[at] ?? ''),
  (tokens, at, other) => {
    const swapped = [...tokens];
    [swapped[at], swapped[other]] = [tokens[other] ?? '', tokens[at] ?? ''];
    return swapped;
  },
  (tokens, at, other) => tokens.toSpliced(at, 0, tokens[other] ?? ''),
  (tokens, at) => tokens.slice(0, at),
];

/** A valid program with a few tokens deleted, duplicated, swapped, copied elsewhere or cut off. */
const mutatedProgram = fc
  .tuple(
    fc.constantFrom(...corpusTokens),
    fc.array(fc.tuple(fc.constantFrom(...mutations), fc.nat(), fc.nat()), { minLength: 1, maxLength: 4 }),
  )
  .map(([tokens, edits]) =>
    edits
      .reduce((current, [mutate, at, other]) => mutate(current, at % Math.max(current.length, 1), other % Math.max(current.length, 1)), tokens)
      .join(' '),
  );

const fragments = [
  'SET', 'CREATE', 'SOURCE', 'SINK', 'VIEW', 'INSERT', 'INTO', 'FROM', '|>', 'WHERE', 'SELECT', 'WINDOW', 'TUMBLE', '(', ')',
  ',', ';', "'", '`', '--', '/*', '*/', 'AS', 'UID', "'x'", 'a', '1', '.', '*', 'AND', 'BETWEEN', 'CASE', 'WHEN', 'END',
  'INTERVAL', 'TIMESTAMP', 'NOT', 'NULL', 'IS', 'IN', 'JOIN', 'ON', 'LEFT', '\n', ' ', '#', 'é', '\t', '=', '<>', '||',
];

describe('the parser never throws and reports positions inside the text', () => {
  it('on mutated valid programs', () => {
    fc.assert(fc.property(mutatedProgram, checkParse), { numRuns: 250 });
  });

  it('on random token soup', () => {
    fc.assert(fc.property(fc.array(fc.constantFrom(...fragments), { maxLength: 60 }).map((parts) => parts.join(' ')), checkParse), { numRuns: 250 });
  });

  it('on random strings', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 80 }), checkParse), { numRuns: 200 });
  });

  it('on every prefix of a valid program', () => {
    const text = corpus[3] ?? '';
    for (let end = 0; end <= text.length; end += 7) checkParse(text.slice(0, end));
  });
});

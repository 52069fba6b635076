import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Expr } from '../../grammar/ast/index.js';
import { parse } from '../../grammar/parse.js';
import { printExpr, printScript } from '../../grammar/print.js';
import { corpus } from './corpus.js';
import { parseClean, parseExpr, withoutSpans } from './support.js';

const examplesDir = new URL('../../examples/', import.meta.url);
const examples = readdirSync(examplesDir, { recursive: true, encoding: 'utf8' })
  .filter((file) => file.endsWith('.pipe'))
  .map((file) => [file, readFileSync(new URL(file, examplesDir), 'utf8')] as const);

function expectRoundTrip(text: string): void {
  const printed = printScript(parse(text).value);
  expect(withoutSpans(parseClean(printed))).toEqual(withoutSpans(parseClean(text)));
  // Printing is canonical: printing the reparsed text gives the same text.
  expect(printScript(parse(printed).value)).toBe(printed);
}

describe('parse → print → parse', () => {
  it.each(corpus.map((text, i) => [i, text] as const))('corpus program %i keeps its AST', (_, text) => expectRoundTrip(text));

  it.each(examples)('examples/%s keeps its AST', (_, text) => expectRoundTrip(text));

  it('prints the canonical layout', () => {
    const text = `set 'a'='it''s'; create source s (x int not null, \`t s\` timestamp(3), watermark for \`t s\` as \`t s\`) with ('k'='v') uid 'src';
      create sink o with ();
      insert into o from s as q |> left outer join r on q.x=r.x uid 'j' |> where x<>1 and (y or z) |> select q.*, -(-x) as \`select\`;`;
    expect(printScript(parse(text).value)).toMatchInlineSnapshot(`
      "SET 'a' = 'it''s';

      CREATE SOURCE s (
        x INT NOT NULL,
        \`t s\` TIMESTAMP(3),
        WATERMARK FOR \`t s\` AS \`t s\`
      ) WITH (
        'k' = 'v'
      ) UID 'src';

      CREATE SINK o WITH ();

      INSERT INTO o
      FROM s AS q
      |> LEFT JOIN r ON q.x = r.x UID 'j'
      |> WHERE x <> 1 AND (y OR z)
      |> SELECT q.*, -(-x) AS \`select\`;
      "
    `);
  });
});

/** Random expression trees, built only from forms whose printed text reparses to the same tree. */
const span = { offset: 0, length: 0 };
const identifier = fc
  .constantFrom('a', 'b', 'first', 'timestamp', 'select', 'x y', 'window_start')
  .map((name) => ({ kind: 'Identifier', name, quoted: name === 'select' || name === 'x y', span }) as const);
const optional = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: undefined });
const binaryOperators = ['+', '-', '*', '/', '%', '=', '<>', '<', '<=', '>', '>=', 'AND', 'OR', '||'] as const;
const types = [{ name: 'BIGINT', params: [] }, { name: 'DECIMAL', params: [10, 2] }];

const exprArbitrary: fc.Arbitrary<Expr> = fc.letrec<{ expr: Expr }>((tie) => {
  const expr = tie('expr');
  const leaves: fc.Arbitrary<Expr>[] = [
    fc.constantFrom('0', '1.5', '2e3').map((text) => ({ kind: 'NumberLiteral', text, span })),
    fc.string({ maxLength: 4 }).map((value) => ({ kind: 'StringLiteral', value, span })),
    fc.boolean().map((value) => ({ kind: 'BooleanLiteral', value, span })),
    fc.constant({ kind: 'NullLiteral', span }),
    fc.constantFrom('SECOND', 'DAY').map((unit) => ({ kind: 'IntervalLiteral', value: '1', unit, span })),
    fc.tuple(optional(identifier), identifier).map(([qualifier, name]) => ({ kind: 'ColumnRef', ...(qualifier && { qualifier }), name, span })),
  ];
  const nodes: fc.Arbitrary<Expr>[] = [
    fc.tuple(fc.constantFrom('-', '+', 'NOT'), expr).map(([operator, operand]) => ({ kind: 'UnaryExpr', operator, operand, span })),
    fc.tuple(fc.constantFrom(...binaryOperators), expr, expr)
      .map(([operator, left, right]) => ({ kind: 'BinaryExpr', operator, left, right, operatorSpan: span, span })),
    fc.tuple(expr, fc.boolean()).map(([operand, negated]) => ({ kind: 'IsNullExpr', operand, negated, span })),
    fc.tuple(expr, expr, expr, fc.boolean())
      .map(([operand, low, high, negated]) => ({ kind: 'BetweenExpr', operand, low, high, negated, span })),
    fc.tuple(expr, fc.array(expr, { minLength: 1, maxLength: 3 }), fc.boolean())
      .map(([operand, list, negated]) => ({ kind: 'InExpr', operand, list, negated, span })),
    fc.tuple(expr, expr, fc.boolean()).map(([operand, pattern, negated]) => ({ kind: 'LikeExpr', operand, pattern, negated, span })),
    fc.tuple(optional(expr), fc.array(fc.record({ when: expr, then: expr }), { minLength: 1, maxLength: 2 }), optional(expr))
      .map(([operand, whens, otherwise]) => ({ kind: 'CaseExpr', ...(operand && { operand }), whens, ...(otherwise && { else: otherwise }), span })),
    fc.tuple(expr, fc.constantFrom(...types))
      .map(([operand, type]) => ({ kind: 'CastExpr', operand, type: { kind: 'TypeRef', ...type, span }, span })),
    fc.tuple(identifier, fc.array(expr, { maxLength: 3 }), fc.boolean())
      .map(([name, args, distinct]) => ({ kind: 'FunctionCall', name, args, distinct: distinct && args.length > 0, star: false, span })),
  ];
  return { expr: fc.oneof({ depthSize: 'small', withCrossShrink: true }, ...leaves, ...nodes) };
}).expr;

describe('printing expressions', () => {
  it('parenthesises exactly enough for any tree to reparse to itself', () => {
    fc.assert(
      fc.property(exprArbitrary, (expr) => {
        expect(withoutSpans(parseExpr(printExpr(expr)))).toEqual(withoutSpans(expr));
      }),
      { numRuns: 300 },
    );
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BinaryOperator, Expr } from '../../grammar/ast/index.js';
import { DiagnosticBag } from '../../compiler/diagnostics/diagnostic.js';
import { checkExpr } from '../../compiler/expressions/check-expr.js';
import { Scope } from '../../compiler/expressions/scope.js';
import type { TypedExpr } from '../../compiler/expressions/typed-expr.js';
import type { Field, SqlType } from '../../compiler/types/sql-type.js';
import { compileExpr, ExpressionError } from '../../runtime/expressions/compile-expr.js';
import { FIELDS } from './expr-harness.js';

/**
 * Random expressions over FIELDS, mostly ill-typed: the checker must never throw, and whatever it accepts
 * must compile and evaluate to values of the type and nullability it declared (or fail with an ExpressionError).
 */
const span = { offset: 0, length: 1 };
const id = (name: string) => ({ kind: 'Identifier' as const, name, quoted: false, span });

const leaf: fc.Arbitrary<Expr> = fc.oneof(
  fc.constantFrom(...FIELDS.map((f) => f.name)).map((name): Expr => ({ kind: 'ColumnRef', name: id(name), span })),
  fc.constantFrom('0', '1', '7', '2147483647', '3000000000', '2.50', '0.001', '1e3').map((text): Expr => ({ kind: 'NumberLiteral', text, span })),
  fc.constantFrom('', 'a', 'hello', '42', '2024-01-31 12:00:00', 'true').map((value): Expr => ({ kind: 'StringLiteral', value, span })),
  fc.boolean().map((value): Expr => ({ kind: 'BooleanLiteral', value, span })),
  fc.constant<Expr>({ kind: 'NullLiteral', span }),
  fc.constant<Expr>({ kind: 'IntervalLiteral', value: '90', unit: 'SECOND', span }),
);

const BINARY: readonly BinaryOperator[] = ['+', '-', '*', '/', '%', '=', '<>', '<', '<=', '>', '>=', 'AND', 'OR', '||'];
const FUNCTIONS = ['UPPER', 'CHAR_LENGTH', 'SUBSTRING', 'CONCAT', 'ABS', 'ROUND', 'CEIL', 'MOD', 'COALESCE', 'NULLIF', 'IF', 'GREATEST', 'HOUR', 'DATE_FORMAT', 'SPLIT_INDEX', 'LPAD'];
const TYPES: readonly (readonly [string, ...number[]])[] = [['INT'], ['BIGINT'], ['DOUBLE'], ['DECIMAL', 6, 2], ['STRING'], ['BOOLEAN'], ['TIMESTAMP', 3]];

const { expr } = fc.letrec<{ expr: Expr }>((tie) => {
  const sub = tie('expr');
  return {
    expr: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      leaf,
      fc.record({ operator: fc.constantFrom(...BINARY), left: sub, right: sub }).map((e): Expr => ({ kind: 'BinaryExpr', ...e, operatorSpan: span, span })),
      fc.record({ operator: fc.constantFrom('-' as const, 'NOT' as const), operand: sub }).map((e): Expr => ({ kind: 'UnaryExpr', ...e, span })),
      fc.record({ operand: sub, negated: fc.boolean() }).map((e): Expr => ({ kind: 'IsNullExpr', ...e, span })),
      fc.record({ operand: sub, low: sub, high: sub, negated: fc.boolean() }).map((e): Expr => ({ kind: 'BetweenExpr', ...e, span })),
      fc.record({ operand: sub, list: fc.array(sub, { minLength: 1, maxLength: 3 }), negated: fc.boolean() }).map((e): Expr => ({ kind: 'InExpr', ...e, span })),
      fc.record({ when: sub, then: sub, otherwise: sub }).map(({ when, then, otherwise }): Expr => ({ kind: 'CaseExpr', whens: [{ when, then }], else: otherwise, span })),
      fc.record({ operand: sub, type: fc.constantFrom(...TYPES) }).map(({ operand, type: [name, ...params] }): Expr => ({
        kind: 'CastExpr',
        operand,
        type: { kind: 'TypeRef', name, params, span },
        span,
      })),
      fc.record({ name: fc.constantFrom(...FUNCTIONS), args: fc.array(sub, { minLength: 1, maxLength: 3 }) }).map(
        ({ name, args }): Expr => ({ kind: 'FunctionCall', name: id(name), args, distinct: false, star: false, span }),
      ),
    ),
  };
});

function valueOf(field: Field): fc.Arbitrary<unknown> {
  const value = ((): fc.Arbitrary<unknown> => {
    switch (field.type.name) {
      case 'INT':
        return fc.integer();
      case 'BIGINT':
        return fc.integer({ min: -1e6, max: 1e6 });
      case 'DECIMAL':
        return fc.integer({ min: -1e6, max: 1e6 }).map((n) => n / 100);
      case 'DOUBLE':
        return fc.double({ noNaN: true, min: -1e6, max: 1e6 });
      case 'STRING':
        return fc.string({ maxLength: 6 });
      case 'BOOLEAN':
        return fc.boolean();
      default:
        return fc.integer({ min: -2e12, max: 4e12 });
    }
  })();
  return field.nullable ? fc.option(value, { nil: null }) : value;
}

function conforms(value: unknown, type: SqlType): boolean {
  switch (type.name) {
    case 'INT':
      return Number.isInteger(value) && (value as number) === ((value as number) | 0);
    case 'BIGINT':
      return Number.isInteger(value);
    case 'DECIMAL': {
      const scaled = (value as number) * 10 ** type.scale;
      return Number.isFinite(value) && Math.abs(scaled - Math.round(scaled)) <= 1e-6 * Math.max(1, Math.abs(scaled));
    }
    case 'DOUBLE':
    case 'TIMESTAMP':
    case 'INTERVAL':
      return typeof value === 'number';
    case 'STRING':
      return typeof value === 'string';
    case 'BOOLEAN':
      return typeof value === 'boolean';
    case 'NULL':
      return false;
  }
}

describe('typing soundness', () => {
  it('never throws while checking, and accepted expressions evaluate to their declared type', () => {
    const scope = Scope.fromFields(FIELDS);
    const rows = fc.tuple(...FIELDS.map(valueOf));
    fc.assert(
      fc.property(expr, fc.array(rows, { minLength: 1, maxLength: 5 }), (ast, inputs) => {
        const bag = new DiagnosticBag('t.pipe');
        const typed: TypedExpr | undefined = checkExpr(ast, scope, { bag, udfs: new Map() });
        expect(typed === undefined).toBe(bag.hasErrors);
        if (typed === undefined) return;
        const evaluate = compileExpr(typed);
        for (const input of inputs) {
          let value: unknown;
          try {
            value = evaluate(input);
          } catch (error) {
            if (error instanceof ExpressionError) continue;
            throw error;
          }
          if (value === null) expect(typed.nullable).toBe(true);
          else expect(conforms(value, typed.type), `${JSON.stringify(value)} is not ${JSON.stringify(typed.type)}`).toBe(true);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

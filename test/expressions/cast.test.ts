import { describe, expect, it } from 'vitest';
import { DiagnosticBag } from '../../compiler/diagnostics/diagnostic.js';
import { checkExpr } from '../../compiler/expressions/check-expr.js';
import { Scope } from '../../compiler/expressions/scope.js';
import type { CastExpr } from '../../grammar/ast/index.js';
import { typeToString } from '../../compiler/types/sql-type.js';
import { compileExpr, ExpressionError } from '../../runtime/expressions/compile-expr.js';
import { FIELDS, diagnosticOf, evaluate, parseExpr, row, typed } from './expr-harness.js';

describe('CAST', () => {
  it.each([
    ["CAST('42' AS INT)", 42],
    ["CAST(' -42 ' AS BIGINT)", -42],
    ["CAST('1.255' AS DECIMAL(5, 2))", 1.26],
    ["CAST('1e3' AS DOUBLE)", 1000],
    ["CAST('yes' AS BOOLEAN)", true],
    ["CAST('FALSE' AS BOOLEAN)", false],
    ["CAST('2024-01-31 12:00:00' AS TIMESTAMP(3))", Date.UTC(2024, 0, 31, 12)],
    ['CAST(x AS INT)', 2],
    ['CAST(-2.9 AS INT)', -2],
    ['CAST(d AS BIGINT)', 12],
    ['CAST(i AS DECIMAL(5, 1))', 7],
    ['CAST(d AS DECIMAL(10, 1))', 12.5],
    ['CAST(12.45 AS DECIMAL(4, 1))', 12.5],
    ['CAST(i AS DOUBLE)', 7],
    ['CAST(flag AS INT)', 1],
    ['CAST(0 AS BOOLEAN)', false],
    ['CAST(i AS STRING)', '7'],
    ['CAST(d AS STRING)', '12.50'],
    ['CAST(x AS STRING)', '2.5'],
    ['CAST(1e0 AS STRING)', '1.0'],
    ['CAST(1e10 AS STRING)', '1.0E10'],
    ['CAST(flag AS STRING)', 'TRUE'],
    ['CAST(ts AS STRING)', '2024-01-31 13:45:30.250'],
    ["CAST(s AS VARCHAR(10))", 'hello'],
    ['CAST(NULL AS INT)', null],
    ['CAST(n_s AS INT)', null],
  ])('%s = %s', (text, value) => {
    expect(evaluate(text)).toEqual(value);
  });

  it('has the target type and keeps the operand nullability', () => {
    expect(typed('CAST(i AS BIGINT)')).toMatchObject({ op: 'call', fn: 'CAST', type: { name: 'BIGINT' }, nullable: false });
    expect(typed('CAST(n_s AS INT)').nullable).toBe(true);
    expect(typeToString(typed('CAST(NULL AS DECIMAL(6, 3))').type)).toBe('DECIMAL(6, 3)');
  });

  it.each([
    ["CAST(s AS INT)", 'cannot convert the value to INT in CAST(s AS INT): "hello"'],
    ["CAST('99999999999' AS INT)", 'cannot convert the value to INT'],
    ['CAST(d AS DECIMAL(2, 1))', 'cannot convert the value to DECIMAL(2, 1)'],
    ["CAST('maybe' AS BOOLEAN)", 'cannot convert the value to BOOLEAN'],
    ["CAST('2024-13-01' AS TIMESTAMP(3))", 'cannot convert the value to TIMESTAMP(3)'],
  ])('%s fails the job', (text, message) => {
    expect(() => evaluate(text)).toThrow(ExpressionError);
    expect(() => evaluate(text)).toThrow(message);
  });

  it.each([
    ['CAST(ts AS BIGINT)', 'UNIX_TIMESTAMP'],
    ['CAST(i AS TIMESTAMP(3))', 'TO_TIMESTAMP_LTZ'],
    ["CAST(INTERVAL '1' SECOND AS STRING)", 'INTERVAL literal'],
  ])('%s is refused at compile time', (text, help) => {
    const d = diagnosticOf(text);
    expect(d).toMatchObject({ code: 'SLC3021', blamed: text });
    expect(d.help).toContain(help);
  });

  it('reports an unknown target type at the type', () => {
    expect(diagnosticOf('CAST(i AS TEXT)')).toMatchObject({ code: 'SLC3010', blamed: 'TEXT' });
  });
});

/** TRY_CAST as the parser marks it on a CastExpr (`try: true`). */
function tryCast(text: string): CastExpr {
  const cast = parseExpr(text);
  if (cast.kind !== 'CastExpr') throw new Error('not a CAST');
  return { ...cast, try: true };
}

describe('TRY_CAST', () => {
  const scope = Scope.fromFields(FIELDS);
  const check = (text: string) => checkExpr(tryCast(text), scope, { bag: new DiagnosticBag('t.pipe'), udfs: new Map() })!;

  it('gives NULL where CAST fails, and is nullable only when the cast can fail', () => {
    const bad = check('CAST(s AS INT)');
    expect(bad).toMatchObject({ fn: 'TRY_CAST', nullable: true });
    expect(compileExpr(bad)(row())).toBeNull();
    expect(compileExpr(check("CAST('12' AS INT)"))(row())).toBe(12);
    expect(check('CAST(i AS BIGINT)').nullable).toBe(false);
    expect(check('CAST(i AS STRING)').nullable).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { typeToString } from '../../compiler/types/sql-type.js';
import { ExpressionError } from '../../runtime/expressions/compile-expr.js';
import { diagnosticOf, evaluate, row, typed } from './expr-harness.js';

describe('result types of arithmetic', () => {
  it.each([
    ['i + i', 'INT'],
    ['i + b', 'BIGINT'],
    ['i * x', 'DOUBLE'],
    ['i / i', 'INT'],
    ['b % i', 'BIGINT'],
    ['d + d', 'DECIMAL(11, 2)'],
    ['d + i', 'DECIMAL(13, 2)'],
    ['d * d', 'DECIMAL(20, 4)'],
    ['d / d', 'DECIMAL(23, 13)'],
    ['d % i', 'DECIMAL(10, 2)'],
    ['d + x', 'DOUBLE'],
    ['-d', 'DECIMAL(10, 2)'],
    ["ts + INTERVAL '1' HOUR", 'TIMESTAMP(3)'],
    ["INTERVAL '1' HOUR + ts", 'TIMESTAMP(3)'],
    ["ts - INTERVAL '1' HOUR", 'TIMESTAMP(3)'],
    ['ts - ts', 'INTERVAL'],
    ["INTERVAL '1' HOUR * 2", 'INTERVAL'],
    ["INTERVAL '1' HOUR / 4", 'INTERVAL'],
    ['i + NULL', 'INT'],
  ])('%s is %s', (text, type) => {
    expect(typeToString(typed(text).type)).toBe(type);
  });

  it('tracks nullability: NULL anywhere in the operands makes the result nullable', () => {
    expect(typed('i + 1').nullable).toBe(false);
    expect(typed('i + n_i').nullable).toBe(true);
    expect(typed('i + NULL').nullable).toBe(true);
  });

  it('keeps at least 6 fractional digits when a DECIMAL result exceeds 38 digits', () => {
    const wide = { fields: [{ name: 'w', type: { name: 'DECIMAL' as const, precision: 30, scale: 10 }, nullable: false }] };
    expect(typeToString(typed('w * w', wide).type)).toBe('DECIMAL(38, 6)');
  });
});

describe('evaluation of arithmetic', () => {
  it.each([
    ['i + 3', 10],
    ['i - 10', -3],
    ['i * 3', 21],
    ['i / 2', 3],
    ['-i / 2', -3],
    ['i % 4', 3],
    ['-i % 4', -3],
    ['MOD(i, 4)', 3],
    ['b / 3', 3333333333],
    ['b % 3', 1],
    ['x / 2', 1.25],
    ['x % 1', 0.5],
    ['d / 4', 3.125],
    ['d * 1.1', 13.75],
    ['0.1 + 0.2', 0.3],
    ['1.005 * 1', 1.005],
    ['-d', -12.5],
    ['+i', 7],
    ["ts - INTERVAL '1' HOUR", Date.UTC(2024, 0, 31, 12, 45, 30, 250)],
    ["ts - TIMESTAMP '2024-01-31 13:45:30'", 250],
    ["INTERVAL '1' SECOND * 1.5", 1500],
  ])('%s = %s', (text, value) => {
    expect(evaluate(text)).toBe(value);
  });

  it('rounds DECIMAL results to their scale, half away from zero', () => {
    expect(typeToString(typed('d / 3').type)).toBe('DECIMAL(21, 13)');
    expect(evaluate('d / 3')).toBe(4.1666666666667);
    expect(evaluate('CAST(2.675 AS DECIMAL(4, 2))')).toBe(2.68);
    expect(evaluate('CAST(-2.675 AS DECIMAL(4, 2))')).toBe(-2.68);
  });

  it('wraps INT overflow at 32 bits, as Flink (Java) does', () => {
    expect(evaluate('i + 2147483647')).toBe(-2147483642);
    expect(evaluate('i * 1000000000')).toBe(Math.imul(7, 1_000_000_000));
  });

  it('propagates NULL', () => {
    expect(evaluate('n_i + 1')).toBeNull();
    expect(evaluate('n_i / 0')).toBeNull();
    expect(evaluate('-n_i')).toBeNull();
    expect(evaluate('i + NULL')).toBeNull();
  });

  it('fails integer and DECIMAL division by zero with the expression in the message', () => {
    expect(() => evaluate('i / (i - 7)')).toThrow(new ExpressionError('division by zero in i / (i - 7)', 'i / (i - 7)'));
    expect(() => evaluate('i % 0')).toThrow(/division by zero in i % 0/);
    expect(() => evaluate('d / 0')).toThrow(ExpressionError);
    expect(() => evaluate('b / 0')).toThrow(ExpressionError);
  });

  it('gives Infinity and NaN for DOUBLE division by zero', () => {
    expect(evaluate('x / 0')).toBe(Infinity);
    expect(evaluate('x % 0')).toBeNaN();
  });

  it('reads column values from the row', () => {
    expect(evaluate('i * b', row({ i: 3, b: 5 }))).toBe(15);
  });
});

describe('arithmetic type errors', () => {
  it('blames the operator and names both types', () => {
    const d = diagnosticOf("i + 'a'");
    expect(d).toMatchObject({ code: 'SLC3004', blamed: '+', message: "operator '+' cannot be applied to INT and STRING" });
    expect(d.help).toContain('CAST');
  });

  it('refuses timestamp + timestamp', () => {
    expect(diagnosticOf('ts + ts')).toMatchObject({ code: 'SLC3004', blamed: '+' });
  });

  it('refuses arithmetic on two untyped NULLs', () => {
    expect(diagnosticOf('NULL + NULL')).toMatchObject({ code: 'SLC3020' });
  });

  it('blames the operand of a unary minus', () => {
    expect(diagnosticOf("-'a'")).toMatchObject({ code: 'SLC3005', blamed: "'a'" });
  });
});

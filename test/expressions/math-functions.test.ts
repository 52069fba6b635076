import { describe, expect, it } from 'vitest';
import { typeToString } from '../../compiler/types/sql-type.js';
import { diagnosticOf, evaluate, typed } from './expr-harness.js';

describe('math functions', () => {
  it.each([
    ['ABS(-i)', 7],
    ['ABS(-2.5)', 2.5],
    ['CEIL(x)', 3],
    ['CEILING(-2.5)', -2],
    ['FLOOR(x)', 2],
    ['FLOOR(-2.5)', -3],
    ['FLOOR(i)', 7],
    ['ROUND(x)', 3],
    ['ROUND(-2.5)', -3],
    ['ROUND(1.005, 2)', 1.01],
    ['ROUND(3.14159e0, 3)', 3.142],
    ['ROUND(1234, -2)', 1200],
    ['ROUND(d, 0)', 13],
    ['SIGN(-x)', -1],
    ['SIGN(0)', 0],
    ['POWER(2, 10)', 1024],
    ['POW(x, 2)', 6.25],
    ['SQRT(16)', 4],
    ['LN(1)', 0],
    ['LOG10(1000)', 3],
    ['LOG2(8)', 3],
    ['LOG(2, 8)', 3],
    ['EXP(0)', 1],
    ['MOD(-7, 3)', -1],
  ])('%s = %s', (text, value) => {
    expect(evaluate(text)).toBeCloseTo(value, 12);
  });

  it('keeps NULL results NULL', () => {
    expect(evaluate('SQRT(n_i)')).toBeNull();
    expect(evaluate('MOD(n_i, 3)')).toBeNull();
    expect(evaluate('ABS(n_i)')).toBeNull();
    expect(evaluate('SQRT(-1)')).toBeNaN();
    expect(evaluate('PI()')).toBe(Math.PI);
  });

  it.each([
    ['ABS(i)', 'INT'],
    ['ABS(d)', 'DECIMAL(10, 2)'],
    ['CEIL(d)', 'DECIMAL(9, 0)'],
    ['FLOOR(x)', 'DOUBLE'],
    ['ROUND(d, 1)', 'DECIMAL(10, 1)'],
    ['ROUND(d, 5)', 'DECIMAL(10, 2)'],
    ['ROUND(b, -1)', 'BIGINT'],
    ['POWER(i, 2)', 'DOUBLE'],
    ['MOD(b, i)', 'BIGINT'],
    ['SIGN(x)', 'DOUBLE'],
  ])('%s is %s', (text, type) => {
    expect(typeToString(typed(text).type)).toBe(type);
  });

  it('needs constant digits to round a DECIMAL', () => {
    expect(diagnosticOf('ROUND(d, i)')).toMatchObject({ code: 'SLC3025', blamed: 'i' });
  });

  it('refuses non-numbers', () => {
    expect(diagnosticOf('SQRT(s)')).toMatchObject({ code: 'SLC3008', blamed: 's' });
  });
});

import { describe, expect, it } from 'vitest';
import { typeToString } from '../../compiler/types/sql-type.js';
import { diagnosticOf, evaluate, row, typed } from './expr-harness.js';

describe('CASE', () => {
  it.each([
    ["CASE WHEN i > 5 THEN 'big' WHEN i > 2 THEN 'medium' ELSE 'small' END", 'big'],
    ["CASE WHEN i > 50 THEN 'big' WHEN i > 2 THEN 'medium' ELSE 'small' END", 'medium'],
    ["CASE WHEN i > 50 THEN 'big' END", null],
    ["CASE WHEN n_flag THEN 'yes' ELSE 'no or unknown' END", 'no or unknown'],
    ["CASE i WHEN 1 THEN 'one' WHEN 7 THEN 'seven' END", 'seven'],
    ["CASE n_i WHEN 1 THEN 'one' ELSE 'other' END", 'other'],
  ])('%s = %s', (text, value) => {
    expect(evaluate(text)).toBe(value);
  });

  it('has the common type of its branches and is nullable without ELSE', () => {
    expect(typeToString(typed('CASE WHEN flag THEN i ELSE d END').type)).toBe('DECIMAL(12, 2)');
    expect(typeToString(typed('CASE WHEN flag THEN 1 ELSE NULL END').type)).toBe('INT');
    expect(typed('CASE WHEN flag THEN 1 ELSE 2 END').nullable).toBe(false);
    expect(typed('CASE WHEN flag THEN 1 END').nullable).toBe(true);
    expect(typed('CASE WHEN flag THEN 1 ELSE n_i END').nullable).toBe(true);
  });

  it('stores the simple form as the searched form', () => {
    expect(typed("CASE i WHEN 1 THEN 'one' END")).toMatchObject({
      fn: 'CASE',
      args: [{ fn: '=', args: [{ op: 'column', name: 'i' }, { op: 'literal', value: 1 }] }, { value: 'one' }],
    });
  });

  it('evaluates only the branch it chooses', () => {
    expect(evaluate('CASE WHEN i = 0 THEN 0 ELSE 100 / i END', row({ i: 0 }))).toBe(0);
    expect(evaluate('CASE WHEN i <> 0 THEN 100 / i END', row({ i: 0 }))).toBeNull();
  });

  it('blames a branch without a common type', () => {
    const d = diagnosticOf("CASE WHEN flag THEN 1 WHEN i > 2 THEN 'two' END");
    expect(d).toMatchObject({ code: 'SLC3018', blamed: "'two'", message: 'the CASE branches have no common type: INT and STRING' });
  });

  it('blames a WHEN condition that is not BOOLEAN', () => {
    expect(diagnosticOf("CASE WHEN i THEN 'x' END")).toMatchObject({ code: 'SLC3009', blamed: 'i' });
  });

  it('blames a simple-CASE value that does not compare with the operand', () => {
    expect(diagnosticOf("CASE i WHEN 'one' THEN 1 END")).toMatchObject({ code: 'SLC3004', blamed: "'one'" });
  });
});

describe('conditional functions', () => {
  it.each([
    ['COALESCE(n_i, i)', 7],
    ['COALESCE(n_i, NULL, 3)', 3],
    ['COALESCE(n_i, n_i)', null],
    ['IFNULL(n_s, s)', 'hello'],
    ['IFNULL(s, n_s)', 'hello'],
    ['NULLIF(i, 7)', null],
    ['NULLIF(i, 8)', 7],
    ['NULLIF(i, n_i)', 7],
    ['NULLIF(n_i, 1)', null],
    ["IF(i > 5, 'big', 'small')", 'big'],
    ["IF(n_flag, 'yes', 'no')", 'no'],
    ['GREATEST(i, 3, 12)', 12],
    ['LEAST(i, 3, 12)', 3],
    ['GREATEST(i, n_i)', null],
    ["GREATEST('apple', s, 'banana')", 'hello'],
    ["LEAST('apple', s)", 'apple'],
    ['GREATEST(flag, FALSE)', true],
    ['LEAST(flag, FALSE)', false],
    ["GREATEST(ts, TIMESTAMP '2030-01-01 00:00:00')", Date.UTC(2030, 0, 1)],
  ])('%s = %s', (text, value) => {
    expect(evaluate(text)).toBe(value);
  });

  it('types COALESCE as not nullable once an argument is not', () => {
    expect(typed('COALESCE(n_i, i)')).toMatchObject({ type: { name: 'INT' }, nullable: false });
    expect(typed('COALESCE(n_i, n_i)').nullable).toBe(true);
    expect(typeToString(typed('COALESCE(n_i, b)').type)).toBe('BIGINT');
    expect(typed('NULLIF(i, 1)').nullable).toBe(true);
  });

  it('evaluates COALESCE fallbacks and IF branches lazily', () => {
    expect(evaluate('COALESCE(i, 1 / 0)')).toBe(7);
    expect(evaluate('IF(i = 0, 0, 1 / i)', row({ i: 0 }))).toBe(0);
  });

  it('reports arguments without a common type', () => {
    expect(diagnosticOf("COALESCE(n_i, 'x')")).toMatchObject({ code: 'SLC3018', blamed: "'x'" });
    expect(diagnosticOf("IF(i, 1, 2)")).toMatchObject({ code: 'SLC3008', blamed: 'i' });
  });
});

import { describe, expect, it } from 'vitest';
import { evaluateConstant } from '../../compiler/expressions/check-expr.js';
import { compileExpr, compilePredicate, compileProjection } from '../../runtime/expressions/compile-expr.js';
import { row, typed } from './expr-harness.js';

describe('compilePredicate', () => {
  it('keeps a row only when the condition is TRUE, not FALSE or NULL', () => {
    const predicate = compilePredicate(typed('n_i > 1'));
    expect(predicate(row({ n_i: 2 }))).toBe(true);
    expect(predicate(row({ n_i: 0 }))).toBe(false);
    expect(predicate(row({ n_i: null }))).toBe(false);
  });
});

describe('compileProjection', () => {
  it('computes the whole output row in one function', () => {
    const project = compileProjection([typed('s'), typed('i * 2'), typed('UPPER(n_s)'), typed("'constant'")]);
    expect(project(row({ s: 'a', i: 4 }))).toEqual(['a', 8, null, 'constant']);
    expect(project(row({ s: 'b', i: 5, n_s: 'x' }))).toEqual(['b', 10, 'X', 'constant']);
  });
});

describe('compileExpr', () => {
  it('generates straight-line code with the operators inlined rather than interpreting the tree', () => {
    const source = compileExpr(typed('i + 1 > 2 AND s IS NOT NULL')).toString();
    expect(source).toMatch(/row\[0\] \+ 1/);
    expect(source).not.toMatch(/args|\.op\b|switch/);
  });

  it('checks only nullable values for NULL', () => {
    expect(compileExpr(typed('i + 1')).toString()).not.toContain('null');
    expect(compileExpr(typed('n_i + 1')).toString()).toContain('row[7] == null');
  });

  it('gives the same results when reused across many rows', () => {
    const f = compileExpr(typed("CASE WHEN s LIKE 'a%' THEN i ELSE -i END"));
    const results = ['ab', 'ba', 'a', ''].map((s, i) => f(row({ s, i })));
    expect(results).toEqual([0, -1, 2, -3]);
  });
});

describe('evaluateConstant', () => {
  it('folds expressions that read no column', () => {
    expect(evaluateConstant(typed("INTERVAL '1' MINUTE * 2 + INTERVAL '30' SECOND"))).toBe(150_000);
    expect(evaluateConstant(typed("UPPER('a') || 'b'"))).toBe('Ab');
    expect(evaluateConstant(typed('NULL'))).toBeNull();
  });

  it('gives undefined for expressions reading columns and for failing ones', () => {
    expect(evaluateConstant(typed('i + 1'))).toBeUndefined();
    expect(evaluateConstant(typed('1 / 0'))).toBeUndefined();
  });
});

import { describe, expect, it } from 'vitest';
import { parseExpr, sexpr } from './support.js';

describe('operator precedence and associativity', () => {
  it.each([
    ['a OR b AND c', '(OR a (AND b c))'],
    ['a AND b OR c', '(OR (AND a b) c)'],
    ['NOT a AND b', '(AND (NOT a) b)'],
    ['NOT a = b', '(NOT (= a b))'],
    ['NOT NOT a', '(NOT (NOT a))'],
    ['a = b AND c < d', '(AND (= a b) (< c d))'],
    ['a + b = c * d', '(= (+ a b) (* c d))'],
    ["a || b = 'x'", "(= (|| a b) 'x')"],
    ['a + b || c', '(|| (+ a b) c)'],
    ['a - b - c', '(- (- a b) c)'],
    ['a / b * c', '(* (/ a b) c)'],
    ['a + b * c', '(+ a (* b c))'],
    ['(a + b) * c', '(* (+ a b) c)'],
    ['a * -b', '(* a (- b))'],
    ['- -a', '(- (- a))'],
    ['-a * b', '(* (- a) b)'],
    ['a OR b OR c', '(OR (OR a b) c)'],
    // BETWEEN takes the first AND; the second joins the conjunction.
    ['x BETWEEN 1 AND 2 AND y', '(AND (BETWEEN x 1 2) y)'],
    ['x BETWEEN a - 1 AND a + 1', '(BETWEEN x (- a 1) (+ a 1))'],
    ["b.ts BETWEEN a.ts - INTERVAL '1' HOUR AND a.ts", "(BETWEEN b.ts (- a.ts (INTERVAL '1' HOUR)) a.ts)"],
    ['a + 1 IS NULL', '(IS-NULL (+ a 1))'],
    ['NOT x IS NULL', '(NOT (IS-NULL x))'],
    ['a IN (1, 2) OR b', '(OR (IN a 1 2) b)'],
    ["a || 'x' LIKE p || '%'", "(LIKE (|| a 'x') (|| p '%'))"],
    ['a = b = c', '(= (= a b) c)'],
    ['x IS NULL = TRUE', '(= (IS-NULL x) TRUE)'],
  ])('%s', (text, expected) => {
    expect(sexpr(parseExpr(text))).toBe(expected);
  });
});

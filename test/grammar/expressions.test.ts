import { describe, expect, it } from 'vitest';
import { printExpr } from '../../grammar/print.js';
import { parseExpr, sexpr, withoutSpans } from './support.js';

describe('expression forms', () => {
  it.each([
    ['42', '42'],
    ['3.14', '3.14'],
    ['1e3', '1e3'],
    ['2.5E-3', '2.5E-3'],
    ['.5', '.5'],
    ["'it''s'", "'it's'"],
    ["''", "''"],
    ['TRUE', 'TRUE'],
    ['false', 'FALSE'],
    ['NULL', 'NULL'],
    ["INTERVAL '10' SECOND", "(INTERVAL '10' SECOND)"],
    ["interval '3' Minutes", "(INTERVAL '3' MINUTE)"],
    ["INTERVAL '500' MILLISECONDS", "(INTERVAL '500' MILLISECOND)"],
    ["INTERVAL '1' HOURS", "(INTERVAL '1' HOUR)"],
    ["INTERVAL '2' day", "(INTERVAL '2' DAY)"],
    ["TIMESTAMP '2024-01-01 00:00:00'", "(TIMESTAMP '2024-01-01 00:00:00')"],
    ['c', 'c'],
    ['t.c', 't.c'],
    ['f()', '(f)'],
    ['MOD(a, 2)', '(MOD a 2)'],
    ['UPPER(s)', '(UPPER s)'],
    ['COUNT(*)', '(COUNT *)'],
    ['count(DISTINCT x)', '(count DISTINCT x)'],
    ['CAST(x AS BIGINT)', '(CAST x BIGINT)'],
    ['CAST(x AS decimal(10, 2))', '(CAST x DECIMAL(10,2))'],
    ['CASE WHEN a THEN 1 END', '(CASE [a 1])'],
    ["CASE x WHEN 1 THEN 'a' WHEN 2 THEN 'b' ELSE 'c' END", "(CASE x [1 'a'] [2 'b'] 'c')"],
    ['x BETWEEN 1 AND 5', '(BETWEEN x 1 5)'],
    ['x NOT BETWEEN 1 AND 5', '(NOT-BETWEEN x 1 5)'],
    ['x IN (1, 2, 3)', '(IN x 1 2 3)'],
    ['x NOT IN (1)', '(NOT-IN x 1)'],
    ["s LIKE 'a%'", "(LIKE s 'a%')"],
    ["s NOT LIKE '_b'", "(NOT-LIKE s '_b')"],
    ['x IS NULL', '(IS-NULL x)'],
    ['x IS NOT NULL', '(IS-NOT-NULL x)'],
    ['-x', '(- x)'],
    ['+x', '(+ x)'],
    ['NOT x', '(NOT x)'],
    ["a || 'b'", "(|| a 'b')"],
    ['a != b', '(<> a b)'],
    ['a <> b', '(<> a b)'],
    ['a <= b', '(<= a b)'],
    ['a >= b', '(>= a b)'],
    ['a % b', '(% a b)'],
    ['(a)', 'a'],
  ])('%s', (text, expected) => {
    expect(sexpr(parseExpr(text))).toBe(expected);
  });

  it('keeps a number as written so the compiler can choose its type', () => {
    expect(parseExpr('007.50')).toMatchObject({ kind: 'NumberLiteral', text: '007.50' });
  });

  it('builds COUNT(*) and COUNT(DISTINCT x) as flagged function calls', () => {
    expect(withoutSpans(parseExpr('COUNT(*)'))).toEqual({
      kind: 'FunctionCall',
      name: { kind: 'Identifier', name: 'COUNT', quoted: false },
      args: [],
      distinct: false,
      star: true,
    });
    expect(withoutSpans(parseExpr('COUNT(DISTINCT x)'))).toMatchObject({ distinct: true, star: false, args: [{ kind: 'ColumnRef' }] });
  });

  it('reads back-quoted names with doubled back quotes', () => {
    expect(withoutSpans(parseExpr('`my col`.`a``b`'))).toEqual({
      kind: 'ColumnRef',
      qualifier: { kind: 'Identifier', name: 'my col', quoted: true },
      name: { kind: 'Identifier', name: 'a`b', quoted: true },
    });
  });

  it('keeps identifiers case-sensitive', () => {
    expect(parseExpr('dateTime')).toMatchObject({ name: { name: 'dateTime' } });
  });

  it('omits the operand of a searched CASE and a missing ELSE', () => {
    const expr = parseExpr('CASE WHEN a THEN 1 END');
    expect(expr).not.toHaveProperty('operand');
    expect(expr).not.toHaveProperty('else');
  });
});

describe('TRY_CAST', () => {
  it('parses like CAST with the try flag, and prints back', () => {
    const tryCast = parseExpr('TRY_CAST(a AS INT)');
    const cast = parseExpr('CAST(a AS INT)');
    expect(tryCast.kind === 'CastExpr' && tryCast.try).toBe(true);
    expect(cast.kind === 'CastExpr' && cast.try).toBeUndefined();
    expect(printExpr(tryCast)).toBe('TRY_CAST(a AS INT)');
  });
});

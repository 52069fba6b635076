import { describe, expect, it } from 'vitest';
import { STRING, type Field } from '../../compiler/types/sql-type.js';
import { diagnosticOf, evaluate, typed } from './expr-harness.js';

describe('string functions', () => {
  it.each([
    ['UPPER(s)', 'HELLO'],
    ["LOWER('MiXeD')", 'mixed'],
    ["TRIM('  a b  ')", 'a b'],
    ["LTRIM('  a  ')", 'a  '],
    ["RTRIM('  a  ')", '  a'],
    ["TRIM('\ta ')", '\ta'],
    ['CHAR_LENGTH(s)', 5],
    ["LENGTH('héllo')", 5],
    ["CHAR_LENGTH('a😀b')", 3],
    ['SUBSTRING(s, 2)', 'ello'],
    ['SUBSTRING(s, 2, 3)', 'ell'],
    ['SUBSTRING(s, 0, 2)', 'he'],
    ['SUBSTRING(s, -3)', 'llo'],
    ['SUBSTRING(s, 10)', ''],
    ["SUBSTRING('a😀bc', 2, 2)", '😀b'],
    ["SUBSTR('abc', 2)", 'bc'],
    ["CONCAT(s, ' ', 'world')", 'hello world'],
    ["CONCAT(s, n_s)", null],
    ["CONCAT_WS('-', 'a', n_s, 'b')", 'a-b'],
    ["CONCAT_WS(n_s, 'a', 'b')", null],
    ["s || '!'", 'hello!'],
    ["n_s || '!'", null],
    ["REPLACE('a-b-c', '-', '+')", 'a+b+c'],
    ["REPLACE('abc', '', 'x')", 'abc'],
    ["LOCATE('l', s)", 3],
    ["LOCATE('l', s, 4)", 4],
    ["LOCATE('z', s)", 0],
    ["LOCATE('b', '😀ab')", 3],
    ["SPLIT_INDEX('a,b,c', ',', 1)", 'b'],
    ["SPLIT_INDEX('a,b,c', ',', 3)", null],
    ["SPLIT_INDEX('a,b,c', ',', -1)", null],
    ["REGEXP_EXTRACT('order-123-x', '[0-9]+')", '123'],
    ["REGEXP_EXTRACT('k=v', '(\\w)=(\\w)', 2)", 'v'],
    ["REGEXP_EXTRACT('abc', '[0-9]+')", null],
    ["REGEXP_REPLACE('a1b22c', '[0-9]+', '#')", 'a#b#c'],
    ["REGEXP_REPLACE('john smith', '(\\w+) (\\w+)', '$2 $1')", 'smith john'],
    ["REGEXP(s, 'l+o$')", true],
    ["REGEXP(s, '^x')", false],
    ["INITCAP('hello wORLD-foo')", 'Hello World-Foo'],
    ["LPAD('7', 3, '0')", '007'],
    ["LPAD('hello', 3, '0')", 'hel'],
    ["RPAD('ab', 5, 'xy')", 'abxyx'],
    ["LPAD('a', -1, 'x')", null],
    ["RPAD('a', 3, '')", null],
    ["REVERSE('abc')", 'cba'],
    ["REVERSE('a😀b')", 'b😀a'],
    ["REPEAT('ab', 3)", 'ababab'],
    ["REPEAT('ab', -1)", ''],
    ['UPPER(n_s)', null],
  ])('%s = %s', (text, value) => {
    expect(evaluate(text)).toBe(value);
  });

  it('compiles a regex taken from a column once per pattern, and gives NULL for an invalid one', () => {
    const fields: readonly Field[] = [
      { name: 's', type: STRING, nullable: false },
      { name: 'p', type: STRING, nullable: false },
    ];
    expect(evaluate('REGEXP_EXTRACT(s, p)', ['abc123', '\\d+'], { fields })).toBe('123');
    expect(evaluate('REGEXP_EXTRACT(s, p)', ['abc123', '(unclosed'], { fields })).toBeNull();
    expect(typed('REGEXP(s, p)', { fields }).nullable).toBe(true);
    expect(typed("REGEXP(s, 'a')", { fields }).nullable).toBe(false);
  });

  it('marks results that can be NULL for non-NULL arguments as nullable', () => {
    expect(typed("SPLIT_INDEX(s, ',', 0)").nullable).toBe(true);
    expect(typed('UPPER(s)').nullable).toBe(false);
    expect(typed('UPPER(n_s)').nullable).toBe(true);
    expect(typed("CONCAT_WS(',', n_s)").nullable).toBe(false);
  });

  it('reports a literal regex that does not compile at the regex', () => {
    const d = diagnosticOf("REGEXP(s, '(a')");
    expect(d).toMatchObject({ code: 'SLC3022', blamed: "'(a'" });
  });

  it('reports a wrong argument type with the signature', () => {
    const d = diagnosticOf('UPPER(i)');
    expect(d).toMatchObject({ code: 'SLC3008', blamed: 'i', message: 'argument 1 of UPPER must be STRING, but it is INT' });
    expect(d.help).toContain('UPPER(s STRING) → STRING');
  });

  it('reports a wrong argument count with the signature', () => {
    const d = diagnosticOf('SUBSTRING(s)');
    expect(d).toMatchObject({ code: 'SLC3007', blamed: 'SUBSTRING(s)', message: 'SUBSTRING takes 2 or 3 arguments, but 1 is given' });
    expect(d.help).toContain('SUBSTRING(s STRING, start INT[, length INT])');
  });
});

import { describe, expect, it } from 'vitest';
import { BOOLEAN, STRING, type Field } from '../../compiler/types/sql-type.js';
import { diagnosticOf, evaluate, row, typed } from './expr-harness.js';

/** Two nullable booleans, for truth tables. */
const P_Q: readonly Field[] = [
  { name: 'p', type: BOOLEAN, nullable: true },
  { name: 'q', type: BOOLEAN, nullable: true },
];
const VALUES = [true, false, null] as const;

function and3(p: boolean | null, q: boolean | null): boolean | null {
  if (p === false || q === false) return false;
  return p === null || q === null ? null : true;
}

function or3(p: boolean | null, q: boolean | null): boolean | null {
  if (p === true || q === true) return true;
  return p === null || q === null ? null : false;
}

describe('three-valued logic', () => {
  for (const p of VALUES) {
    for (const q of VALUES) {
      it(`${p} AND ${q}, ${p} OR ${q}, NOT ${p}`, () => {
        expect(evaluate('p AND q', [p, q], { fields: P_Q })).toBe(and3(p, q));
        expect(evaluate('p OR q', [p, q], { fields: P_Q })).toBe(or3(p, q));
        expect(evaluate('NOT p', [p, q], { fields: P_Q })).toBe(p === null ? null : !p);
      });
    }
  }

  it('short-circuits: the right side is not evaluated when the left decides', () => {
    expect(evaluate('i <> 0 AND 1 / i > 0', row({ i: 0 }))).toBe(false);
    expect(evaluate('i = 0 OR 1 / i > 0', row({ i: 0 }))).toBe(true);
  });

  it('is not nullable when neither side is', () => {
    expect(typed('flag AND i > 1').nullable).toBe(false);
    expect(typed('flag AND n_flag').nullable).toBe(true);
  });

  it('requires BOOLEAN operands', () => {
    expect(diagnosticOf('flag AND i')).toMatchObject({ code: 'SLC3004', blamed: 'AND' });
    expect(diagnosticOf('NOT s')).toMatchObject({ code: 'SLC3005', blamed: 's' });
  });
});

describe('comparisons', () => {
  it.each([
    ['i = 7', true],
    ['i <> 7', false],
    ['i < b', true],
    ['i >= 7', true],
    ['i = 7.0', true],
    ['d > x', true],
    ["s = 'hello'", true],
    ["s < 'help'", true],
    ["'Z' < 'a'", true],
    ['flag > FALSE', true],
    ["ts < TIMESTAMP '2024-02-01 00:00:00'", true],
    ["INTERVAL '1' MINUTE > INTERVAL '59' SECOND", true],
  ])('%s is %s', (text, value) => {
    expect(evaluate(text)).toBe(value);
  });

  it('orders strings by code point, not by UTF-16 unit', () => {
    const fields: readonly Field[] = [
      { name: 'a', type: STRING, nullable: false },
      { name: 'z', type: STRING, nullable: false },
    ];
    // U+FF5E is below U+1F600 as code points, above its surrogates as UTF-16 units.
    expect(evaluate('a < z', ['\uFF5E', '\u{1F600}'], { fields })).toBe(true);
    expect(evaluate('a > z', ['\u{1F600}', '\uFF5E'], { fields })).toBe(true);
    expect(evaluate('a < z', ['ab', 'abc'], { fields })).toBe(true);
  });

  it('gives NULL for a NULL operand', () => {
    expect(evaluate('n_i = 1')).toBeNull();
    expect(evaluate('NULL = NULL')).toBeNull();
    expect(typed('n_i < 1').nullable).toBe(true);
  });

  it('refuses values of different kinds and suggests a CAST', () => {
    const d = diagnosticOf('s = 1');
    expect(d).toMatchObject({ code: 'SLC3004', blamed: '=', message: "operator '=' cannot be applied to STRING and INT" });
    expect(d.help).toContain('CAST');
    expect(diagnosticOf("ts > '2024-01-01'")).toMatchObject({ code: 'SLC3004', blamed: '>' });
  });
});

describe('IS NULL', () => {
  it('tests for NULL and is never NULL itself', () => {
    expect(evaluate('n_i IS NULL')).toBe(true);
    expect(evaluate('n_i IS NOT NULL')).toBe(false);
    expect(evaluate('n_i IS NULL', row({ n_i: 3 }))).toBe(false);
    expect(evaluate('i IS NULL')).toBe(false);
    expect(typed('n_i IS NULL').nullable).toBe(false);
  });
});

describe('BETWEEN', () => {
  it.each([
    ['i BETWEEN 1 AND 7', true],
    ['i BETWEEN 8 AND 10', false],
    ['i NOT BETWEEN 8 AND 10', true],
    ["s BETWEEN 'a' AND 'i'", true],
    ['i BETWEEN 8 AND n_i', false],
    ['i BETWEEN 1 AND n_i', null],
    ['i NOT BETWEEN 1 AND n_i', null],
    ['n_i BETWEEN 1 AND 2', null],
    ['x BETWEEN 2 AND 2.5', true],
  ])('%s is %s', (text, value) => {
    expect(evaluate(text)).toBe(value);
  });

  it('requires bounds comparable with the value', () => {
    expect(diagnosticOf("i BETWEEN 'a' AND 3")).toMatchObject({ code: 'SLC3008', blamed: "'a'" });
  });
});

describe('IN', () => {
  it.each([
    ['i IN (1, 7)', true],
    ['i IN (1, 2)', false],
    ['i NOT IN (1, 2)', true],
    ['i IN (1, 2, 3, 4, 5, 6, 7)', true],
    ['i IN (1, 2, 3, 4, 5, 6, 8)', false],
    ["s IN ('a', 'hello')", true],
    ['i IN (b, 7)', true],
    ['i IN (1, NULL)', null],
    ['i IN (7, NULL)', true],
    ['i NOT IN (1, NULL)', null],
    ['i IN (1, n_i)', null],
    ['n_i IN (1, 2)', null],
    ['i IN (7.0, 8)', true],
  ])('%s is %s', (text, value) => {
    expect(evaluate(text)).toBe(value);
  });

  it('is nullable only when the value or a list item is', () => {
    expect(typed('i IN (1, 2)').nullable).toBe(false);
    expect(typed('i IN (1, n_i)').nullable).toBe(true);
  });

  it('blames the list value of another type', () => {
    const d = diagnosticOf("i IN (1, 'two', 3)");
    expect(d).toMatchObject({ code: 'SLC3019', blamed: "'two'", message: 'IN list value of type STRING cannot be compared with INT' });
  });
});

describe('LIKE', () => {
  it.each([
    ["s LIKE 'hello'", true],
    ["s LIKE 'he%'", true],
    ["s LIKE '%lo'", true],
    ["s LIKE '%ell%'", true],
    ["s LIKE 'h_llo'", true],
    ["s LIKE 'h_l%'", true],
    ["s LIKE 'H%'", false],
    ["s LIKE '%'", true],
    ["s LIKE 'hel'", false],
    ["s NOT LIKE 'x%'", true],
    ["'a.c' LIKE 'a.c'", true],
    ["'abc' LIKE 'a.c'", false],
    ["'a(b' LIKE 'a(_'", true],
    ["'line1\nline2' LIKE 'line1%2'", true],
    ["n_s LIKE 'a%'", null],
  ])('%s is %s', (text, value) => {
    expect(evaluate(text)).toBe(value);
  });

  it('matches a pattern taken from a column', () => {
    const fields: readonly Field[] = [
      { name: 's', type: STRING, nullable: false },
      { name: 'p', type: STRING, nullable: false },
    ];
    expect(evaluate('s LIKE p', ['hello', 'h%o'], { fields })).toBe(true);
    expect(evaluate('s LIKE p', ['hello', '_'], { fields })).toBe(false);
  });

  it('requires strings', () => {
    expect(diagnosticOf("i LIKE 'a%'")).toMatchObject({ code: 'SLC3008', blamed: 'i', message: 'argument 1 of LIKE must be STRING, but it is INT' });
  });
});

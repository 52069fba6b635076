import { describe, expect, it } from 'vitest';
import { typeToString } from '../../compiler/types/sql-type.js';
import { diagnosticOf, evaluate, typed } from './expr-harness.js';

describe('number literals', () => {
  it.each([
    ['42', 'INT', 42],
    ['2147483647', 'INT', 2147483647],
    ['2147483648', 'BIGINT', 2147483648],
    ['9007199254740991', 'BIGINT', 9007199254740991],
    ['12.50', 'DECIMAL(4, 2)', 12.5],
    ['0.001', 'DECIMAL(3, 3)', 0.001],
    ['1e3', 'DOUBLE', 1000],
    ['2.5E-1', 'DOUBLE', 0.25],
  ])('%s is %s', (text, type, value) => {
    const expr = typed(text);
    expect(typeToString(expr.type)).toBe(type);
    expect(expr).toMatchObject({ op: 'literal', value, nullable: false });
  });

  it('folds a negated number into one literal, so that -2147483648 is an INT', () => {
    expect(typed('-5')).toEqual({ op: 'literal', value: -5, type: { name: 'INT' }, nullable: false });
    expect(typed('-2147483648')).toMatchObject({ value: -2147483648, type: { name: 'INT' } });
    expect(typed('-2147483649')).toMatchObject({ type: { name: 'BIGINT' } });
    expect(typed('-0.50')).toMatchObject({ value: -0.5, type: { name: 'DECIMAL', precision: 2, scale: 2 } });
    expect(typed('-0')).toMatchObject({ value: 0 });
    expect(evaluate('i - -5')).toBe(12);
  });

  it('refuses integers a double cannot hold exactly', () => {
    const d = diagnosticOf('i + 9007199254740993');
    expect(d.code).toBe('SLC3016');
    expect(d.blamed).toBe('9007199254740993');
  });

  it('refuses decimals of more than 38 digits', () => {
    expect(diagnosticOf(`1.${'1'.repeat(40)}`).code).toBe('SLC3016');
  });
});

describe('interval literals', () => {
  it.each([
    ["INTERVAL '10' SECOND", 10_000],
    ["INTERVAL '1.5' SECOND", 1_500],
    ["INTERVAL '2' MINUTE", 120_000],
    ["INTERVAL '1' HOUR", 3_600_000],
    ["INTERVAL '1' DAY", 86_400_000],
    ["INTERVAL '250' MILLISECOND", 250],
  ])('%s is %d ms', (text, ms) => {
    expect(typed(text)).toMatchObject({ op: 'literal', value: ms, type: { name: 'INTERVAL' } });
  });

  it.each(["INTERVAL 'ten' SECOND", "INTERVAL '0.0001' SECOND", "INTERVAL '' MINUTE"])('%s is reported', (text) => {
    const d = diagnosticOf(text);
    expect(d.code).toBe('SLC3014');
    expect(d.blamed).toBe(text);
  });
});

describe('timestamp literals', () => {
  it.each([
    ["TIMESTAMP '2024-01-31 12:00:00'", Date.UTC(2024, 0, 31, 12)],
    ["TIMESTAMP '2024-01-31 12:00:00.123'", Date.UTC(2024, 0, 31, 12, 0, 0, 123)],
    ["TIMESTAMP '2024-01-31 12:00:00.123456'", Date.UTC(2024, 0, 31, 12, 0, 0, 123)],
    ["TIMESTAMP '2024-02-29'", Date.UTC(2024, 1, 29)],
    ["TIMESTAMP '2024-01-31T08:30'", Date.UTC(2024, 0, 31, 8, 30)],
  ])('%s is read as UTC', (text, ms) => {
    expect(typed(text)).toMatchObject({ op: 'literal', value: ms, type: { name: 'TIMESTAMP', precision: 3 } });
  });

  it('says when a field is out of range', () => {
    const d = diagnosticOf("TIMESTAMP '2023-02-29 00:00:00'");
    expect(d.code).toBe('SLC3015');
    expect(d.message).toContain('out of range');
  });

  it('shows the expected shape for text that is no timestamp', () => {
    const d = diagnosticOf("TIMESTAMP 'yesterday'");
    expect(d.code).toBe('SLC3015');
    expect(d.help).toContain('yyyy-MM-dd HH:mm:ss');
  });
});

describe('other literals', () => {
  it('types strings, booleans and NULL', () => {
    expect(typed("'it''s'")).toMatchObject({ value: "it's", type: { name: 'STRING' }, nullable: false });
    expect(typed('TRUE')).toMatchObject({ value: true, type: { name: 'BOOLEAN' } });
    expect(typed('NULL')).toMatchObject({ value: null, type: { name: 'NULL' }, nullable: true });
  });
});

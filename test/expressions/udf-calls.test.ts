import { describe, expect, it, vi } from 'vitest';
import type { ScalarUdfSignature } from '../../compiler/functions/registry.js';
import { BIGINT, DOUBLE, STRING } from '../../compiler/types/sql-type.js';
import { diagnosticOf, evaluate, typed } from './expr-harness.js';

const udfs: readonly ScalarUdfSignature[] = [
  { name: 'toEuro', args: [DOUBLE], returns: DOUBLE },
  { name: 'label', args: [STRING, BIGINT], returns: STRING, nullable: true },
  { name: 'orDefault', args: [STRING], returns: STRING, callOnNull: true },
];

describe('scalar UDF calls', () => {
  it('type-checks arguments that widen to the declared types', () => {
    expect(typed('toEuro(i)', { udfs })).toMatchObject({ op: 'udf', name: 'toEuro', type: { name: 'DOUBLE' }, nullable: false });
    expect(typed('label(s, i)', { udfs })).toMatchObject({ nullable: true });
    expect(typed('toEuro(n_i)', { udfs }).nullable).toBe(true);
  });

  it('calls the function with the row values', () => {
    const implementations = new Map([['toEuro', (usd: number) => usd * 0.9]]);
    expect(evaluate('toEuro(x) + 1', undefined, { udfs, implementations })).toBeCloseTo(3.25);
  });

  it('gives NULL for a NULL argument without calling the function, unless callOnNull', () => {
    const toEuro = vi.fn((usd: number) => usd);
    expect(evaluate('toEuro(n_i)', undefined, { udfs, implementations: new Map([['toEuro', toEuro]]) })).toBeNull();
    expect(toEuro).not.toHaveBeenCalled();
    const orDefault = { fn: (s: string | null) => s ?? 'default', callOnNull: true };
    expect(evaluate('orDefault(n_s)', undefined, { udfs, implementations: new Map([['orDefault', orDefault]]) })).toBe('default');
  });

  it('reads an undefined result as NULL', () => {
    expect(evaluate('label(s, b)', undefined, { udfs, implementations: new Map([['label', () => undefined]]) })).toBeNull();
  });

  it('finds a UDF whatever the case it is called in', () => {
    expect(typed('TOEURO(x)', { udfs })).toMatchObject({ op: 'udf', name: 'toEuro' });
  });

  it('reports a wrong argument type with the signature', () => {
    const d = diagnosticOf('label(i, b)', { udfs });
    expect(d).toMatchObject({ code: 'SLC3008', blamed: 'i' });
    expect(d.help).toContain('label(STRING, BIGINT) → STRING');
    expect(diagnosticOf('toEuro(s)', { udfs }).message).toBe('argument 1 of toEuro must be DOUBLE, but it is STRING');
  });

  it('does not narrow implicitly', () => {
    expect(diagnosticOf('label(s, x)', { udfs })).toMatchObject({ code: 'SLC3008', blamed: 'x' });
  });

  it('reports a wrong argument count', () => {
    expect(diagnosticOf('toEuro(x, x)', { udfs })).toMatchObject({ code: 'SLC3007', message: 'toEuro takes 1 argument, but 2 are given' });
  });

  it('suggests a registered UDF for a misspelt name', () => {
    expect(diagnosticOf('toEuros(x)', { udfs }).help).toContain("did you mean 'toEuro'?");
  });
});

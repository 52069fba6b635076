import { describe, expect, it } from 'vitest';
import { DiagnosticBag } from '../../compiler/diagnostics/diagnostic.js';
import { checkCondition } from '../../compiler/expressions/check-expr.js';
import { Scope } from '../../compiler/expressions/scope.js';
import { FIELDS, check, diagnosticOf, parseExpr } from './expr-harness.js';

describe('function-call diagnostics', () => {
  it('suggests the closest builtin for an unknown function and mentions UDF registration', () => {
    const d = diagnosticOf('UPPPER(s)');
    expect(d).toMatchObject({ code: 'SLC3006', blamed: 'UPPPER', message: "unknown function 'UPPPER'" });
    expect(d.help).toContain("did you mean 'UPPER'?");
    expect(d.help).toContain('scalar UDF');
  });

  it('calls builtins in any case', () => {
    expect(check('upper(s)').diagnostics).toEqual([]);
  });

  it('refuses an aggregate outside AGGREGATE, pointing at its name', () => {
    const d = diagnosticOf('SUM(i) > 10');
    expect(d).toMatchObject({ code: 'SLC3017', blamed: 'SUM', message: 'aggregate function SUM is only allowed as an item of an AGGREGATE step' });
    expect(d.help).toContain('|> AGGREGATE SUM(…) AS name');
  });

  it('refuses DISTINCT in a scalar call', () => {
    expect(diagnosticOf('UPPER(DISTINCT s)')).toMatchObject({ code: 'SLC3024', message: 'DISTINCT is only allowed in aggregate calls, not in UPPER(…)' });
  });
});

describe('several errors at once', () => {
  it('reports every operand error of one expression', () => {
    const { typed, diagnostics } = check("nope + UPPER(i) = 'x' AND missing");
    expect(typed).toBeUndefined();
    expect(diagnostics.map((d) => d.code)).toEqual(['SLC3001', 'SLC3008', 'SLC3001']);
  });

  it('does not cascade from an operand that already failed', () => {
    expect(check("nope + 1 = 'x'").diagnostics.map((d) => d.code)).toEqual(['SLC3001']);
  });
});

describe('checkCondition', () => {
  const scope = Scope.fromFields(FIELDS);
  const condition = (text: string, what?: string) => {
    const bag = new DiagnosticBag('t.pipe');
    return { typed: checkCondition(parseExpr(text), scope, { bag, udfs: new Map() }, what), diagnostics: bag.items };
  };

  it('accepts a BOOLEAN expression', () => {
    expect(condition('i > 1 AND flag')).toMatchObject({ typed: { type: { name: 'BOOLEAN' } }, diagnostics: [] });
  });

  it('refuses any other type, naming the condition and suggesting a test', () => {
    const { typed, diagnostics } = condition('i + 1', 'the WHERE condition');
    expect(typed).toBeUndefined();
    expect(diagnostics).toMatchObject([{ code: 'SLC3009', message: 'the WHERE condition must be BOOLEAN, but it is INT' }]);
    expect(diagnostics[0]!.help).toContain('`i + 1 IS NOT NULL`');
  });
});

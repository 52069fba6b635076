import { describe, expect, it } from 'vitest';
import { DiagnosticBag } from '../../compiler/diagnostics/diagnostic.js';
import { resolveType } from '../../compiler/types/resolve-type.js';
import { typeToString } from '../../compiler/types/sql-type.js';

function resolve(name: string, params: number[] = []) {
  const bag = new DiagnosticBag('t.pipe');
  const type = resolveType({ kind: 'TypeRef', name, params, span: { offset: 3, length: 9 } }, bag);
  return { type: type && typeToString(type), diagnostics: bag.items };
}

describe('resolveType', () => {
  it.each([
    ['BOOLEAN', [], 'BOOLEAN'],
    ['INT', [], 'INT'],
    ['INTEGER', [], 'INT'],
    ['bigint', [], 'BIGINT'],
    ['DOUBLE', [], 'DOUBLE'],
    ['STRING', [], 'STRING'],
    ['VARCHAR', [], 'STRING'],
    ['VARCHAR', [20], 'STRING'],
    ['TIMESTAMP', [], 'TIMESTAMP(3)'],
    ['TIMESTAMP', [3], 'TIMESTAMP(3)'],
    ['DECIMAL', [], 'DECIMAL(10, 0)'],
    ['DECIMAL', [5], 'DECIMAL(5, 0)'],
    ['NUMERIC', [10, 2], 'DECIMAL(10, 2)'],
    ['DECIMAL', [38, 38], 'DECIMAL(38, 38)'],
  ])('%s%j is %s', (name, params, expected) => {
    expect(resolve(name, params)).toEqual({ type: expected, diagnostics: [] });
  });

  it.each([
    ['DECIMAL', [39, 2], 'SLC3012'],
    ['DECIMAL', [5, 6], 'SLC3012'],
    ['DECIMAL', [0], 'SLC3012'],
    ['DECIMAL', [1, 2, 3], 'SLC3011'],
    ['TIMESTAMP', [6], 'SLC3013'],
    ['INT', [4], 'SLC3011'],
    ['VARCHAR', [0], 'SLC3011'],
    ['TEXT', [], 'SLC3010'],
  ])('%s%j is reported as %s at the type', (name, params, code) => {
    const { type, diagnostics } = resolve(name, params);
    expect(type).toBeUndefined();
    expect(diagnostics).toMatchObject([{ code, span: { offset: 3, length: 9 } }]);
  });

  it('suggests the closest type name', () => {
    expect(resolve('BIGNIT').diagnostics[0]!.help).toContain("did you mean 'BIGINT'?");
    expect(resolve('TIMESTAMP', [9]).diagnostics[0]!.help).toContain('TIMESTAMP(3)');
  });
});

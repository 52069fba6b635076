import { describe, expect, it } from 'vitest';
import type { CreateSource } from '../../grammar/ast/index.js';
import { parseClean, withoutSpans } from './support.js';

describe('column types', () => {
  it.each([
    ['BOOLEAN', 'BOOLEAN', []],
    ['int', 'INT', []],
    ['Integer', 'INTEGER', []],
    ['BIGINT', 'BIGINT', []],
    ['DOUBLE', 'DOUBLE', []],
    ['DECIMAL(10, 2)', 'DECIMAL', [10, 2]],
    ['STRING', 'STRING', []],
    ['VARCHAR', 'VARCHAR', []],
    ['varchar(255)', 'VARCHAR', [255]],
    ['TIMESTAMP(3)', 'TIMESTAMP', [3]],
    ['TIMESTAMP', 'TIMESTAMP', []],
  ])('%s', (text, name, params) => {
    const [source] = parseClean(`CREATE SOURCE s (c ${text}) WITH ();`) as CreateSource[];
    expect(withoutSpans(source?.columns[0]?.type)).toEqual({ kind: 'TypeRef', name, params });
  });

  it('CAST takes the same type syntax', () => {
    const [statement] = parseClean('INSERT INTO o FROM i |> SELECT CAST(x AS Decimal(5,1));');
    expect(statement).toMatchObject({ pipeline: { steps: [{ items: [{ expr: { type: { name: 'DECIMAL', params: [5, 1] } } }] }] } });
  });
});

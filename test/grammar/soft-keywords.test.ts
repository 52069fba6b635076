import { describe, expect, it } from 'vitest';
import { parse } from '../../grammar/parse.js';
import { parseClean, parseExpr, sexpr } from './support.js';

describe('keywords that stay usable as names', () => {
  const names = [
    'date_time', 'count', 'window_start', 'first', 'last', 'key', 'value', 'name', 'time', 'path',
    'source', 'sink', 'view', 'watermark', 'uid', 'window', 'left', 'inner', 'outer', 'keep', 'process',
    'partition', 'timestamp', 'extend', 'aggregate', 'deduplicate', 'second', 'day', 'hour', 'tumble', 'session',
  ];

  it.each(names)('%s as a column, a qualified column, an alias and a stream name', (name) => {
    const statements = parseClean(`
      CREATE SOURCE ${name} (${name} BIGINT, ts TIMESTAMP(3)) WITH () UID 'src';
      INSERT INTO out FROM ${name} AS ${name} |> SELECT ${name}, ${name}.${name} AS ${name} |> WHERE ${name} > 0;`);
    expect(statements).toHaveLength(2);
    expect(statements[1]).toMatchObject({ pipeline: { from: { name: { name }, alias: { name } } } });
  });

  it('a column named like a keyword keeps its spelling', () => {
    expect(parseExpr('Window')).toMatchObject({ kind: 'ColumnRef', name: { name: 'Window', quoted: false } });
  });

  it('soft keywords name functions: left(s, 3), first(x)', () => {
    expect(sexpr(parseExpr('left(s, 3) = first(x)'))).toBe('(= (left s 3) (first x))');
  });

  it('timestamp is a column unless a string follows', () => {
    expect(sexpr(parseExpr("timestamp > TIMESTAMP '2024-01-01 00:00:00'"))).toBe("(> timestamp (TIMESTAMP '2024-01-01 00:00:00'))");
  });

  it('a column named watermark is not a WATERMARK clause', () => {
    const [source] = parseClean('CREATE SOURCE s (watermark TIMESTAMP(3), WATERMARK FOR watermark AS watermark) WITH ();');
    expect(source).toMatchObject({ columns: [{ name: { name: 'watermark' } }], watermark: { column: { name: 'watermark' } } });
  });

  it('columns named primary, key and enforced are not a PRIMARY KEY clause', () => {
    const [sink] = parseClean('CREATE SINK s (primary BIGINT, key STRING, enforced BOOLEAN, PRIMARY KEY (primary, key) NOT ENFORCED) WITH ();');
    expect(sink).toMatchObject({
      columns: [{ name: { name: 'primary' } }, { name: { name: 'key' } }, { name: { name: 'enforced' } }],
      primaryKey: { columns: [{ name: 'primary' }, { name: 'key' }] },
    });
  });

  it('a reserved word needs back quotes to be a name', () => {
    expect(parse('INSERT INTO out FROM i |> SELECT select;').diagnostics.map((d) => d.code)).toEqual(['SLC1018']);
    expect(parse('INSERT INTO out FROM select;').diagnostics.map((d) => d.code)).toEqual(['SLC1017']);
    expect(parseExpr('`select`')).toMatchObject({ name: { name: 'select', quoted: true } });
  });

  it('a keyword prefix does not split an identifier: inserted, interval_ms, selected', () => {
    expect(sexpr(parseExpr('inserted + interval_ms + selected + order_by'))).toBe('(+ (+ (+ inserted interval_ms) selected) order_by)');
  });
});

import { describe, expect, it } from 'vitest';
import { parse } from '../../grammar/parse.js';

describe('error recovery', () => {
  const text = [
    "SET 'parallelism.default' = '2';",
    'CREATE SOURCE s (a INT) WITH () UID;',
    'INSERT INTO out FROM s |> WHERE a > |> SELECT a;',
    "CREATE SINK out WITH ('connector' = 'print') UID 'out';",
    'INSERT INTO out FROM s |> SELECT a + 1 AS b',
    'INSERT INTO out FROM s |> FILTER a;',
    "INSERT INTO out FROM s |> SELECT INTERVAL '1' FORTNIGHT;",
    'INSERT INTO out FROM s |> SELECT a;',
  ].join('\n');
  const { value, diagnostics } = parse(text, 'job.pipe');

  it('reports an error for every broken statement in one run', () => {
    expect(diagnostics.map((d) => [d.code, text.slice(d.span.offset).split('\n', 1)[0]])).toEqual([
      ['SLC1012', ';'],
      ['SLC1013', '|> SELECT a;'],
      ['SLC1010', ''],
      ['SLC1016', 'FILTER a;'],
      ['SLC1020', 'FORTNIGHT;'],
    ]);
    expect(diagnostics.every((d) => d.file === 'job.pipe' && d.severity === 'error')).toBe(true);
  });

  it('keeps the whole statements and drops the broken ones', () => {
    expect(value.statements.map((s) => s.kind)).toEqual(['SetStatement', 'CreateSink', 'InsertInto', 'InsertInto']);
    // The statement missing only its ';' is whole and kept, as is the last one.
    expect(value.statements[2]).toMatchObject({ pipeline: { steps: [{ kind: 'SelectStep', items: [{ alias: { name: 'b' } }] }] } });
  });

  it('sorts diagnostics by position', () => {
    const offsets = diagnostics.map((d) => d.span.offset);
    expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
  });

  it('recovers inside a statement at the next step', () => {
    const result = parse('INSERT INTO out FROM s |> WHERE ) |> SELECT (;');
    expect(result.diagnostics.map((d) => d.code)).toEqual(['SLC1013', 'SLC1013']);
    expect(result.value.statements).toEqual([]);
  });

  it('garbage between statements does not hide the statements after it', () => {
    const result = parse("SET 'a' = 'b'; 42 ) garbage; SET 'c' = 'd';");
    expect(result.diagnostics.map((d) => d.code)).toEqual(['SLC1014']);
    expect(result.value.statements).toHaveLength(2);
  });

  it('pathological nesting is a diagnostic at the first parenthesis past the limit, not a stack overflow', () => {
    const depth = 20_000;
    const text = `INSERT INTO o FROM i |> WHERE ${'('.repeat(depth)}1${')'.repeat(depth)};`;
    const { value, diagnostics } = parse(text);
    expect(diagnostics.map((d) => [d.code, d.span])).toEqual([['SLC3028', { offset: text.indexOf('(') + 200, length: 1 }]]);
    expect(value.statements).toEqual([]);
    expect(parse("SET 'a' = 'b';").diagnostics).toEqual([]);
  });

  it('the parser is reusable: a failed parse leaves nothing behind for the next', () => {
    parse('INSERT INTO out FROM |> ;;;');
    expect(parse("SET 'a' = 'b';").diagnostics).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { parseClean, withoutSpans } from './support.js';
import type { CreateSource } from '../../grammar/ast/statements.js';

const id = (name: string) => ({ kind: 'Identifier', name, quoted: false });
const str = (value: string) => ({ kind: 'StringLiteralNode', value });
const option = (key: string, value: string) => ({ kind: 'OptionEntry', key: str(key), value: str(value) });

describe('statement forms', () => {
  it('SET', () => {
    expect(withoutSpans(parseClean("set 'pipeline.name' = 'it''s a job';"))).toEqual([
      { kind: 'SetStatement', key: str('pipeline.name'), value: str("it's a job") },
    ]);
  });

  it('CREATE SOURCE with columns, NOT NULL, a watermark, options and a uid', () => {
    const text = `
      CREATE SOURCE bids (
        auction BIGINT NOT NULL,
        price DOUBLE,
        ts TIMESTAMP(3),
        WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
      ) WITH ('connector' = 'nexmark', 'table' = 'bid') UID 'bids-source';`;
    expect(withoutSpans(parseClean(text))).toEqual([
      {
        kind: 'CreateSource',
        name: id('bids'),
        columns: [
          { kind: 'ColumnDef', name: id('auction'), type: { kind: 'TypeRef', name: 'BIGINT', params: [] }, notNull: true },
          { kind: 'ColumnDef', name: id('price'), type: { kind: 'TypeRef', name: 'DOUBLE', params: [] }, notNull: false },
          { kind: 'ColumnDef', name: id('ts'), type: { kind: 'TypeRef', name: 'TIMESTAMP', params: [3] }, notNull: false },
        ],
        watermark: {
          kind: 'WatermarkDef',
          column: id('ts'),
          expr: {
            kind: 'BinaryExpr',
            operator: '-',
            left: { kind: 'ColumnRef', name: id('ts') },
            right: { kind: 'IntervalLiteral', value: '5', unit: 'SECOND' },
          },
        },
        options: [option('connector', 'nexmark'), option('table', 'bid')],
        uid: { kind: 'UidClause', value: 'bids-source' },
      },
    ]);
  });

  it('CREATE SOURCE without a watermark or uid omits them', () => {
    const [source] = parseClean("CREATE SOURCE s (a INT) WITH ('connector' = 'datagen');");
    expect(source).not.toHaveProperty('watermark');
    expect(source).not.toHaveProperty('uid');
  });

  it("METADATA columns, with FROM 'key' or keyed by the column's name; `metadata` still names a column", () => {
    const text = `CREATE SOURCE bids (ts TIMESTAMP(3) NOT NULL METADATA FROM 'timestamp', subject STRING METADATA, metadata BIGINT) WITH ('connector' = 'jetstream');`;
    const [source] = parseClean(text);
    expect(withoutSpans(source)).toMatchObject({
      columns: [
        { name: id('ts'), notNull: true, metadata: { kind: 'MetadataClause', key: str('timestamp') } },
        { name: id('subject'), notNull: false, metadata: { kind: 'MetadataClause' } },
        { name: id('metadata'), notNull: false },
      ],
    });
    const columns = (source as CreateSource).columns;
    const span = columns[0]!.metadata!.span;
    expect(text.slice(span.offset, span.offset + span.length)).toBe("METADATA FROM 'timestamp'");
    expect(columns[1]!.metadata).not.toHaveProperty('key');
    expect(columns[2]).not.toHaveProperty('metadata');
  });

  it('CREATE SINK with and without columns', () => {
    expect(withoutSpans(parseClean("CREATE SINK out WITH ('connector' = 'print') UID 'out';"))).toEqual([
      { kind: 'CreateSink', name: id('out'), options: [option('connector', 'print')], uid: { kind: 'UidClause', value: 'out' } },
    ]);
    const [sink] = parseClean("CREATE SINK out (n BIGINT NOT NULL) WITH ('connector' = 'blackhole');");
    expect(withoutSpans(sink)).toMatchObject({ columns: [{ name: id('n'), notNull: true }] });
  });

  it('an empty WITH () gives no options', () => {
    expect(parseClean('CREATE SINK out WITH ();')[0]).toMatchObject({ options: [] });
  });

  it('CREATE VIEW', () => {
    expect(withoutSpans(parseClean('CREATE VIEW big AS FROM bids AS b |> WHERE price > 10;'))).toEqual([
      {
        kind: 'CreateView',
        name: id('big'),
        pipeline: {
          kind: 'Pipeline',
          from: { kind: 'StreamRef', name: id('bids'), alias: id('b') },
          steps: [
            {
              kind: 'WhereStep',
              condition: {
                kind: 'BinaryExpr',
                operator: '>',
                left: { kind: 'ColumnRef', name: id('price') },
                right: { kind: 'NumberLiteral', text: '10' },
              },
            },
          ],
        },
      },
    ]);
  });

  it('INSERT INTO with a bare FROM', () => {
    expect(withoutSpans(parseClean('INSERT INTO out FROM bids;'))).toEqual([
      { kind: 'InsertInto', sink: id('out'), pipeline: { kind: 'Pipeline', from: { kind: 'StreamRef', name: id('bids') }, steps: [] } },
    ]);
  });

  it('several statements, comments and mixed-case keywords', () => {
    const statements = parseClean(`
      -- job settings
      Set 'parallelism.default' = '2'; /* a block
      comment */ insert INTO out from bids;`);
    expect(statements.map((s) => s.kind)).toEqual(['SetStatement', 'InsertInto']);
  });

  it('an empty file is an empty script', () => {
    expect(parseClean('  -- nothing\n')).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { BID, compileGraph, messages, operatorOf, reported, sink, specOf } from './planning.js';

describe('CREATE SOURCE', () => {
  it('plans a source with its columns, time attribute, typed watermark and split state', () => {
    const source = operatorOf(compileGraph(`${BID} ${sink()} INSERT INTO out FROM bid;`), 'source');
    expect(source).toMatchObject({ id: 'bid-source', uid: 'bid-source', name: 'Source(bid)', inputs: [] });
    expect(source.output).toMatchObject({ changelog: 'append', rowtime: 5 });
    expect(source.spec).toMatchObject({ kind: 'source', connector: 'nexmark', options: { table: 'bid' }, watermark: { column: 5, expr: { type: { name: 'TIMESTAMP' } } } });
    expect(source.state).toEqual([
      {
        name: 'splits',
        scope: 'operator',
        kind: 'list',
        valueType: [
          { name: 'split', type: { name: 'STRING' }, nullable: false },
          { name: 'position', type: { name: 'STRING' }, nullable: false },
        ],
        redistribution: 'split',
        description: expect.any(String),
      },
    ]);
  });

  it.each([
    ['a duplicate column', '(a INT, a STRING)', "DuplicateColumn @ 'a'"],
    ['a watermark on an unknown column', '(a INT, WATERMARK FOR ts AS ts)', "UnknownWatermarkColumn @ 'ts'"],
    ['a watermark on a column that is not a timestamp', '(a INT, WATERMARK FOR a AS a)', "WatermarkColumnType @ 'a'"],
    ['a watermark expression that is not a timestamp', "(ts TIMESTAMP(3), WATERMARK FOR ts AS INTERVAL '1' SECOND)", "WatermarkExpressionType @ 'INTERVAL '1' SECOND'"],
    ['a primary key on an unknown column', '(a INT, PRIMARY KEY (b) NOT ENFORCED)', "UnknownKeyColumn @ 'b'"],
    ['a primary key naming a column twice', '(a INT, PRIMARY KEY (a, a) NOT ENFORCED)', "DuplicateKeyColumn @ 'a'"],
  ])('reports %s', (_, columns, expected) => {
    const text = `CREATE SOURCE s ${columns} WITH ('connector' = 'datagen') UID 's'; ${sink()} INSERT INTO out FROM s;`;
    expect(reported(text)).toEqual([expected]);
  });
});

describe('PRIMARY KEY … NOT ENFORCED', () => {
  it("is carried into the source's and the sink's spec as column names", () => {
    const graph = compileGraph(
      `CREATE SOURCE s (id BIGINT, name STRING, PRIMARY KEY (id) NOT ENFORCED) WITH ('connector' = 'datagen') UID 's';
       CREATE SINK out (id BIGINT, label STRING, PRIMARY KEY (label, id) NOT ENFORCED) WITH ('connector' = 'blackhole') UID 'out';
       INSERT INTO out FROM s;`,
    );
    expect(specOf(graph, 'source').primaryKey).toEqual(['id']);
    expect(specOf(graph, 'sink').primaryKey).toEqual(['label', 'id']);
  });

  it('of a sink without declared columns names the columns inserted', () => {
    const text = (key: string) => `${BID} CREATE SINK out (PRIMARY KEY (${key}) NOT ENFORCED) WITH ('connector' = 'blackhole') UID 'out'; INSERT INTO out FROM bid |> SELECT auction AS a, price;`;
    expect(specOf(compileGraph(text('a')), 'sink').primaryKey).toEqual(['a']);
    expect(reported(text('auction'))).toEqual(["UnknownKeyColumn @ 'auction'"]);
  });

  it('is absent from the spec when not declared', () => {
    const graph = compileGraph(`${BID} ${sink()} INSERT INTO out FROM bid;`);
    expect(specOf(graph, 'source')).not.toHaveProperty('primaryKey');
    expect(specOf(graph, 'sink')).not.toHaveProperty('primaryKey');
  });
});

describe('CREATE SINK and INSERT INTO', () => {
  it('a sink without columns takes those of its first INSERT, renaming a repeated name', () => {
    const graph = compileGraph(`${BID} ${sink()} INSERT INTO out FROM bid |> SELECT price, auction AS price2, bidder AS price0, auction AS x, bidder;`);
    expect(operatorOf(graph, 'sink').output.fields.map((f) => f.name)).toEqual(['price', 'price2', 'price0', 'x', 'bidder']);
  });

  it('several INSERTs into one sink become its inputs, matched to its declared columns by position', () => {
    const graph = compileGraph(`${BID} CREATE SINK out (a BIGINT, b DOUBLE) WITH ('connector' = 'print') UID 'o';
      INSERT INTO out FROM bid |> SELECT auction, price; INSERT INTO out FROM bid |> SELECT bidder AS x, 1.5 AS y;`);
    const out = operatorOf(graph, 'sink');
    expect(out.inputs).toHaveLength(2);
    expect(out.output.fields.map((f) => f.name)).toEqual(['a', 'b']);
    expect(graph.edges.filter((e) => e.to === 'o').map((e) => e.toInput)).toEqual([0, 1]);
  });

  it('an updating stream may go to a file sink; an exactly-once file sink declares its pending commits', () => {
    const graph = compileGraph(`${BID} CREATE SINK out WITH ('connector' = 'file', 'path' = '/tmp/out', 'format' = 'jsonl') UID 'o';
      INSERT INTO out FROM bid |> AGGREGATE COUNT(*) AS n GROUP BY auction UID 'a';`);
    const out = operatorOf(graph, 'sink');
    expect(out.output).toMatchObject({ changelog: 'upsert', upsertKey: [0] });
    expect(out.state.map((s) => [s.name, s.scope, s.kind, s.redistribution])).toEqual([['pending-commits', 'operator', 'list', 'split']]);
  });

  it('reports rows that do not fit the declared columns, showing both', () => {
    const text = `${BID} CREATE SINK out (a BIGINT) WITH ('connector' = 'print') UID 'o'; INSERT INTO out FROM bid |> SELECT channel;`;
    expect(reported(text)).toEqual(["SinkSchemaMismatch @ 'out'"]);
    expect(messages(text)).toEqual(["INSERT INTO out: the pipeline's columns (channel STRING) do not match the sink's (a BIGINT)"]);
  });

  it('reports a later INSERT that does not fit the columns the first one gave the sink', () => {
    const text = `${BID} ${sink()} INSERT INTO out FROM bid |> SELECT price; INSERT INTO out FROM bid |> SELECT price, auction;`;
    expect(reported(text)).toEqual(["SinkSchemaMismatch @ 'out'"]);
  });

  it('reports a program without INSERT', () => {
    expect(reported(`${BID}`)).toEqual(["NoInsert @ ''", "UnusedStream @ 'bid'"]);
  });
});

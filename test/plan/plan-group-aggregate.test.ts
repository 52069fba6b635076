import { describe, expect, it } from 'vitest';
import { BID, compileGraph, fieldNames, kinds, operatorOf, reported, sink } from './planning.js';

const aggregate = (items: string, rest = ''): string => `${BID} ${sink()} INSERT INTO out FROM bid |> AGGREGATE ${items} UID 'agg'${rest};`;

describe('AGGREGATE without a window', () => {
  it('becomes a group_aggregate: an upsert stream keyed by the group keys, fed by a hash edge', () => {
    const graph = compileGraph(aggregate('COUNT(*) AS bids, MAX(price) AS top GROUP BY auction, channel AS ch'));
    const agg = operatorOf(graph, 'group_aggregate');
    expect(fieldNames(agg)).toEqual(['auction', 'ch', 'bids', 'top']);
    expect(agg.output).toEqual({
      fields: [
        { name: 'auction', type: { name: 'BIGINT' }, nullable: true },
        { name: 'ch', type: { name: 'STRING' }, nullable: true },
        { name: 'bids', type: { name: 'BIGINT' }, nullable: false },
        { name: 'top', type: { name: 'BIGINT' }, nullable: true },
      ],
      changelog: 'upsert',
      upsertKey: [0, 1],
    });
    expect(graph.edges[0]).toMatchObject({ partitioning: 'hash', keys: [{ op: 'column', index: 0 }, { op: 'column', index: 3 }] });
  });

  it('types results as Flink does, AVG as DOUBLE', () => {
    const text = `CREATE SOURCE s (i INT NOT NULL, d DECIMAL(10, 2) NOT NULL, k STRING) WITH ('connector' = 'datagen') UID 's';
      ${sink()} INSERT INTO out FROM s |> AGGREGATE SUM(i) AS si, SUM(d) AS sd, AVG(i) AS ai, MIN(d) AS mi, COUNT(k) AS c,
        FIRST_VALUE(k) AS f GROUP BY k UID 'agg';`;
    const types = operatorOf(compileGraph(text), 'group_aggregate').output.fields.slice(1).map((f) => [f.name, f.type, f.nullable]);
    expect(types).toEqual([
      ['si', { name: 'INT' }, false],
      ['sd', { name: 'DECIMAL', precision: 38, scale: 2 }, false],
      ['ai', { name: 'DOUBLE' }, false],
      ['mi', { name: 'DECIMAL', precision: 10, scale: 2 }, false],
      ['c', { name: 'BIGINT' }, false],
      ['f', { name: 'STRING' }, true],
    ]);
  });

  it('a global aggregate has nullable results and hashes on an empty key', () => {
    const graph = compileGraph(`CREATE SOURCE s (i INT NOT NULL) WITH ('connector' = 'datagen') UID 's'; ${sink()}
      INSERT INTO out FROM s |> AGGREGATE SUM(i) AS total, COUNT(*) AS n UID 'agg';`);
    const agg = operatorOf(graph, 'group_aggregate');
    expect(agg.output.fields.map((f) => f.nullable)).toEqual([true, false]);
    expect(agg.output.upsertKey).toEqual([]);
    expect(graph.edges[0]).toMatchObject({ partitioning: 'hash', keys: [] });
  });

  it('declares its accumulators and one distinct map per COUNT(DISTINCT)', () => {
    const agg = operatorOf(compileGraph(aggregate('SUM(price) AS total, COUNT(DISTINCT bidder) AS bidders GROUP BY auction')), 'group_aggregate');
    expect(agg.state.map((s) => [s.name, s.kind, s.keyType?.map((f) => f.name), s.mapKeyType?.map((f) => f.name), s.valueType.map((f) => f.name)])).toEqual([
      ['accumulators', 'value', ['auction'], undefined, ['total.sum', 'total.count', 'bidders.count']],
      ['distinct-bidders', 'map', ['auction'], ['bidder'], ['count']],
    ]);
  });

  it('over an updating stream grouped by part of its key, retracts with the last row per upsert key', () => {
    const graph = compileGraph(aggregate('MAX(price) AS top GROUP BY auction, bidder', " |> AGGREGATE SUM(top) AS total GROUP BY auction UID 'second'"));
    expect(kinds(graph)).toEqual(['source', 'group_aggregate', 'group_aggregate', 'sink']);
    const second = graph.operators[2]!;
    expect(second.state.find((s) => s.name === 'input-rows')).toMatchObject({
      kind: 'map',
      keyType: [{ name: 'auction' }],
      mapKeyType: [{ name: 'auction' }, { name: 'bidder' }],
      valueType: [{ name: 'auction' }, { name: 'bidder' }, { name: 'top' }],
    });
  });

  it.each([
    ['a non-aggregate function', 'UPPER(channel) AS c', "NotAnAggregate @ 'UPPER'"],
    ['a nested aggregate', 'SUM(COUNT(*)) AS c', "NestedAggregate @ 'COUNT(*)'"],
    ['DISTINCT outside COUNT', 'SUM(DISTINCT price) AS c', "DistinctNotSupported @ 'SUM(DISTINCT price)'"],
    ['a wrong argument count', 'MAX(price, bidder) AS c', "BadAggregateCall @ 'MAX(price, bidder)'"],
    ['a non-numeric SUM', 'SUM(channel) AS c', "AggregateArgumentType @ 'channel'"],
    ['duplicate output names', 'COUNT(*) AS auction GROUP BY auction', "DuplicateOutputName @ 'auction'"],
  ])('reports %s', (_, items, expected) => {
    expect(reported(aggregate(items))).toEqual([expected]);
  });

  it('reports an aggregate over an updating stream whose keys could move a row to another group', () => {
    const text = aggregate('MAX(price) AS top GROUP BY auction', " |> AGGREGATE COUNT(*) AS n GROUP BY top UID 'second'");
    expect(reported(text)).toEqual(["UpdatingAggregateKeys @ 'AGGREGATE COUNT(*) AS n GROUP BY top UID 'second''"]);
  });
});

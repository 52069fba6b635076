import { describe, expect, it } from 'vitest';
import { AUCTION, BID, compileGraph, fieldNames, operatorOf, reported, sink, specOf } from './planning.js';

const join = (on: string, type = 'JOIN', rest = ''): string =>
  `${BID} ${AUCTION} ${sink()} INSERT INTO out FROM bid AS b |> ${type} auction AS a ON ${on} UID 'j'${rest};`;

describe('regular JOIN', () => {
  it('keys on the equalities between the sides, hash-partitions both inputs and keeps the rest as residual', () => {
    const graph = compileGraph(join('b.auction = a.id AND b.price > a.reserve AND a.category = 10'));
    const spec = specOf(graph, 'join');
    expect(spec).toMatchObject({ joinType: 'inner', leftKeys: [{ op: 'column', index: 0 }], rightKeys: [{ op: 'column', index: 0 }] });
    expect(spec.residual).toMatchObject({ type: { name: 'BOOLEAN' } });
    expect(graph.edges.filter((e) => e.to === 'j')).toEqual([
      { from: 'bid-source', to: 'j', toInput: 0, partitioning: 'hash', keys: [expect.objectContaining({ index: 0 })] },
      { from: 'auction-source', to: 'j', toInput: 1, partitioning: 'hash', keys: [expect.objectContaining({ index: 0 })] },
    ]);
  });

  it('accepts the equality written either way round and over expressions', () => {
    const spec = specOf(compileGraph(join('a.id + 0 = b.auction')), 'join');
    expect(spec.leftKeys).toEqual([expect.objectContaining({ op: 'column', index: 0, name: 'auction' })]);
    expect(spec.rightKeys).toEqual([expect.objectContaining({ op: 'call' })]);
    expect(spec.residual).toBeUndefined();
  });

  it('outputs left then right columns, without a time attribute, and keeps both qualifiers in scope', () => {
    const graph = compileGraph(join('b.auction = a.id', 'JOIN', ' |> SELECT b.price, a.seller'));
    const op = operatorOf(graph, 'join');
    expect(fieldNames(op).slice(6, 9)).toEqual(['extra', 'id', 'item_name']);
    expect(op.output).toMatchObject({ changelog: 'append' });
    expect(op.output.rowtime).toBeUndefined();
  });

  it('declares both sides as lists keyed by the join key, a LEFT join its left rows with match counts', () => {
    const inner = operatorOf(compileGraph(join('b.auction = a.id')), 'join');
    expect(inner.state.map((s) => [s.name, s.kind, s.keyType?.map((f) => f.name)])).toEqual([
      ['left-rows', 'list', ['auction']],
      ['right-rows', 'list', ['auction']],
    ]);
    const left = operatorOf(compileGraph(join('b.auction = a.id', 'LEFT JOIN')), 'join');
    expect(left.state[0]).toMatchObject({ name: 'left-rows', kind: 'map', valueType: [{ name: 'occurrences' }, { name: 'matches' }] });
    expect(left.state[0]!.mapKeyType).toHaveLength(7);
  });

  it('a LEFT join makes the right columns nullable and its output updating', () => {
    const op = operatorOf(compileGraph(join('b.auction = a.id', 'LEFT JOIN')), 'join');
    expect(op.output.fields.slice(7).every((f) => f.nullable)).toBe(true);
    expect(op.output.changelog).toBe('upsert');
  });

  it('warns that its state is unbounded when both sides have a time attribute, suggesting a bound', () => {
    const result = reported(join('b.auction = a.id'));
    expect(result).toEqual(["UnboundedJoinState @ 'JOIN auction AS a ON b.auction = a.id UID 'j''"]);
  });

  it('reports a join without equality between the sides', () => {
    expect(reported(join('b.price > a.reserve'))).toEqual(["JoinWithoutEquality @ 'b.price > a.reserve'"]);
  });

  it('reports a qualifier used twice', () => {
    const text = `${BID} ${AUCTION} ${sink()} INSERT INTO out FROM bid AS b |> JOIN auction AS b ON b.auction = b.id UID 'j';`;
    expect(reported(text)).toEqual(["DuplicateQualifier @ 'b'"]);
  });

  it('reports an updating input', () => {
    const text = `${BID} ${AUCTION} ${sink()} CREATE VIEW counts AS FROM bid |> AGGREGATE COUNT(*) AS n GROUP BY auction UID 'c';
      INSERT INTO out FROM auction AS a |> JOIN counts AS c ON a.id = c.auction UID 'j';`;
    expect(reported(text)).toEqual(["UpdatingInput @ 'JOIN counts AS c ON a.id = c.auction UID 'j''"]);
  });

  it('joins a stream with itself through two aliases', () => {
    const graph = compileGraph(`${BID} ${sink()} INSERT INTO out FROM bid AS x |> JOIN bid AS y
      ON x.auction = y.auction AND y.date_time BETWEEN x.date_time AND x.date_time + INTERVAL '1' SECOND UID 'self';`);
    expect(graph.edges.filter((e) => e.to === 'self').map((e) => [e.from, e.toInput])).toEqual([
      ['bid-source', 0],
      ['bid-source', 1],
    ]);
  });
});

describe('a regular inner JOIN read only by the AGGREGATE after it', () => {
  const aggregate = " |> AGGREGATE MAX(b.price) AS top GROUP BY a.id AS id, a.category AS category UID 'agg'";
  const kinds = (text: string): string[] => compileGraph(text).operators.map((op) => op.spec.kind);

  it('keeps in state only the columns it and the aggregate read, pruned before it, at parallelism 1 too', () => {
    const graph = compileGraph(join('b.auction = a.id AND b.date_time BETWEEN a.date_time AND a.expires', 'JOIN', aggregate));
    expect(graph.operators.map((op) => op.id)).toEqual(['bid-source', 'auction-source', 'pruned-project-1', 'pruned-project-2', 'j', 'agg', 'out-sink']);
    const op = operatorOf(graph, 'join');
    expect(op.state.map((s) => [s.name, s.valueType.map((f) => f.name)])).toEqual([
      ['left-rows', ['auction', 'price', 'date_time']],
      ['right-rows', ['id', 'date_time', 'expires', 'category']],
    ]);
    expect(specOf(graph, 'join')).toMatchObject({ leftKeys: [{ op: 'column', index: 0 }], rightKeys: [{ op: 'column', index: 0 }] });
    expect(graph.edges.filter((e) => e.to.startsWith('pruned-project')).map((e) => [e.from, e.to, e.partitioning])).toEqual([
      ['bid-source', 'pruned-project-1', 'forward'],
      ['auction-source', 'pruned-project-2', 'forward'],
    ]);
    // The aggregate reads the pruned join's columns by name, as it read the whole rows.
    expect(specOf(graph, 'group_aggregate')).toMatchObject({
      keys: [{ op: 'column', name: 'id', index: 3 }, { op: 'column', name: 'category', index: 6 }],
      aggregates: [{ args: [{ op: 'column', name: 'price', index: 1 }] }],
    });
  });

  it('is left whole for a LEFT join, for any other step after it, and at the end of the pipeline', () => {
    expect(kinds(join('b.auction = a.id', 'LEFT JOIN'))).toEqual(['source', 'source', 'join', 'sink']);
    expect(kinds(join('b.auction = a.id', 'JOIN', ' |> SELECT b.price, a.seller'))).toEqual(['source', 'source', 'join', 'project', 'sink']);
    expect(kinds(join('b.auction = a.id'))).toEqual(['source', 'source', 'join', 'sink']);
  });

  it('is left whole when the aggregate does not check: it reports its own error once', () => {
    expect(reported(join('b.auction = a.id', 'JOIN', " |> AGGREGATE MAX(b.nope) AS top GROUP BY a.id UID 'agg'"))).toEqual([
      "UnboundedJoinState @ 'JOIN auction AS a ON b.auction = a.id UID 'j''",
      "UnknownColumn @ 'nope'",
    ]);
  });
});

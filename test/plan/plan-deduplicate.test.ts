import { describe, expect, it } from 'vitest';
import { BID, compileGraph, operatorOf, reported, sink } from './planning.js';

const dedup = (clause: string): string => `${BID} ${sink()} INSERT INTO out FROM bid |> DEDUPLICATE BY ${clause} UID 'd';`;

describe('DEDUPLICATE', () => {
  it('KEEP FIRST (the default) is append-only, keeps the schema and remembers that a key was seen', () => {
    const graph = compileGraph(dedup('auction, bidder'));
    const op = operatorOf(graph, 'deduplicate');
    expect(op.spec).toMatchObject({ keep: 'first', keys: [{ index: 0 }, { index: 1 }] });
    expect(op.output).toEqual(op.inputs[0]);
    expect(op.state).toMatchObject([{ name: 'first-seen', kind: 'value', keyType: [{ name: 'auction' }, { name: 'bidder' }], valueType: [{ name: 'seen' }] }]);
    expect(graph.edges[0]).toMatchObject({ partitioning: 'hash', keys: [{ index: 0 }, { index: 1 }] });
  });

  it('KEEP LAST is an upsert stream keyed by the key columns, without time attribute, keeping the last row', () => {
    const op = operatorOf(compileGraph(dedup('bidder KEEP LAST')), 'deduplicate');
    expect(op.output).toMatchObject({ changelog: 'upsert', upsertKey: [1] });
    expect(op.output.rowtime).toBeUndefined();
    expect(op.state[0]).toMatchObject({ name: 'last-row', valueType: op.inputs[0]!.fields });
  });

  it('KEEP LAST by an expression has no upsert key columns', () => {
    const op = operatorOf(compileGraph(dedup('auction % 10 KEEP LAST')), 'deduplicate');
    expect(op.output.upsertKey).toBeUndefined();
    expect(op.state[0]!.keyType).toMatchObject([{ name: 'key0' }]);
  });

  it('reports an updating input', () => {
    const text = `${BID} ${sink()} INSERT INTO out FROM bid |> DEDUPLICATE BY auction KEEP LAST UID 'a' |> DEDUPLICATE BY auction UID 'b';`;
    expect(reported(text)).toEqual(["UpdatingInput @ 'DEDUPLICATE BY auction UID 'b''"]);
  });
});

import { describe, expect, it } from 'vitest';
import { BID, compileGraph, kinds, sink } from './planning.js';

describe('the planned graph', () => {
  it('keeps only operators whose rows reach a sink', () => {
    const graph = compileGraph(`${BID} CREATE SOURCE idle (a INT) WITH ('connector' = 'datagen') UID 'idle';
      CREATE VIEW unused AS FROM bid |> WHERE price > 1; ${sink()} INSERT INTO out FROM bid;`);
    expect(graph.operators.map((op) => op.id)).toEqual(['bid-source', 'out-sink']);
  });

  it('plans a view once, shared by every pipeline reading it', () => {
    const graph = compileGraph(`${BID} ${sink('a')} ${sink('b')} CREATE VIEW cheap AS FROM bid |> WHERE price < 10;
      INSERT INTO a FROM cheap; INSERT INTO b FROM cheap |> SELECT price;`);
    expect(kinds(graph)).toEqual(['source', 'filter', 'project', 'sink', 'sink']);
    expect(graph.edges.filter((e) => e.from === 'filter-1').map((e) => e.to)).toEqual(['project-1', 'a-sink']);
  });

  it('numbers generated ids per kind in program order, skipping ids a uid took', () => {
    const graph = compileGraph(`${BID} ${sink()} INSERT INTO out FROM bid |> WHERE price > 1 |> WHERE price > 2 UID 'filter-1'
      |> WHERE price > 3 |> SELECT price;`);
    expect(graph.operators.map((op) => op.id)).toEqual(['bid-source', 'filter-2', 'filter-1', 'filter-3', 'project-1', 'out-sink']);
    expect(graph.operators.every((op) => op.parallelism === graph.config.parallelism)).toBe(true);
  });

  it('gives every operator the configured parallelism', () => {
    const graph = compileGraph(`SET 'parallelism.default' = '3'; ${BID} ${sink()} INSERT INTO out FROM bid;`);
    expect(graph.operators.map((op) => op.parallelism)).toEqual([3, 3]);
    expect(graph.chains).toEqual([{ id: 'bid-source', operators: ['bid-source', 'out-sink'], parallelism: 3 }]);
  });
});

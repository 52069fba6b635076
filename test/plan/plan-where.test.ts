import { describe, expect, it } from 'vitest';
import { BID, compileGraph, operatorOf, sink } from './planning.js';

describe('WHERE', () => {
  it('becomes a filter with the input schema, chained forward between source and sink', () => {
    const graph = compileGraph(`${BID} ${sink()} INSERT INTO out FROM bid |> WHERE price > 100;`);
    const filter = operatorOf(graph, 'filter');
    expect(filter.spec).toMatchObject({ kind: 'filter', condition: { type: { name: 'BOOLEAN' } } });
    expect(filter.output).toEqual(filter.inputs[0]);
    expect(filter.output.rowtime).toBe(5);
    expect(filter.name).toBe('Filter(price > 100)');
    expect(graph.edges).toEqual([
      { from: 'bid-source', to: 'filter-1', toInput: 0, partitioning: 'forward' },
      { from: 'filter-1', to: 'out-sink', toInput: 0, partitioning: 'forward' },
    ]);
    expect(graph.chains.map((c) => c.operators)).toEqual([['bid-source', 'filter-1', 'out-sink']]);
  });

  it('takes its uid as operator id and keeps the origin of the step', () => {
    const text = `${BID}\n${sink()}\nINSERT INTO out FROM bid\n|> WHERE price > 100 UID 'expensive';`;
    const filter = operatorOf(compileGraph(text, { file: 'job.pipe' }), 'filter');
    expect(filter).toMatchObject({ id: 'expensive', uid: 'expensive', origin: { file: 'job.pipe', line: 5, column: 4 } });
  });
});

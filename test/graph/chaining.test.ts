import { describe, expect, it } from 'vitest';
import { buildChains, topologicalOrder } from '../../compiler/graph/chaining.js';
import { column, filterSpec, forward, hash, makeOperator, sampleGraph, sourceSpec } from './sample-graph.js';

const chainIds = (chains: ReturnType<typeof buildChains>) => chains.map((c) => c.operators);

describe('buildChains', () => {
  it('chains along forward edges and breaks at hash edges', () => {
    const graph = sampleGraph();
    expect(buildChains(graph.operators, graph.edges)).toEqual(graph.chains);
  });

  it('does not chain across a change of parallelism', () => {
    const ops = [makeOperator('s', sourceSpec('bid')), makeOperator('f', filterSpec, { parallelism: 4 })];
    expect(chainIds(buildChains(ops, [forward('s', 'f')]))).toEqual([['s'], ['f']]);
    expect(buildChains(ops, [forward('s', 'f')])[1]).toEqual({ id: 'f', operators: ['f'], parallelism: 4 });
  });

  it('does not chain an operator whose upstream fans out', () => {
    const ops = [makeOperator('s', sourceSpec('bid')), makeOperator('a', filterSpec), makeOperator('b', filterSpec)];
    expect(chainIds(buildChains(ops, [forward('s', 'a'), forward('s', 'b')]))).toEqual([['s'], ['a'], ['b']]);
  });

  it('does not chain an operator with two inputs', () => {
    const union = makeOperator('u', { kind: 'union' });
    const ops = [makeOperator('s1', sourceSpec('bid')), makeOperator('s2', sourceSpec('bid')), union];
    expect(chainIds(buildChains(ops, [forward('s1', 'u', 0), forward('s2', 'u', 1)]))).toEqual([['s1'], ['s2'], ['u']]);
  });

  it('never chains a source, even behind a forward edge', () => {
    const ops = [makeOperator('a', filterSpec, { inputs: [] }), makeOperator('s', sourceSpec('bid'))];
    expect(chainIds(buildChains(ops, [forward('a', 's')]))).toEqual([['a'], ['s']]);
  });

  it('lists chains in topological order whatever the order of the operator list', () => {
    const ops = [makeOperator('f', filterSpec), makeOperator('agg', filterSpec), makeOperator('s', sourceSpec('bid'))];
    const edges = [forward('s', 'f'), hash('f', 'agg', [column(0, 'auction')])];
    expect(chainIds(buildChains(ops, edges))).toEqual([['s', 'f'], ['agg']]);
  });

  it('breaks ties between independent operators by their position in the list', () => {
    const ops = [makeOperator('b', sourceSpec('bid')), makeOperator('a', sourceSpec('person'))];
    expect(chainIds(buildChains(ops, []))).toEqual([['b'], ['a']]);
  });

  it('reports a cycle as a bug rather than looping', () => {
    const ops = [makeOperator('a', filterSpec), makeOperator('b', filterSpec)];
    const edges = [hash('a', 'b', []), hash('b', 'a', [])];
    expect(topologicalOrder(ops, edges)).toBeUndefined();
    expect(() => buildChains(ops, edges)).toThrow(/cycle/);
  });
});

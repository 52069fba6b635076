import { describe, expect, it } from 'vitest';
import { toJson } from '../../compiler/exporters/json.js';
import { formatPath, loadJobGraph, validateJobGraph } from '../../compiler/graph/validate-graph.js';
import { sampleGraph } from './sample-graph.js';

const messages = (result: ReturnType<typeof validateJobGraph>) => result.diagnostics.map((d) => `${d.code} ${d.message}`);

describe('loadJobGraph', () => {
  it('loads what the JSON exporter writes', () => {
    const result = loadJobGraph(toJson(sampleGraph()), 'q5.json');
    expect(result.diagnostics).toEqual([]);
    expect(result.value).toEqual(sampleGraph());
  });

  it('reports text that is not JSON', () => {
    expect(messages(loadJobGraph('{ nope', 'q5.json'))[0]).toMatch(/^SLC9008 'q5.json' is not a JSON job graph: /);
  });
});

describe('validateJobGraph', () => {
  it('reports another format version in one message, before any schema difference', () => {
    expect(messages(validateJobGraph({ formatVersion: 99 }, 'old.json'))).toEqual([
      "SLC9009 'old.json' holds a job graph of format version 99, but this version of Sluice reads version 1",
    ]);
  });

  it('names the path of each schema problem', () => {
    const graph = sampleGraph() as unknown as { operators: { parallelism: unknown }[]; edges: { partitioning: unknown }[] };
    graph.operators[1]!.parallelism = 0;
    graph.edges[0]!.partitioning = 'random';
    const result = validateJobGraph(graph, 'bad.json');
    expect(result.value).toBeUndefined();
    expect(messages(result)).toEqual([
      "SLC9010 'bad.json' is not a valid job graph: at operators[1].parallelism: Too small: expected number to be >=1",
      'SLC9010 \'bad.json\' is not a valid job graph: at edges[0].partitioning: Invalid option: expected one of "forward"|"hash"|"rebalance"|"broadcast"',
    ]);
  });

  it('reports references the schema cannot check', () => {
    const graph = sampleGraph();
    graph.edges.push({ from: 'nowhere', to: 'out', toInput: 3, partitioning: 'forward' });
    graph.chains[1] = { ...graph.chains[1]!, operators: ['count-per-auction', 'project-3'] };
    graph.operators[3] = { ...graph.operators[3]!, uid: 'out' };
    expect(messages(validateJobGraph(graph, 'g.json'))).toEqual([
      "SLC9010 'g.json' is not a valid job graph: at operators[4].uid: the uid 'out' is used by another operator",
      "SLC9010 'g.json' is not a valid job graph: at edges[4].from: no operator has the id 'nowhere'",
      "SLC9010 'g.json' is not a valid job graph: at edges[4].toInput: operator 'out' has 1 input(s), not 4",
      "SLC9010 'g.json' is not a valid job graph: at chains: operator 'out' is in no chain",
    ]);
  });

  it('reports a cycle', () => {
    const graph = sampleGraph();
    graph.edges.push({ from: 'out', to: 'bid-source', toInput: 0, partitioning: 'rebalance' });
    graph.operators[0] = { ...graph.operators[0]!, inputs: graph.operators[1]!.inputs };
    expect(messages(validateJobGraph(graph, 'g.json'))).toEqual(["SLC9010 'g.json' is not a valid job graph: at edges: the edges form a cycle"]);
  });

  it('caps a flood of problems and says how many more there are', () => {
    const result = validateJobGraph({ formatVersion: 1, operators: Array.from({ length: 30 }, () => ({})) }, 'x.json');
    expect(result.diagnostics).toHaveLength(10);
    expect(result.diagnostics[9]!.message).toMatch(/\(and \d+ more problems\)$/);
  });
});

describe('formatPath', () => {
  it('writes paths as JavaScript accessors', () => {
    expect(formatPath(['operators', 2, 'spec', 'kind'])).toBe('operators[2].spec.kind');
    expect(formatPath([])).toBe('the top level');
  });
});

import { describe, expect, it } from 'vitest';
import { canonicalJson, graphDigest } from '../../compiler/graph/digest.js';
import { sampleGraph } from './sample-graph.js';

describe('canonicalJson', () => {
  it('sorts keys at every level and keeps array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}');
  });

  it('drops undefined properties as JSON.stringify does', () => {
    expect(canonicalJson({ a: undefined, b: 1 })).toBe('{"b":1}');
  });
});

describe('graphDigest', () => {
  it('is a sha256 in hex, equal for equal graphs', () => {
    expect(graphDigest(sampleGraph())).toMatch(/^[0-9a-f]{64}$/);
    expect(graphDigest(sampleGraph())).toBe(graphDigest(structuredClone(sampleGraph())));
  });

  it('changes when a uid changes', () => {
    const graph = sampleGraph();
    graph.operators[2] = { ...graph.operators[2]!, uid: 'count-per-auction-v2' };
    expect(graphDigest(graph)).not.toBe(graphDigest(sampleGraph()));
  });

  it('changes when a state descriptor or the max parallelism changes', () => {
    const stateChanged = sampleGraph();
    const agg = stateChanged.operators[2]!;
    stateChanged.operators[2] = { ...agg, state: [{ ...agg.state[0]!, kind: 'value' }] };
    const rescaled = sampleGraph();
    rescaled.config = { ...rescaled.config, maxParallelism: 256 };
    expect(graphDigest(stateChanged)).not.toBe(graphDigest(sampleGraph()));
    expect(graphDigest(rescaled)).not.toBe(graphDigest(sampleGraph()));
  });

  it('ignores what does not touch state: operator order, names, parallelism, stateless steps without uid', () => {
    const graph = sampleGraph();
    graph.operators.reverse();
    graph.operators = graph.operators.filter((op) => op.uid !== null).map((op) => ({ ...op, name: 'renamed', parallelism: 7 }));
    graph.operators[0] = { ...graph.operators[0]!, state: graph.operators[0]!.state.map((s) => ({ ...s, description: 'other words' })) };
    expect(graphDigest(graph)).toBe(graphDigest(sampleGraph()));
  });
});

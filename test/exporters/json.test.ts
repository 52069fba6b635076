import { describe, expect, it } from 'vitest';
import { toJson } from '../../compiler/exporters/json.js';
import { JobGraphSchema } from '../../compiler/graph/job-graph.js';
import { sampleGraph } from '../graph/sample-graph.js';

describe('toJson', () => {
  it('writes pretty JSON that the schema reads back unchanged', () => {
    const json = toJson(sampleGraph());
    expect(json).toMatch(/^\{\n  "formatVersion": 1,\n  "name": "nexmark-q5",/);
    expect(json.endsWith('}\n')).toBe(true);
    expect(JobGraphSchema.parse(JSON.parse(json))).toEqual(sampleGraph());
  });

  it('refuses an invalid graph instead of writing it', () => {
    const graph = sampleGraph();
    graph.operators[0] = { ...graph.operators[0]!, parallelism: 0 };
    expect(() => toJson(graph)).toThrow();
  });
});

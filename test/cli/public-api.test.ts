import { describe, expect, it } from 'vitest';
import { compile, formatDiagnostics, graphDigest, JobGraphSchema, parse, printScript, SourceText, summarize, toDot, toJson, toMermaid } from '../../index.js';

const TINY = `
CREATE SOURCE bids (auction BIGINT, price BIGINT) WITH ('connector' = 'nexmark', 'table' = 'bid') UID 'bid-source';
CREATE SINK out WITH ('connector' = 'print') UID 'out';
INSERT INTO out FROM bids |> WHERE price > 100;
`;

describe('the package entry point', () => {
  it('compiles a tiny pipeline and exports the graph every way', () => {
    const result = compile(TINY, { file: 'tiny.pipe' });
    expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const graph = JobGraphSchema.parse(result.value);
    expect(graph.name).toBe('tiny');
    expect(graphDigest(graph)).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.parse(toJson(graph))).toEqual(graph);
    expect(toDot(graph)).toContain('"bid-source"');
    expect(toMermaid(graph)).toContain('flowchart TB');
    expect(summarize(graph)).toContain('[bid-source]');
  });

  it('parses, prints and reports errors without throwing', () => {
    const parsed = parse(TINY, 'tiny.pipe');
    expect(parsed.diagnostics).toEqual([]);
    expect(printScript(parsed.value)).toContain("UID 'bid-source'");

    const broken = compile('INSERT INTO out FROM nowhere;', { file: 'broken.pipe' });
    expect(broken.value).toBeUndefined();
    const text = formatDiagnostics(broken.diagnostics, new Map([['broken.pipe', new SourceText('broken.pipe', 'INSERT INTO out FROM nowhere;')]]));
    expect(text).toContain('broken.pipe:1:');
  });
});

import { describe, expect, it } from 'vitest';
import { compile } from '../../compiler/compile.js';
import { JobGraphSchema } from '../../compiler/graph/job-graph.js';
import { BID, sink } from '../plan/planning.js';

const program = `${BID} ${sink()} INSERT INTO out FROM bid |> WHERE price > 100;`;

describe('compile', () => {
  it('returns a job graph that passes the schema, named after the file', () => {
    const result = compile(program, { file: 'jobs/high-bids.pipe' });
    expect(result.diagnostics).toEqual([]);
    const graph = JobGraphSchema.parse(result.value);
    expect(graph).toMatchObject({ formatVersion: 1, name: 'high-bids', file: 'jobs/high-bids.pipe' });
    expect(graph.operators.map((op) => op.origin.file)).toEqual(['jobs/high-bids.pipe', 'jobs/high-bids.pipe', 'jobs/high-bids.pipe']);
  });

  it('names the pipeline by SET pipeline.name, an override winning over it, and "pipeline" without a file', () => {
    expect(compile(program).value!.name).toBe('pipeline');
    const named = `SET 'pipeline.name' = 'bids'; ${program}`;
    expect(compile(named, { file: 'x.pipe' }).value!.name).toBe('bids');
    expect(compile(named, { settings: { 'pipeline.name': 'override' } }).value!.name).toBe('override');
  });

  it('stops after syntax errors, without semantic checks', () => {
    const result = compile(`INSERT INTO nowhere FROM nothing |> WHERE;`);
    expect(result.value).toBeUndefined();
    expect(result.diagnostics.length).toBeGreaterThan(0);
    expect(result.diagnostics.every((d) => d.code.startsWith('SLC1'))).toBe(true);
  });

  it('gives no graph when there is an error, and sorts diagnostics by position', () => {
    const result = compile(`${sink()} INSERT INTO out FROM b; CREATE SOURCE s (a INT) WITH ('connector' = 'datagen');`);
    expect(result.value).toBeUndefined();
    const offsets = result.diagnostics.map((d) => d.span.offset);
    expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
    expect(result.diagnostics.length).toBeGreaterThanOrEqual(3);
  });

  it('still gives the graph when there are only warnings', () => {
    const result = compile(`${program} ${sink('idle')}`);
    expect(result.diagnostics.map((d) => d.severity)).toEqual(['warning']);
    expect(result.value).toBeDefined();
  });

  it('type-checks calls of the scalar functions it is given', () => {
    const text = `${BID} ${sink()} INSERT INTO out FROM bid |> SELECT to_euro(price) AS euro;`;
    const functions = { scalars: [{ name: 'to_euro', args: [{ name: 'BIGINT' as const }], returns: { name: 'DOUBLE' as const } }] };
    const graph = compile(text, { functions }).value!;
    expect(graph.operators[1]!.spec).toMatchObject({ kind: 'project', exprs: [{ op: 'udf', name: 'to_euro' }] });
    expect(compile(text).value).toBeUndefined();
  });
});

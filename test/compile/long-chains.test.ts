import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile } from '../../compiler/compile.js';
import { toJson } from '../../compiler/exporters/json.js';
import { renderExpr } from '../../compiler/exporters/render-expr.js';
import { JobGraphSchema } from '../../compiler/graph/job-graph.js';
import { parse } from '../../grammar/parse.js';
import { Job } from '../../runtime/index.js';
import { spawnSluice } from '../run/spawn-sluice.js';

/**
 * Issue 8 item 9: chains of thousands of terms at one precedence level compile (no stack overflow in the parser's
 * AST builder, the type checker, the graph's JSON and schema, the renderer or the code generator) and run.
 */

const SOURCE = `CREATE SOURCE src (a BIGINT, b BIGINT, s STRING, f BOOLEAN) WITH ('connector' = 'datagen') UID 'src';
CREATE SINK out WITH ('connector' = 'blackhole') UID 'out';`;

const ROWS = [
  { a: 1, b: 0, s: 'x', f: true },
  { a: 2, b: 1, s: 'yz', f: false },
  { a: 3, b: null, s: null, f: null },
];

function terms(n: number, term: (i: number) => string, operator: string): string {
  return Array.from({ length: n }, (_, i) => term(i)).join(` ${operator} `);
}

function compileSelect(select: string) {
  const { value, diagnostics } = compile(`${SOURCE}\nINSERT INTO out FROM src |> SELECT ${select};`, { file: 'chains.pipe' });
  expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return value!;
}

/** Runs `SELECT <select>` over ROWS through the Node API and returns the output rows. */
async function run(select: string): Promise<unknown[][]> {
  const graph = compileSelect(select);
  const written: unknown[][] = [];
  const job = await Job.start(graph, {
    sources: { src: ROWS },
    sinks: { out: (rows) => void rows.forEach((row) => written.push([...row])) },
  });
  expect((await job.done).status).toBe('finished');
  return written;
}

describe.each([1_500, 10_000])('a chain of %i terms', (n) => {
  it('of + and - adds up, NULL giving NULL', async () => {
    // a + a + … + a - b: every a but the last one is added.
    const rows = await run(`${terms(n - 1, () => 'a', '+')} - b AS r`);
    expect(rows).toEqual([[n - 1], [2 * (n - 1) - 1], [null]]);
  });

  it('of || concatenates', async () => {
    const rows = await run(`${terms(n, () => 's', '||')} AS r`);
    expect(rows).toEqual([['x'.repeat(n)], ['yz'.repeat(n)], [null]]);
  });

  it('of AND and of OR follow three-valued logic', async () => {
    const and = `${terms(n, (i) => `a > ${-i}`, 'AND')} AND f AS r`;
    const or = `${terms(n, (i) => `a = ${-1 - i}`, 'OR')} OR f AS r`;
    expect(await run(and)).toEqual([[true], [false], [null]]);
    expect(await run(or)).toEqual([[true], [false], [null]]);
  });

  it('survives the graph JSON, its schema and rendering, written as it was', () => {
    // a + b - a + b - …: one level, two operators.
    const text = Array.from({ length: n }, (_, i) => (i === 0 ? 'a' : `${i % 2 === 1 ? '+' : '-'} ${i % 2 === 1 ? 'b' : 'a'}`)).join(' ');
    const graph = compileSelect(`${text} AS r`);
    const reloaded = JobGraphSchema.parse(JSON.parse(toJson(graph)));
    const project = reloaded.operators.find((op) => op.spec.kind === 'project')!;
    expect(project.spec.kind === 'project' && renderExpr(project.spec.exprs[0]!)).toBe(text);
  });
});

describe('chains', () => {
  it('fold left with mixed operators of one level, as the nested form did', async () => {
    expect(await run('a - b + a - b - b AS r')).toEqual([[2], [1], [null]]);
    expect(await run('a * 3 / 2 % 5 * b AS r')).toEqual([[0], [3], [null]]);
    const { value } = parse('INSERT INTO out FROM src |> WHERE a - b + c - d;');
    const where = value.statements[0]!.kind === 'InsertInto' ? value.statements[0]!.pipeline.steps[0] : undefined;
    expect(where).toMatchObject({ condition: { kind: 'ChainExpr', operators: ['-', '+', '-'] } });
  });

  it('name the fold up to the failing link in a runtime error', async () => {
    const graph = compileSelect('a / b / 2 + a AS r');
    const job = await Job.start(graph, { sources: { src: ROWS }, sinks: { out: () => undefined } });
    const failure = await job.done.then(() => undefined, (error: unknown) => error);
    expect(String((failure as Error).cause)).toContain('division by zero in a / b');
    expect((failure as Error).cause).toMatchObject({ cause: { expression: 'a / b' } });
  });

  it('type each link as its operator: the mismatch points at the operator that fails', () => {
    const { diagnostics } = compile(`${SOURCE}\nINSERT INTO out FROM src |> SELECT a + a + s + a AS r;`);
    expect(diagnostics.map((d) => [d.code, d.span.offset])).toEqual([[expect.stringMatching(/^SLC3/), expect.any(Number)]]);
    const offset = diagnostics[0]!.span.offset;
    const text = `${SOURCE}\nINSERT INTO out FROM src |> SELECT a + a + s + a AS r;`;
    expect(text.slice(offset, offset + 1)).toBe('+');
    expect(text.slice(offset - 6, offset + 1)).toBe('a + a +');
  });
});

describe('sluice run', () => {
  it('runs a 10,000-term chain end to end and prints the right values', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-chains-'));
    try {
      await writeFile(
        join(dir, 'chain.pipe'),
        `CREATE SOURCE src (a BIGINT) WITH ('connector' = 'datagen', 'number-of-rows' = '3',
           'fields.a.kind' = 'sequence', 'fields.a.start' = '1', 'fields.a.end' = '3') UID 'src';
         CREATE SINK out WITH ('connector' = 'print') UID 'out';
         INSERT INTO out FROM src |> SELECT a, ${terms(10_000, () => 'a', '+')} AS r;\n`,
      );
      const sluice = spawnSluice(['run', 'chain.pipe'], dir);
      expect(await sluice.exit).toEqual({ code: 0, signal: null });
      expect(sluice.stdout().split('\n').filter((line) => line.startsWith('+I')).sort()).toEqual(['+I[1, 10000]', '+I[2, 20000]', '+I[3, 30000]']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../../compiler/compile.js';
import { MAX_EXPRESSION_DEPTH } from '../../grammar/expression-depth.js';
import { parse } from '../../grammar/parse.js';
import { compileProjection } from '../../runtime/expressions/compile-expr.js';
import { spawnSluice } from '../run/spawn-sluice.js';

/** Issue 8 item 9: nesting that cannot be flattened gets SLC3028 at a fixed depth instead of a stack overflow. */

const SOURCE = `CREATE SOURCE src (a BIGINT, f BOOLEAN) WITH ('connector' = 'datagen') UID 'src';
CREATE SINK out WITH ('connector' = 'blackhole') UID 'out';
INSERT INTO out FROM src |> SELECT `;

/** Each form nests `levels` levels (counting the innermost operand) and evaluates to a for a = 7, f = true. */
const NESTINGS: Record<string, (levels: number) => string> = {
  'parentheses around a chain': (n) => `${'(a - '.repeat(n - 1)}a${' + a)'.repeat(n - 1)}`,
  'function calls': (n) => `${'ABS('.repeat(n - 1)}a${')'.repeat(n - 1)}`,
  'CASE in CASE': (n) => `${'CASE WHEN f THEN '.repeat(n - 1)}a${' END'.repeat(n - 1)}`,
  'prefix NOT': (n) => `CASE WHEN ${'NOT '.repeat(n - 2)}f THEN a END`,
};

function compileSelect(expr: string) {
  const text = `${SOURCE}${expr} AS r;`;
  return { text, ...compile(text) };
}

describe(`expressions nested up to ${MAX_EXPRESSION_DEPTH} levels`, () => {
  it.each(Object.entries(NESTINGS))('compile and run: %s', (_name, nest) => {
    const { value, diagnostics } = compileSelect(nest(MAX_EXPRESSION_DEPTH));
    expect(diagnostics).toEqual([]);
    const project = value!.operators.find((op) => op.spec.kind === 'project')!;
    const projection = compileProjection(project.spec.kind === 'project' ? project.spec.exprs : []);
    // NOT applied an even number of times keeps f.
    expect(projection([7, true])).toEqual([7]);
  });
});

describe(`expressions nested deeper than ${MAX_EXPRESSION_DEPTH} levels`, () => {
  it.each(Object.entries(NESTINGS))('are SLC3028 with the depth and where the limit is passed: %s', (_name, nest) => {
    const { text, value, diagnostics } = compileSelect(nest(MAX_EXPRESSION_DEPTH + 1));
    expect(value).toBeUndefined();
    expect(diagnostics).toHaveLength(1);
    const [d] = diagnostics;
    expect(d!.code).toBe('SLC3028');
    expect(d!.message).toMatch(new RegExp(`^expression nested too deeply \\(\\d+ levels, at most ${MAX_EXPRESSION_DEPTH}\\)$`));
    // The report points into the SELECT expression, at the first bracket or sub-expression past the limit.
    expect(d!.span.offset).toBeGreaterThan(text.indexOf('SELECT'));
    expect(text.slice(d!.span.offset)).toMatch(/^(\(|CASE|NOT|a\b|f )/);
  });

  it('in brackets are reported before parsing, at the first bracket past the limit, with the depth reached', () => {
    const text = `${SOURCE}${'('.repeat(10_000)}a${')'.repeat(10_000)} AS r;`;
    const { value, diagnostics } = parse(text);
    expect(value.statements).toEqual([]);
    expect(diagnostics.map((d) => [d.code, d.message, d.span.offset])).toEqual([
      ['SLC3028', `expression nested too deeply (10000 levels, at most ${MAX_EXPRESSION_DEPTH})`, text.indexOf('SELECT ') + 'SELECT '.length + MAX_EXPRESSION_DEPTH],
    ]);
  });

  it('without brackets (100,000 NOTs, comparisons, IS NULLs) are found in the tree and leave the statement out', () => {
    for (const expr of ['NOT '.repeat(100_000) + 'f', Array(5_000).fill('f').join(' = '), `f${' IS NULL'.repeat(5_000)}`]) {
      const { value, diagnostics } = parse(`${SOURCE}${expr} AS r; SET 'a' = 'b';`);
      expect(diagnostics.map((d) => d.code)).toEqual(['SLC3028']);
      expect(value.statements.map((s) => s.kind)).toEqual(['CreateSource', 'CreateSink', 'SetStatement']);
    }
  });

  describe('through the CLI', () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'sluice-depth-'));
    });
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('sluice compile exits 1 with error[SLC3028], not 3 with a stack overflow', async () => {
      await writeFile(join(dir, 'deep.pipe'), `${SOURCE}\n${'('.repeat(3_000)}a${')'.repeat(3_000)} AS r;\n`);
      const sluice = spawnSluice(['compile', 'deep.pipe'], dir);
      expect(await sluice.exit).toEqual({ code: 1, signal: null });
      expect(sluice.stderr()).toContain('error[SLC3028]: expression nested too deeply (3000 levels, at most 200)');
      expect(sluice.stderr()).toContain('--> deep.pipe:4:201');
      expect(sluice.stderr()).not.toContain('internal error');
    });
  });
});

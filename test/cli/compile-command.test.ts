import { cp, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCompile, type CompileFlags } from '../../cli/commands/compile.js';
import { exitCodeFor } from '../../cli/exit-codes.js';
import { JobGraphSchema } from '../../compiler/graph/job-graph.js';
import { captureIO } from './capture-io.js';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
const defaults: CompileFlags = { set: [], color: false, quiet: false };

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-compile-'));
  await cp(fixtures, dir, { recursive: true });
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function run(file: string, flags: Partial<CompileFlags> = {}) {
  const io = captureIO(dir);
  const code = exitCodeFor(await runCompile(file, { ...defaults, ...flags }, io));
  return { code, stdout: io.out(), stderr: io.err() };
}

describe('sluice compile', () => {
  it('prints the summary of a valid file and exits 0', async () => {
    const { code, stdout, stderr } = await run('tiny.pipe');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^pipeline 'tiny' — \d+ operators in \d+ tasks?, parallelism 1, max parallelism 128\n/);
    expect(stdout).toContain('[bid-source]');
  });

  it('prints diagnostics with the source line and a caret, and exits 1', async () => {
    const { code, stdout, stderr } = await run('unknown-column.pipe');
    expect(code).toBe(1);
    expect(stdout).toBe('');
    // Wording belongs to the compiler's tests; this pins what the CLI adds: location, source line, caret, summary.
    expect(stderr).toMatch(/^error\[SLC3001\]: unknown column 'pricee'\n --> unknown-column.pipe:4:36\n/);
    expect(stderr).toContain('4 | INSERT INTO out FROM bids |> WHERE pricee > 100;\n  |                                    ^^^^^^\n');
    expect(stderr).toMatch(/\nerror: could not compile unknown-column.pipe \(1 error\)\n$/);
  });

  it('applies --set and --parallelism over the SET statements', async () => {
    const { code, stdout } = await run('tiny.pipe', { set: ['pipeline.name=renamed', 'pipeline.max-parallelism = 64'], parallelism: '3' });
    expect(code).toBe(0);
    expect(stdout).toMatch(/^pipeline 'renamed' — .*, parallelism 3, max parallelism 64\n/);
  });

  it('writes the graph as JSON that the schema accepts', async () => {
    const { code, stdout } = await run('tiny.pipe', { graph: 'json' });
    expect(code).toBe(0);
    expect(JobGraphSchema.parse(JSON.parse(stdout)).name).toBe('tiny');
  });

  it('writes --output atomically and prints the summary instead', async () => {
    const ok = await run('tiny.pipe', { graph: 'mermaid', output: 'tiny.mmd' });
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^pipeline 'tiny'/);
    expect(await readFile(join(dir, 'tiny.mmd'), 'utf8')).toMatch(/^%% pipeline tiny\nflowchart TB\n/);
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('reports an unwritable --output and leaves nothing behind', async () => {
    const { code, stderr } = await run('tiny.pipe', { graph: 'dot', output: 'missing/tiny.dot' });
    expect(code).toBe(2);
    expect(stderr).toMatch(/^error\[SLC9007\]: cannot write 'missing\/tiny.dot': no such file or directory/);
    expect((await readdir(dir)).filter((f) => f.includes('tiny.dot'))).toEqual([]);
  });

  it('prints nothing on success with --quiet', async () => {
    expect(await run('tiny.pipe', { quiet: true })).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('reports a missing file, a directory or a bad flag in one line and exits 2', async () => {
    const missing = await run('nope.pipe');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe(`error[SLC9001]: cannot find 'nope.pipe' (check the spelling; a relative path is resolved against the current directory, ${dir})\n`);
    expect((await run('.')).stderr).toMatch(/^error\[SLC9003\]: '\.' is a directory, not a file/);

    const flags = await run('tiny.pipe', { graph: 'svg', set: ['novalue'], parallelism: 'two' });
    expect(flags.code).toBe(2);
    expect(flags.stderr.split('\n').filter(Boolean).map((line) => line.replace(/ \(.*$/, ''))).toEqual([
      "error[SLC9004]: invalid value 'svg' for --graph",
      "error[SLC9005]: --set expects key=value, got 'novalue'",
      "error[SLC9004]: invalid value 'two' for --parallelism",
    ]);
  });

  it('rejects conflicting flags', async () => {
    const both = await run('tiny.pipe', { set: ['parallelism.default=2'], parallelism: '4' });
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/^error\[SLC9006\]: --parallelism and --set parallelism.default cannot be used together/);
    expect((await run('tiny.pipe', { quiet: true, output: 'summary.txt' })).stderr).toMatch(/^error\[SLC9006\]: --quiet and --output/);
  });

  it('passes the functions of --functions to the compiler', async () => {
    const bad = await run('tiny.pipe', { functions: 'throws.mjs' });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^error\[SLC9011\]: cannot load the functions module 'throws.mjs'/);
    expect((await run('tiny.pipe', { functions: 'functions.mjs' })).code).toBe(0);
  });
});

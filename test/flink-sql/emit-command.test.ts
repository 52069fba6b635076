import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCompile, type CompileFlags } from '../../cli/commands/compile.js';
import { exitCodeFor } from '../../cli/exit-codes.js';
import { captureIO } from '../cli/capture-io.js';

const defaults: CompileFlags = { set: [], color: false, quiet: false };

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-flink-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function run(flags: Partial<CompileFlags>, file = 'job.pipe') {
  const io = captureIO(dir);
  const code = exitCodeFor(await runCompile(file, { ...defaults, ...flags }, io));
  return { code, stdout: io.out(), stderr: io.err() };
}

const SOURCE = `CREATE SOURCE bids (auction BIGINT, price BIGINT, date_time TIMESTAMP(3),
  WATERMARK FOR date_time AS date_time - INTERVAL '1' SECOND
) WITH ('connector' = 'nexmark', 'table' = 'bid', 'events' = '1000') UID 'bid-source';
CREATE SINK out WITH ('connector' = 'blackhole') UID 'out';
`;

describe('sluice compile --emit flink-sql', () => {
  it('writes the script to standard output and exits 0', async () => {
    await writeFile(join(dir, 'job.pipe'), `${SOURCE}INSERT INTO out FROM bids |> WHERE price > 100;\n`);
    const { code, stdout, stderr } = await run({ emit: 'flink-sql' });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain("CREATE TEMPORARY VIEW filter_1 AS\nSELECT *\nFROM bids\nWHERE price > 100;");
    expect(stdout).toMatch(/EXECUTE STATEMENT SET\nBEGIN\n\nINSERT INTO `out`\nSELECT \*\nFROM filter_1;\n\nEND;\n$/);
  });

  it('writes --output atomically, leaving no temporary file', async () => {
    await writeFile(join(dir, 'job.pipe'), `${SOURCE}INSERT INTO out FROM bids;\n`);
    const { code, stdout } = await run({ emit: 'flink-sql', output: 'job.sql' });
    expect(code).toBe(0);
    expect(stdout).toBe('');
    expect((await readFile(join(dir, 'job.sql'), 'utf8')).startsWith('-- Flink SQL for job.pipe')).toBe(true);
    expect((await readdir(dir)).sort()).toEqual(['job.pipe', 'job.sql']);
  });

  it('lists every construct that does not translate, writes nothing and exits 1', async () => {
    const functions = join(dir, 'functions.mjs');
    await writeFile(
      functions,
      "export const functions = [{ name: 'twice', args: ['BIGINT'], returns: 'BIGINT', fn: (n) => 2 * n }];\n",
    );
    await writeFile(
      join(dir, 'job.pipe'),
      `${SOURCE}INSERT INTO out FROM bids\n|> WHERE twice(price) > 100\n|> DEDUPLICATE BY auction % 10 UID 'dedup';\n`,
    );
    const { code, stdout, stderr } = await run({ emit: 'flink-sql', output: 'job.sql', functions });
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain("error[SLC7002]: the JavaScript function twice() in step 'filter-1 at job.pipe:6:4' is JavaScript, which cannot run on Flink\n --> job.pipe:6:4");
    expect(stderr).toContain("error[SLC7001]: DEDUPLICATE BY an expression in step 'dedup' has no Flink SQL translation\n --> job.pipe:7:4");
    expect(stderr).toMatch(/\nerror: cannot translate job\.pipe to Flink SQL \(2 errors\)\n$/);
    expect(await readdir(dir)).not.toContain('job.sql');

    const checked = await run({ emit: 'flink-sql', check: true, functions });
    expect(checked.code).toBe(1);
    expect(checked.stderr).toBe(stderr);
  });

  it('--check of a translatable job says so and writes no script', async () => {
    await writeFile(join(dir, 'job.pipe'), `${SOURCE}INSERT INTO out FROM bids;\n`);
    expect(await run({ emit: 'flink-sql', check: true })).toEqual({ code: 0, stdout: 'job.pipe translates to Flink SQL\n', stderr: '' });
  });

  it('refuses flags that do not go together, as usage errors (exit code 2)', async () => {
    await writeFile(join(dir, 'job.pipe'), `${SOURCE}INSERT INTO out FROM bids;\n`);
    const cases: [Partial<CompileFlags>, string][] = [
      [{ emit: 'spark-sql' }, "error[SLC9004]: invalid value 'spark-sql' for --emit"],
      [{ check: true }, 'error[SLC9015]: --check only applies to --emit flink-sql'],
      [{ emit: 'flink-sql', graph: 'json' }, 'error[SLC9006]: --emit and --graph cannot be used together'],
    ];
    for (const [flags, message] of cases) {
      const { code, stderr } = await run(flags);
      expect(code).toBe(2);
      expect(stderr).toContain(message);
    }
  });
});

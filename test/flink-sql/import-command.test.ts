import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runImport } from '../../cli/commands/import.js';
import { exitCodeFor } from '../../cli/exit-codes.js';
import { compile } from '../../compiler/compile.js';
import { captureIO } from '../cli/capture-io.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-import-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function run(file: string, output?: string) {
  const io = captureIO(dir);
  const outcome = await runImport(file, { color: false, ...(output === undefined ? {} : { output }) }, io);
  return { code: exitCodeFor(outcome), out: io.out(), err: io.err() };
}

describe('sluice import', () => {
  it('writes the .pipe file and prints the generated uids with their places in the script', async () => {
    await writeFile(join(dir, 'q5.sql'), await readFile('test/flink-sql/golden/nexmark-q5.sql', 'utf8'));
    const result = await run('q5.sql', 'q5.pipe');
    expect(result.code).toBe(0);
    expect(result.out).toBe('');
    expect(result.err).toBe(
      [
        "generated uids (keep them: a savepoint's state is matched by uid):",
        '  bid-source            nexmark source bid (q5.sql:21:23)',
        '  q5-count-per-auction  AGGREGATE in view q5_count_per_auction (q5.sql:28:1)',
        '  q5-max-per-window     AGGREGATE in view q5_max_per_window (q5.sql:34:1)',
        '  q5-join-max           JOIN with q5_max_per_window in view q5_join_max (q5.sql:42:1)',
        '  q5-sink               sink q5 (q5.sql:53:24)',
        '',
      ].join('\n'),
    );
    const pipe = await readFile(join(dir, 'q5.pipe'), 'utf8');
    expect(compile(pipe, { file: 'q5.pipe' }).value).toBeDefined();
  });

  it('writes to standard output without --output', async () => {
    await writeFile(join(dir, 'q0.sql'), await readFile('test/flink-sql/golden/nexmark-q0.sql', 'utf8'));
    const result = await run('q0.sql');
    expect(result.code).toBe(0);
    expect(result.out).toContain("CREATE SOURCE bid (");
  });

  it('an unsupported construct is an error with its place and a caret, exit code 1, and nothing is written', async () => {
    await writeFile(join(dir, 'job.sql'), "CREATE TABLE k (id BIGINT) WITH ('connector' = 'kafka');\nCREATE TABLE s (id BIGINT) WITH ('connector' = 'print');\nINSERT INTO s SELECT id FROM k;\n");
    const result = await run('job.sql', 'job.pipe');
    expect(result.code).toBe(1);
    expect(result.err).toBe(
      [
        "error[SLC7102]: connector 'kafka' of table 'k' has no Sluice counterpart",
        ' --> job.sql:1:48',
        '  |',
        "1 | CREATE TABLE k (id BIGINT) WITH ('connector' = 'kafka');",
        '  |                                                ^^^^^^^',
        "  = help: Sluice reads and writes 'filesystem' (json or csv), 'datagen', 'nexmark', 'print' and 'blackhole'",
        '',
        'error: could not import job.sql (1 error)',
        '',
      ].join('\n'),
    );
    await expect(readFile(join(dir, 'job.pipe'), 'utf8')).rejects.toThrow();
  });

  it('a missing file is a usage error (exit code 2)', async () => {
    expect((await run('missing.sql')).code).toBe(2);
  });
});

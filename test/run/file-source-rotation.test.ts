import { appendFile, link, mkdir, mkdtemp, rename, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { committedRows } from '../checkpoint/chaos-harness.js';
import { startRun, testEnvironment, until } from './run-in-process.js';
import { spawnSluice } from './spawn-sluice.js';

/** Issue 8 item 6: a continuous file source under log rotation, and files removed while the job was down. */
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-rotation-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function source(path: string): string {
  return `CREATE SOURCE s (id BIGINT) WITH ('connector' = 'file', 'path' = '${path}', 'format' = 'jsonl', 'mode' = 'continuous', 'source.monitor-interval' = '20ms') UID 's';\n`;
}

const printed = (stdout: string): string[] => stdout.split('\n').filter((line) => line !== '');

describe('sluice run with a continuous file source', () => {
  it('reads every row once through copytruncate and rename rotation, and warns on stderr even with --quiet', async () => {
    const log = join(dir, 'app.log');
    await writeFile(log, '{"id":1}\n{"id":2}\n{"id":3}\n');
    await writeFile(join(dir, 'job.pipe'), `${source(log)}CREATE SINK out WITH ('connector' = 'print') UID 'out';\nINSERT INTO out FROM s;\n`);
    const env = testEnvironment();
    const run = startRun(join(dir, 'job.pipe'), { quiet: true }, { cwd: dir, env });
    await until(() => printed(run.stdout.text()).length === 3);

    // copytruncate: the content is copied away, the file emptied in place and written on.
    await truncate(log, 0);
    await appendFile(log, '{"id":4}\n');
    await until(() => printed(run.stdout.text()).length === 4);

    // Rename rotation: the writer's last line lands in the rotated file, then a new file takes the path. (Moved in
    // one step here; had the path been empty for a moment, the old file would simply be done, without a warning.)
    await appendFile(log, '{"id":5}\n');
    await link(log, join(dir, 'app.log.1'));
    await writeFile(join(dir, 'new.log'), '{"id":6}\n');
    await rename(join(dir, 'new.log'), log);
    await until(() => printed(run.stdout.text()).length === 6);

    env.signals.emit('SIGINT');
    expect(await run.exit).toBe(130);
    expect(printed(run.stdout.text())).toEqual(['+I[1]', '+I[2]', '+I[3]', '+I[4]', '+I[5]', '+I[6]']);
    const warnings = run.stderr.text().split('\n').filter((line) => line.startsWith('warning: '));
    // The source may look while the file is still empty: 0 or 9 bytes.
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(
      new RegExp(`^warning: s: ${log} was truncated to [09] bytes after 27 had been read \\(copytruncate log rotation\\?\\): reading it again from the start$`),
    );
    expect(warnings[1]).toBe(`warning: s: ${log} was replaced by another file (rename log rotation?): reading the old file to its end, then the new one from the start`);
  });

  it('resumes after SIGKILL when a file it had read to its end was removed, without duplicates', async () => {
    const input = join(dir, 'in');
    const out = join(dir, 'out');
    await mkdir(input);
    await writeFile(join(input, 'a.jsonl'), '{"id":1}\n{"id":2}\n');
    await writeFile(join(input, 'b.jsonl'), '{"id":3}\n');
    await writeFile(
      join(dir, 'job.pipe'),
      "SET 'execution.checkpointing.interval' = '100ms';\n" +
        `SET 'state.checkpoints.dir' = '${join(dir, 'checkpoints')}';\n` +
        source(input) +
        `CREATE SINK out WITH ('connector' = 'file', 'path' = '${out}', 'format' = 'jsonl') UID 'out';\nINSERT INTO out FROM s;\n`,
    );
    const first = spawnSluice(['run', join(dir, 'job.pipe'), '--quiet'], dir);
    await until(() => committedRows(out).length === 3, 60_000);
    first.kill('SIGKILL');
    expect((await first.exit).signal).toBe('SIGKILL');

    await rm(join(input, 'a.jsonl'));
    const env = testEnvironment();
    const resumed = startRun(join(dir, 'job.pipe'), { resume: true }, { cwd: dir, env });
    await until(() => resumed.stderr.text().includes('restored from checkpoint'));
    await writeFile(join(input, 'c.jsonl'), '{"id":4}\n');
    await until(() => committedRows(out).length === 4);
    env.signals.emit('SIGINT');
    expect(await resumed.exit).toBe(130);
    expect(committedRows(out)).toEqual(['{"id":1}', '{"id":2}', '{"id":3}', '{"id":4}']);
    expect(resumed.stderr.text()).not.toMatch(/warning|restarting|cannot read/);
  });
});

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { METADATA_FILE, parseMetadata, serializeMetadata } from '../../runtime/checkpoint/metadata/metadata-format.js';
import { runInProcess, startRun, testEnvironment, until } from '../run/run-in-process.js';

/**
 * "Available now" (Spark's Trigger.AvailableNow): a bounded file source restored with `--resume` reads every file of
 * its directory it has not read yet, then finishes — so running it from cron processes each new file exactly once,
 * with its state carried over. Real files, real checkpoints, the CLI in this process.
 */
describe('a bounded file source resumed over a directory with new files', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-available-now-'));
  const input = path.join(root, 'in');
  const checkpoints = path.join(root, 'checkpoints');
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  const pipeText = (mode: 'bounded' | 'continuous') => `SET 'pipeline.name' = 'hourly';
SET 'execution.checkpointing.interval' = '${mode === 'bounded' ? '10 s' : '50ms'}';
SET 'state.checkpoints.dir' = '${checkpoints}';
SET 'state.checkpoints.num-retained' = '3';
CREATE SOURCE events (k STRING, v INT) WITH ('connector' = 'file', 'path' = '${input}', 'format' = 'jsonl', 'mode' = '${mode}', 'source.monitor-interval' = '50ms') UID 'events';
CREATE SINK console WITH ('connector' = 'print') UID 'console';
INSERT INTO console FROM events |> AGGREGATE COUNT(*) AS n, SUM(v) AS total GROUP BY k UID 'per-k';
`;
  const pipe = (mode: 'bounded' | 'continuous') => {
    const file = path.join(root, `${mode}.pipe`);
    fs.writeFileSync(file, pipeText(mode));
    return file;
  };
  /** All rows written so far, per key, to check totals against. */
  const written = new Map<string, { n: number; total: number }>();
  const addFile = (name: string, rows: readonly [string, number][]) => {
    fs.writeFileSync(path.join(input, name), rows.map(([k, v]) => `${JSON.stringify({ k, v })}\n`).join(''));
    for (const [k, v] of rows) {
      const sum = written.get(k) ?? { n: 0, total: 0 };
      written.set(k, { n: sum.n + 1, total: sum.total + v });
    }
  };
  /** The last value printed per key (the aggregate's changelog, subtask prefixes removed). */
  const latest = (stdout: string) => {
    const values = new Map<string, { n: number; total: number }>();
    for (const line of stdout.split('\n')) {
      const match = /^(?:\d+> )?(\+I|\+U)\[(\w+), (\d+), (\d+)\]$/.exec(line);
      if (match !== null) values.set(match[2]!, { n: Number(match[3]), total: Number(match[4]) });
    }
    return values;
  };
  const rowsRead = (stderr: string) => Number(/source events\s+(\d+) rows read/.exec(stderr)![1]);
  const expectTotals = (stdout: string, keys: readonly string[]) => {
    const printed = latest(stdout);
    expect([...printed.keys()].sort()).toEqual([...keys].sort());
    for (const key of keys) expect(printed.get(key)).toEqual(written.get(key));
  };
  /**
   * Stops a continuous run once a checkpoint taken from now on completed (the second to complete: the first may have
   * been under way already), so that the next run resumes after what it read.
   */
  const stopAfterNextCheckpoint = async (env: ReturnType<typeof testEnvironment>) => {
    const dir = path.join(checkpoints, 'hourly');
    const completed = () => fs.readdirSync(dir).filter((name) => name.startsWith('chk-') && fs.existsSync(path.join(dir, name, METADATA_FILE)));
    const before = completed();
    await until(() => completed().filter((name) => !before.includes(name)).length >= 2);
    env.signals.emit('SIGINT');
  };
  const run = (file: string, flags: Parameters<typeof runInProcess>[1] = {}) => runInProcess(file, flags, { cwd: root });

  it('reads exactly the new files on every --resume, state carried over, and says how many it found', async () => {
    fs.mkdirSync(input);
    addFile('1.jsonl', [
      ['a', 1],
      ['b', 2],
    ]);
    addFile('2.jsonl', [['a', 3]]);
    const first = await run(pipe('bounded'), { resume: true });
    expect(first.code).toBe(0);
    expectTotals(first.stdout, ['a', 'b']);
    expect(rowsRead(first.stderr)).toBe(3);

    addFile('3.jsonl', [
      ['a', 10],
      ['c', 5],
    ]);
    const second = await run(pipe('bounded'), { resume: true });
    expect(second.code).toBe(0);
    expect(rowsRead(second.stderr)).toBe(2);
    // Counts go on from the first run's: a was counted twice before.
    expectTotals(second.stdout, ['a', 'c']);
    expect(second.stderr).toContain('source events: 1 new file since the restored snapshot');

    const nothingNew = await run(pipe('bounded'), { resume: true });
    expect(nothingNew.code).toBe(0);
    expect(rowsRead(nothingNew.stderr)).toBe(0);
    expect(nothingNew.stdout).toBe('');
    expect(nothingNew.stderr).toContain('source events: 0 new files since the restored snapshot');
  }, 60_000);

  it('after a rescale 1 → 2 → 1 too: every subtask knows the files any read', async () => {
    addFile('4.jsonl', [['b', 7]]);
    addFile('5.jsonl', [['d', 1]]);
    addFile('6.jsonl', [['e', 2]]);
    const wider = await run(pipe('bounded'), { resume: true, parallelism: '2' });
    expect(wider.code).toBe(0);
    expect(rowsRead(wider.stderr)).toBe(3);
    expectTotals(wider.stdout, ['b', 'd', 'e']);
    expect(wider.stderr).toContain('source events: 3 new files since the restored snapshot');

    addFile('7.jsonl', [['a', 100]]);
    const narrower = await run(pipe('bounded'), { resume: true, parallelism: '1' });
    expect(narrower.code).toBe(0);
    expect(rowsRead(narrower.stderr)).toBe(1);
    expectTotals(narrower.stdout, ['a']);
  }, 60_000);

  it('switching to continuous and back works the same way', async () => {
    addFile('8.jsonl', [['c', 1]]);
    const env = testEnvironment();
    const continuous = startRun(pipe('continuous'), { resume: true }, { cwd: root, env });
    await until(() => latest(continuous.stdout.text()).get('c')?.n === written.get('c')!.n);
    // A file that appears while it runs is discovered as in any continuous run.
    addFile('9.jsonl', [['f', 9]]);
    await until(() => latest(continuous.stdout.text()).has('f'));
    await stopAfterNextCheckpoint(env);
    expect(await continuous.exit).toBe(130);
    expectTotals(continuous.stdout.text(), ['c', 'f']);
    expect(continuous.stderr.text()).toContain('source events: 1 new file since the restored snapshot');

    addFile('10.jsonl', [['d', 4]]);
    const bounded = await run(pipe('bounded'), { resume: true });
    expect(bounded.code).toBe(0);
    expect(bounded.stdout).not.toContain('[f,');
    expect(rowsRead(bounded.stderr)).toBe(1);
    expectTotals(bounded.stdout, ['d']);
  }, 60_000);

  it('a snapshot from before the record of files read restores as it did (no new file read), with a warning', async () => {
    // The newest checkpoint as an older Sluice wrote it: without the 'known-splits' list and its declaration.
    const dir = path.join(checkpoints, 'hourly');
    const newest = fs
      .readdirSync(dir)
      .flatMap((name) => /^chk-(\d+)$/.exec(name)?.slice(1).map(Number) ?? [])
      .sort((a, b) => b - a)[0]!;
    const file = path.join(dir, `chk-${newest}`, METADATA_FILE);
    const read = parseMetadata(fs.readFileSync(file, 'utf8'), file);
    if (!('metadata' in read)) throw new Error(read.error);
    const withoutKnown = <T extends { state: readonly { name: string }[] }>(op: T): T => ({ ...op, state: op.state.filter((s) => s.name !== 'known-splits') });
    const metadata = {
      ...read.metadata,
      operators: read.metadata.operators.map((op) => ({
        ...withoutKnown(op),
        subtasks: op.subtasks.map((s) => ({ ...s, operatorState: s.operatorState.filter((l) => l.name !== 'known-splits') })),
      })),
      graph: read.metadata.graph === null ? null : { ...read.metadata.graph, operators: read.metadata.graph.operators.map(withoutKnown) },
    };
    fs.writeFileSync(file, serializeMetadata(metadata));

    addFile('11.jsonl', [['g', 1]]);
    const old = await run(pipe('bounded'), { resume: true });
    expect(old.code).toBe(0);
    expect(rowsRead(old.stderr)).toBe(0);
    expect(old.stderr).toContain('predates the record of the splits this source read');
    // Its final checkpoint starts the record: the next run reads the file.
    const next = await run(pipe('bounded'), { resume: true });
    expect(next.code).toBe(0);
    expect(rowsRead(next.stderr)).toBe(1);
    expectTotals(next.stdout, ['g']);
  }, 60_000);

  it('a continuous source rescales too (1 → 2), reading only new files', async () => {
    const env = testEnvironment();
    const continuous = startRun(pipe('continuous'), { resume: true, parallelism: '2' }, { cwd: root, env });
    addFile('12.jsonl', [['h', 3]]);
    await until(() => latest(continuous.stdout.text()).has('h'));
    await stopAfterNextCheckpoint(env);
    expect(await continuous.exit).toBe(130);
    expect(continuous.stderr.text()).not.toContain('cannot restore');
    expect(rowsRead(continuous.stderr.text())).toBe(1);
    expectTotals(continuous.stdout.text(), ['h']);
  }, 60_000);
});

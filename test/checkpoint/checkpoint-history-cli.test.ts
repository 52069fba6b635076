import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatHistory, runCheckpoints } from '../../cli/commands/checkpoints.js';
import { CheckpointsJsonSchema, type CheckpointsJson } from '../../cli/checkpoints-json.js';
import { exitCodeFor } from '../../cli/exit-codes.js';
import type { CliIO } from '../../cli/output.js';
import { parsePointInTime } from '../../cli/point-in-time.js';
import { METADATA_FILE, parseMetadata, serializeMetadata } from '../../runtime/checkpoint/metadata/metadata-format.js';
import { Job } from '../../runtime/execution/job.js';
import { compilePipe } from '../operators/run-pipe.js';
import { collector, runInProcess, testEnvironment } from '../run/run-in-process.js';

const HOUR = 3_600_000;
const ROWS = 1200;
/**
 * Three seconds of input: at a load average of 20-25 the first checkpoints of a run took more than 0.8 s (1,500 rows
 * a second) to complete. The restored runs add their own checkpoints, hundreds on a quiet machine: num-retained is
 * 1000 so that none of the first run's is dropped.
 */
const ROWS_PER_SECOND = 400;

/**
 * A pipeline with real retained checkpoints (and a savepoint) taken while a rate-limited sequence was read: each one
 * holds another source position, so the rows a restored run prints tell which one it restored. Their completion
 * times are then moved into the past by rewriting `_metadata` (checksum included), one hour apart: no sleeps.
 */
describe('sluice checkpoints and --resume --before', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-history-'));
  const pipe = path.join(root, 'job.pipe');
  const pipelineDir = path.join(root, 'checkpoints', 'history');
  const now = Date.now();
  /** chk ids, oldest first, as the first run left them. */
  let ids: number[] = [];
  let savepointDir = '';

  /** Sets when a snapshot completed (and was triggered, 5 ms before). */
  const setCompletedAt = (dir: string, completedAt: number) => {
    const file = path.join(dir, METADATA_FILE);
    const read = parseMetadata(fs.readFileSync(file, 'utf8'), file);
    if (!('metadata' in read)) throw new Error(read.error);
    fs.writeFileSync(file, serializeMetadata({ ...read.metadata, timestamp: completedAt - 5, completedAt }));
  };
  const chkDir = (id: number) => path.join(pipelineDir, `chk-${id}`);
  const checkpoints = async (args: { json?: boolean; target?: string } = {}) => {
    const stdout = collector();
    const stderr = collector();
    const io: CliIO = { stdout, stderr, env: {}, cwd: root };
    const code = exitCodeFor(await runCheckpoints(args.target ?? pipe, { set: [], json: args.json === true, color: false }, io, () => now));
    return { code, stdout: stdout.text(), stderr: stderr.text() };
  };
  const run = (flags: { from?: string; before?: string }) =>
    runInProcess(pipe, { ...(flags.before === undefined ? {} : { resume: true, before: flags.before }), ...(flags.from === undefined ? {} : { from: flags.from }) }, { cwd: root, env: { ...testEnvironment(), now: () => now } });
  const printedIds = (stdout: string) => stdout.split('\n').filter((line) => line !== '').map((line) => Number(/^\+I\[(\d+)\]$/.exec(line)![1]));

  beforeAll(async () => {
    fs.writeFileSync(
      pipe,
      `SET 'pipeline.name' = 'history';
SET 'execution.checkpointing.interval' = '30ms';
SET 'state.checkpoints.dir' = '${path.join(root, 'checkpoints')}';
SET 'state.savepoints.dir' = '${path.join(root, 'savepoints')}';
SET 'state.checkpoints.num-retained' = '1000';
CREATE SOURCE ticks (id BIGINT) WITH ('connector' = 'datagen', 'fields.id.kind' = 'sequence', 'fields.id.start' = '1',
  'fields.id.end' = '${ROWS}', 'rows-per-second' = '${ROWS_PER_SECOND}') UID 'ticks';
CREATE SINK console WITH ('connector' = 'print') UID 'console';
CREATE SINK none WITH ('connector' = 'blackhole') UID 'none';
INSERT INTO console FROM ticks |> SELECT id;
INSERT INTO none FROM ticks |> AGGREGATE COUNT(*) AS n GROUP BY id % 3 AS k UID 'counts';
`,
    );
    // Through the API, to take a savepoint half way.
    const graph = compilePipe(fs.readFileSync(pipe, 'utf8'));
    const job = await Job.start(graph, { sinks: { console: () => undefined } });
    let completed = 0;
    await Promise.race([
      new Promise<void>((resolve) => job.on('checkpoint-completed', () => ++completed === 4 && resolve())),
      job.done.then(() => {
        throw new Error(`the job finished after ${completed} checkpoints, before the 4th: the savepoint cannot be taken half way`);
      }),
    ]);
    savepointDir = (await job.savepoint()).path;
    await job.done;
    ids = fs
      .readdirSync(pipelineDir)
      .flatMap((name) => /^chk-(\d+)$/.exec(name)?.slice(1).map(Number) ?? [])
      .sort((a, b) => a - b);
    // Oldest id = most hours ago; the savepoint sits between the 2nd and the 3rd checkpoint (½ h before the 3rd).
    ids.forEach((id, index) => setCompletedAt(chkDir(id), now - (ids.length - index) * HOUR));
    setCompletedAt(savepointDir, now - (ids.length - 2) * HOUR - HOUR / 2);
  }, 60_000);
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it('lists every retained checkpoint and the savepoint, oldest first, with completion time, age, size, duration and type', async () => {
    expect(ids.length).toBeGreaterThanOrEqual(6);
    const { code, stdout } = await checkpoints();
    expect(code).toBe(0);
    const lines = stdout.split('\n');
    expect(lines[0]).toBe(`pipeline 'history': checkpoints in ${pipelineDir} (state.checkpoints.num-retained = 1000)`);
    const rows = lines.slice(lines.indexOf('') + 2).filter((line) => line !== '');
    expect(rows).toHaveLength(ids.length + 1);
    // The oldest: ids.length hours ago, triggered 5 ms before it completed.
    const oldest = new Date(now - ids.length * HOUR).toISOString();
    expect(rows[0]).toMatch(new RegExp(`^${ids[0]}\\s+checkpoint, (full|incremental)\\s+${oldest}\\s+${ids.length} h 00 min ago\\s+\\d+ bytes\\s+5 ms\\s+${chkDir(ids[0]!)}$`));
    expect(rows[2]).toMatch(/^\d+\s+savepoint\s+/);
    expect(rows[2]).toContain(savepointDir);
  });

  it('--json parses with its schema and tells full from incremental checkpoints', async () => {
    const { code, stdout } = await checkpoints({ json: true });
    expect(code).toBe(0);
    const json: CheckpointsJson = CheckpointsJsonSchema.parse(JSON.parse(stdout));
    expect(json.snapshots.filter((s) => s.type === 'checkpoint').map((s) => s.id)).toEqual(ids);
    expect(json.snapshots.filter((s) => s.type === 'savepoint').map((s) => s.path)).toEqual([savepointDir]);
    expect(json.snapshots.every((s) => s.problem === null && s.durationMs === 5 && s.bytes > 0)).toBe(true);
    const savepoint = json.snapshots.find((s) => s.type === 'savepoint')!;
    expect(savepoint.incremental).toBe(false);
    expect(savepoint.ageMs).toBe((ids.length - 2) * HOUR + HOUR / 2);
    // A chain grows a delta per checkpoint until it is renewed (docs/checkpoints.md): both kinds are retained.
    expect(new Set(json.snapshots.filter((s) => s.type === 'checkpoint').map((s) => s.incremental))).toEqual(new Set([true, false]));
    // The same from the checkpoint directory alone (savepoints: only the recorded newest one).
    const byDir = CheckpointsJsonSchema.parse(JSON.parse((await checkpoints({ json: true, target: pipelineDir })).stdout));
    expect(byDir.snapshots.map((s) => s.id)).toEqual(json.snapshots.map((s) => s.id));
    expect(byDir.pipeline).toBe('history');
  });

  it('--before restores the newest snapshot completed by then, and the restored run reads on from its position', async () => {
    // A checkpoint half way completed ids.length - mid hours ago; half an hour later is too early for the next one.
    const mid = Math.floor(ids.length / 2);
    const target = ids[mid]!;
    const resumed = await run({ before: `${ids.length - mid - 1} h 30 min ago` });
    expect(resumed.stderr).toContain(`restored from checkpoint ${target} at ${chkDir(target)}`);
    expect(resumed.stderr).toContain(`completed at ${new Date(now - (ids.length - mid) * HOUR).toISOString()}: the newest retained snapshot completed at or before`);
    expect(resumed.code).toBe(0);
    const reference = await run({ from: chkDir(target) });
    expect(reference.code).toBe(0);
    const rows = printedIds(resumed.stdout);
    expect(rows).toEqual(printedIds(reference.stdout));
    // Exactly the rows after the restored position: some were read before it, the sequence goes on to its end.
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.length).toBeLessThan(ROWS);
    expect(rows).toEqual(Array.from({ length: rows.length }, (_, i) => ROWS - rows.length + 1 + i));
  }, 30_000);

  it('--before picks the savepoint when it is the newest old enough (and an ISO time works)', async () => {
    const at = new Date(now - (ids.length - 2) * HOUR - HOUR / 4).toISOString();
    const resumed = await run({ before: at });
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toContain(`restored from savepoint`);
    expect(resumed.stderr).toContain(savepointDir);
  }, 30_000);

  it('refuses with SLC9220 when nothing is old enough, naming the oldest retained', async () => {
    const refused = await run({ before: `${ids.length + 1} hours ago` });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('error[SLC9220]');
    expect(refused.stderr).toContain(`the oldest retained is chk-${ids[0]}, completed at ${new Date(now - ids.length * HOUR).toISOString()}`);
    expect(refused.stdout).toBe('');
  });

  it('a checkpoint whose chain lost a file is listed as not restorable and passed over by --before', async () => {
    // An incremental checkpoint lists its chain's base by its shared name: remove that file.
    const json = CheckpointsJsonSchema.parse(JSON.parse((await checkpoints({ json: true })).stdout));
    const incremental = json.snapshots.find((s) => s.type === 'checkpoint' && s.incremental && s.id > ids[1]! && ids.includes(s.id))!;
    const file = path.join(incremental.path, METADATA_FILE);
    const read = parseMetadata(fs.readFileSync(file, 'utf8'), file);
    if (!('metadata' in read)) throw new Error(read.error);
    const base = read.metadata.operators.flatMap((op) => op.subtasks.flatMap((s) => s.keyedState)).find((f) => f.delta !== true && f.shared !== undefined)!;
    fs.rmSync(path.resolve(incremental.path, base.path));

    const after = CheckpointsJsonSchema.parse(JSON.parse((await checkpoints({ json: true })).stdout));
    expect(after.snapshots.find((s) => s.id === incremental.id)!.problem).toMatch(/ENOENT|no such file|does not exist/);
    const hoursAgo = (now - Date.parse(incremental.completedAt)) / HOUR;
    const resumed = await run({ before: `${hoursAgo} hours ago` });
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toContain(`skipped chk-${incremental.id}: `);
    expect(resumed.stderr).not.toContain(`restored from checkpoint ${incremental.id} `);
  }, 30_000);

  it('refuses a directory that is no checkpoint directory, pointing at the pipeline directories inside', async () => {
    const { code, stderr } = await checkpoints({ target: path.join(root, 'checkpoints') });
    expect(code).toBe(2);
    expect(stderr).toContain('error[SLC9221]');
    expect(stderr).toContain('give one of its pipeline directories (history)');
  });
});

describe('--before times', () => {
  const now = Date.parse('2026-12-06T10:00:00Z');
  it.each([
    ['4 hours ago', now - 4 * 3_600_000],
    ['90 min ago', now - 90 * 60_000],
    ['1 day 2 h ago', now - 26 * 3_600_000],
    ['30m', now - 30 * 60_000],
    ['2.5 hours ago', now - 2.5 * 3_600_000],
    ['2026-12-06T01:00:00Z', Date.parse('2026-12-06T01:00:00Z')],
    ['2026-12-06T01:00:00+01:00', Date.parse('2026-12-06T00:00:00Z')],
  ])('%s', (text, expected) => expect(parsePointInTime(text, now)).toBe(expected));
  it.each(['yesterday', '4 fortnights ago', 'ago', '', '2026-13-45'])('refuses %j', (text) => expect(parsePointInTime(text, now)).toBeUndefined());
});

describe('sluice checkpoints, an unaligned checkpoint', () => {
  it('is listed as unaligned, with the records in flight next to its state size', () => {
    const snapshot = {
      id: 7,
      type: 'checkpoint' as const,
      incremental: true,
      completedAt: '2026-12-06T07:00:00.000Z',
      triggeredAt: '2026-12-06T06:59:59.000Z',
      ageMs: 60_000,
      durationMs: 1_000,
      bytes: 2048,
      unaligned: true,
      inFlightBytes: 40_960,
      path: '/chk/p/chk-7',
      jobId: 'p-1',
      problem: null,
    };
    const history: CheckpointsJson = { version: 1, pipeline: 'p', checkpointsDir: '/chk/p', savepointsDir: null, numRetained: 1, snapshots: [snapshot], damaged: [], problems: [] };
    expect(CheckpointsJsonSchema.parse(history)).toEqual(history);
    const row = formatHistory(history).split('\n').find((line) => line.startsWith('7 '))!;
    expect(row).toMatch(/^7\s+checkpoint, incremental, unaligned\s+2026-12-06T07:00:00.000Z\s+1 min 00 s ago\s+2\.0 kB \+ 41\.0 kB in flight\s+1\.00 s\s+\/chk\/p\/chk-7$/);
  });
});

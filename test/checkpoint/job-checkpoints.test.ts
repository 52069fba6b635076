import fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CheckpointStats } from '../../runtime/checkpoint/checkpoint-stats.js';
import { parseMetadata } from '../../runtime/checkpoint/metadata/metadata-format.js';
import { CheckpointRestoreError } from '../../runtime/checkpoint/restore/restore-error.js';
import { FileCheckpointStorage } from '../../runtime/checkpoint/storage/file-storage.js';
import type { CheckpointFileSystem } from '../../runtime/checkpoint/storage/file-system.js';
import { Job } from '../../runtime/execution/job.js';
import type { JobOptions } from '../../runtime/execution/job-options.js';
import { compilePipe } from '../operators/run-pipe.js';
import { committedRows } from './chaos-harness.js';
import { nexmarkJoinPipe } from './nexmark-join-pipe.js';
import { tempDir } from './state-fixtures.js';

/** The Nexmark join pipeline, checkpointed every 20 ms into a temporary directory. */
function setUp(settings: Record<string, string> = {}) {
  const dir = tempDir();
  const sinkDir = path.join(dir, 'out');
  const checkpoints = path.join(dir, 'checkpoints');
  // Paced to about a second, so that a run can be stopped after a few checkpoints.
  const graph = compilePipe(nexmarkJoinPipe({ sinkDir, events: 50_000, eventsPerSecond: 50_000 }), {
    settings: { 'parallelism.default': '2', 'execution.checkpointing.interval': '20ms', 'state.checkpoints.dir': checkpoints, ...settings },
  });
  const jobDir = path.join(checkpoints, graph.config.pipelineName);
  const start = async (options: JobOptions = {}) => {
    const job = await Job.start(graph, { batchSize: 8, ...options });
    const completed: CheckpointStats[] = [];
    job.on('checkpoint-completed', (stats) => completed.push(stats));
    return { job, completed };
  };
  /** Runs until checkpoint `checkpointId` completed, then cancels (as a stopped process would stop). */
  const runUntilCheckpoint = async (checkpointId: number) => {
    const { job } = await start();
    job.on('checkpoint-completed', (stats) => {
      if (stats.checkpointId === checkpointId) void job.cancel();
    });
    return job.done;
  };
  return { graph, sinkDir, jobDir, start, runUntilCheckpoint, rows: () => committedRows(sinkDir) };
}

const checkpointDirs = (jobDir: string) => (fs.existsSync(jobDir) ? fs.readdirSync(jobDir).filter((n) => n.startsWith('chk-')) : []);

describe('a checkpointed job', () => {
  let reference: string[];
  beforeAll(async () => {
    const { start, rows } = setUp({ 'execution.checkpointing.interval': '1h' });
    await (await start()).job.done;
    reference = rows();
  });

  it('ends bounded input with a final checkpoint that commits all output, and reports every checkpoint', async () => {
    const { start, rows, jobDir, sinkDir } = setUp();
    const { job, completed } = await start();
    const started: number[] = [];
    job.on('checkpoint-started', (event) => started.push(event.checkpointId));
    const result = await job.done;
    expect(rows()).toEqual(reference);
    expect(fs.readdirSync(sinkDir).filter((name) => name.startsWith('.part-'))).toEqual([]);
    const last = completed.at(-1)!;
    expect(last.final).toBe(true);
    expect(completed.slice(0, -1).every((s) => !s.final)).toBe(true);
    expect(started.at(-1)).toBe(last.checkpointId);
    expect(last.subtasks.map((s) => s.uid)).toEqual(expect.arrayContaining(['person-source', 'persons-per-window', 'person-join-seller', 'out']));
    expect(result.metrics.checkpoints).toMatchObject({ completed: completed.length, inProgress: 0, latestCompleted: last });
    // The final checkpoint stays: resuming a finished pipeline finds nothing left to do.
    expect(checkpointDirs(jobDir)).toEqual([`chk-${last.checkpointId}`]);
    const metadata = parseMetadata(fs.readFileSync(path.join(jobDir, `chk-${last.checkpointId}`, '_metadata'), 'utf8'), '_metadata');
    const sources = 'metadata' in metadata ? metadata.metadata.operators.filter((op) => op.kind === 'source') : [];
    expect(sources.flatMap((op) => op.subtasks.flatMap((s) => s.operatorState.flatMap((l) => l.items)))).toEqual(
      Array.from({ length: 4 }, () => expect.objectContaining({ finished: true })),
    );
  });

  it('resumes in a new job from the latest completed checkpoint and commits exactly what an undisturbed run does', async () => {
    const { start, runUntilCheckpoint, rows } = setUp();
    expect((await runUntilCheckpoint(2)).status).toBe('cancelled');
    const partial = rows();
    const { job } = await start({ resume: true });
    const restored: unknown[] = [];
    job.on('restored', (info) => restored.push(info));
    await job.done;
    expect(job.restoreInfo).toMatchObject({ kind: 'restored', type: 'checkpoint', checkpointId: expect.any(Number), graphChanged: false, skipped: [] });
    expect(restored).toEqual([job.restoreInfo]);
    expect(partial.length).toBeLessThan(reference.length);
    expect(rows()).toEqual(reference);
  });

  it('skips a newest checkpoint with a damaged file for the one before it', async () => {
    const { start, runUntilCheckpoint, rows, jobDir } = setUp({ 'state.checkpoints.num-retained': '2' });
    await runUntilCheckpoint(2);
    const [older, newest] = checkpointDirs(jobDir).sort((a, b) => Number(a.slice(4)) - Number(b.slice(4)));
    const damaged = fs.readdirSync(path.join(jobDir, newest!)).find((name) => name.endsWith('.kstate'))!;
    fs.appendFileSync(path.join(jobDir, newest!, damaged), 'x');
    const { job } = await start({ resume: true });
    await job.done;
    expect(job.restoreInfo).toMatchObject({ kind: 'restored', checkpointId: Number(older!.slice(4)), skipped: [expect.stringContaining(`${path.join(jobDir, newest!, damaged)} has`)] });
    // Nothing is lost; what the skipped checkpoint had committed is written again (as in Flink).
    expect(new Set(rows())).toEqual(new Set(reference));
  });

  it('starts from scratch with resume when the pipeline has no checkpoint, and says so', async () => {
    const { start, jobDir } = setUp();
    const { job } = await start({ resume: true });
    await job.done;
    expect(job.restoreInfo).toEqual({ kind: 'fresh', reason: `no usable completed checkpoint of pipeline 'test' in ${jobDir}: starting from scratch`, skipped: [] });
  });

  it('restores from a checkpoint directory given explicitly, and refuses a path that holds none', async () => {
    const { start, runUntilCheckpoint, rows, jobDir } = setUp();
    await runUntilCheckpoint(2);
    const chk = path.join(jobDir, checkpointDirs(jobDir)[0]!);
    const { job } = await start({ restoreFrom: path.join(chk, '_metadata') });
    await job.done;
    expect(job.restoreInfo).toMatchObject({ kind: 'restored', location: chk });
    expect(rows()).toEqual(reference);
    await expect(start({ restoreFrom: jobDir })).rejects.toThrow(CheckpointRestoreError);
    await expect(start({ restoreFrom: jobDir })).rejects.toThrow(/holds no _metadata file.*\nhelp: give the directory of a completed checkpoint or savepoint/s);
  });

  it('refuses to restore into another max parallelism, naming the setting', async () => {
    const first = setUp();
    await first.runUntilCheckpoint(2);
    const chk = path.join(first.jobDir, checkpointDirs(first.jobDir)[0]!);
    const { start } = setUp({ 'pipeline.max-parallelism': '256' });
    await expect(start({ restoreFrom: chk })).rejects.toThrow(/taken with pipeline\.max-parallelism 128 and this job has 256.*\nhelp: set 'pipeline\.max-parallelism' = '128' again/s);
  });

  it('deletes its checkpoints when cancelled with DELETE_ON_CANCELLATION, and keeps them by default', async () => {
    const kept = setUp();
    await kept.runUntilCheckpoint(2);
    expect(checkpointDirs(kept.jobDir)).not.toEqual([]);
    const deleted = setUp({ 'execution.checkpointing.externalized-checkpoint-retention': 'DELETE_ON_CANCELLATION' });
    await deleted.runUntilCheckpoint(2);
    expect(checkpointDirs(deleted.jobDir)).toEqual([]);
  });

  it('fails when more checkpoints fail in a row than tolerated (a disk that refuses writes)', async () => {
    const { graph, jobDir } = setUp({ 'execution.checkpointing.tolerable-failed-checkpoints': '1', 'restart-strategy.type': 'none' });
    const refusing: CheckpointFileSystem = { ...fsp, open: () => Promise.reject(Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' })) };
    const job = await Job.start(graph, { batchSize: 8, checkpointStorage: new FileCheckpointStorage(jobDir, 'fs', refusing) });
    const aborted: CheckpointStats[] = [];
    job.on('checkpoint-aborted', (stats) => aborted.push(stats));
    await expect(job.done).rejects.toThrow(/failed checkpoint\(s\) in a row and 'execution\.checkpointing\.tolerable-failed-checkpoints' is 1/);
    expect(aborted[0]!.failure).toMatch(/declined it: writing its state failed: ENOSPC: no space left on device/);
  });
});

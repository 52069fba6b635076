import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Job } from '../../runtime/execution/job.js';
import { CheckpointRestoreError } from '../../runtime/checkpoint/restore/restore-error.js';
import { compilePipe } from '../operators/run-pipe.js';
import { bidsPipe } from './restoring-harness.js';

const STEPS = "|> AGGREGATE COUNT(*) AS bids GROUP BY auction UID 'bids-per-auction'";

describe('--resume after a savepoint', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-resume-savepoint-'));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  const graph = () =>
    compilePipe(bidsPipe(path.join(dir, 'out'), STEPS), {
      // Several retained checkpoints, so that older ones than the savepoint are there to be (not) chosen.
      settings: { 'execution.checkpointing.interval': '20ms', 'state.checkpoints.dir': path.join(dir, 'checkpoints'), 'state.checkpoints.num-retained': '5' },
    });

  it('resumes from the savepoint, never from the checkpoints before it, and refuses when the savepoint is gone', async () => {
    const first = await Job.start(graph(), { batchSize: 8 });
    await new Promise<void>((resolve) => first.once('checkpoint-completed', () => resolve()));
    const { savepointPath } = await first.stop({ savepoint: path.join(dir, 'savepoints') });
    await first.done;
    expect(savepointPath).toBeDefined();

    const pipelineDir = path.join(dir, 'checkpoints', 'test');
    const record = JSON.parse(fs.readFileSync(path.join(pipelineDir, '_latest-savepoint.json'), 'utf8')) as { checkpointId: number; path: string };
    expect(record.path).toBe(savepointPath);
    const checkpointIds = () => fs.readdirSync(pipelineDir).flatMap((name) => /^chk-(\d+)$/.exec(name)?.slice(1).map(Number) ?? []);
    expect(checkpointIds().some((id) => id < record.checkpointId)).toBe(true);

    // The savepoint, or a checkpoint the stopped job completed after it (the same state): never an older one.
    const resumed = await Job.start(graph(), { batchSize: 8, resume: true });
    expect(resumed.restoreInfo).toMatchObject({ kind: 'restored' });
    expect((resumed.restoreInfo as { checkpointId: number }).checkpointId).toBeGreaterThanOrEqual(record.checkpointId);
    await resumed.cancel();
    await resumed.done.catch(() => undefined);

    // With the savepoint gone and nothing newer, only older checkpoints remain: refused rather than used.
    fs.rmSync(savepointPath!, { recursive: true, force: true });
    for (const id of checkpointIds()) if (id > record.checkpointId) fs.rmSync(path.join(pipelineDir, `chk-${id}`), { recursive: true, force: true });
    const refusal = await Job.start(graph(), { batchSize: 8, resume: true }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refusal).toBeInstanceOf(CheckpointRestoreError);
    expect((refusal as Error).message).toMatch(/the newest savepoint of this pipeline, .* cannot be used/);
  });
});

import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ScalarUdf } from '../../compiler/functions/registry.js';
import { Job } from '../../runtime/execution/job.js';
import type { RestartEvent } from '../../runtime/execution/job-events.js';
import { compilePipe } from '../operators/run-pipe.js';
import { committedRows } from './chaos-harness.js';
import { nexmarkJoinPipe } from './nexmark-join-pipe.js';
import { tempDir } from './state-fixtures.js';

const EVENTS = 100_000;
/**
 * About four seconds of input, so that a checkpoint completes well before the end on a slow disk and a loaded
 * machine too (with two seconds, the disk case's first checkpoint came after the end of input in 2 of 20 runs
 * under load, and the failure armed by it never fired).
 */
const EVENTS_PER_SECOND = 25_000;
const signature = { name: 'checked', args: [{ name: 'BIGINT' }], returns: { name: 'BOOLEAN' } } as const;
const keepMost = (id: number) => id % 7 !== 0;

/** `checked` that throws once, on its first call after `armed()` says so. */
function failingOnce(armed: () => boolean): ScalarUdf {
  let failed = false;
  return {
    ...signature,
    fn: (id: number) => {
      if (!failed && armed()) {
        failed = true;
        throw new Error('the fraud service timed out');
      }
      return keepMost(id);
    },
  };
}

/** Runs the Nexmark join pipeline to its end; small batches so that checkpoints fall between many of them. */
async function run(settings: Record<string, string>, checked: (afterACheckpoint: () => boolean) => ScalarUdf, options = { paced: true }) {
  const dir = tempDir();
  const sinkDir = path.join(dir, 'out');
  const pipe = nexmarkJoinPipe({ sinkDir, events: EVENTS, withUdf: true, ...(options.paced ? { eventsPerSecond: EVENTS_PER_SECOND } : {}) });
  const graph = compilePipe(pipe, { functions: { scalars: [signature] }, settings: { ...settings, 'state.checkpoints.dir': path.join(dir, 'checkpoints') } });
  let completed = 0;
  const job = await Job.start(graph, { udfs: { checked: checked(() => completed > 0) }, batchSize: 8 });
  const restarts: RestartEvent[] = [];
  job.on('checkpoint-completed', () => completed++);
  job.on('restart', (event) => restarts.push(event));
  await job.done;
  return { rows: committedRows(sinkDir), hidden: fs.readdirSync(sinkDir).filter((name) => name.startsWith('.part-')), restarts };
}

describe('recovery inside a run', () => {
  let undisturbed: string[];
  beforeAll(async () => {
    undisturbed = (await run({}, () => ({ ...signature, fn: keepMost }), { paced: false })).rows;
  });

  it.each([
    ['memory', 2],
    ['fs', 1],
    ['fs', 2],
    ['disk', 2],
  ] as const)('restarts every task from the latest checkpoint after a failure, and commits what an undisturbed run does (%s, parallelism %i)', async (backend, parallelism) => {
    const failing = await run(
      {
        'parallelism.default': String(parallelism),
        'execution.checkpointing.interval': '20ms',
        'state.backend.type': backend,
        'restart-strategy.type': 'fixed-delay',
        'restart-strategy.fixed-delay.delay': '0ms',
      },
      failingOnce,
    );
    expect(undisturbed.length).toBe(277);
    expect(failing.restarts).toHaveLength(1);
    expect(failing.restarts[0]).toMatchObject({ attempt: 2, delayMs: 0, checkpointId: expect.any(Number) });
    expect(failing.restarts[0]!.reason).toMatch(/^operator .* failed at .*: the fraud service timed out/);
    expect(failing.rows).toEqual(undisturbed);
    // Nothing half-done is left behind: in-progress and pending files were committed or cleaned up.
    expect(failing.hidden).toEqual([]);
  });
});

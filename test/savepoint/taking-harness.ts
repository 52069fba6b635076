import path from 'node:path';
import { loadCheckpoint, openCheckpoint } from '../../runtime/checkpoint/restore/load-checkpoint.js';
import { Job } from '../../runtime/execution/job.js';
import type { JobOptions } from '../../runtime/execution/job-options.js';
import { committedRows } from '../checkpoint/chaos-harness.js';
import { nexmarkJoinPipe } from '../checkpoint/nexmark-join-pipe.js';
import { tempDir } from '../checkpoint/state-fixtures.js';
import { compilePipe } from '../operators/run-pipe.js';

/**
 * The Nexmark join pipeline (windows, exactly-once file sink), paced to about five seconds, checkpointed every
 * 20 ms. A stop must find the input still running: on a loaded machine, starting two worker threads and the `disk`
 * backend's first checkpoint took the whole of the two and a half seconds it was paced to before.
 */
export function savepointSetUp(settings: Record<string, string> = {}) {
  const dir = tempDir();
  const sinkDir = path.join(dir, 'out');
  const savepoints = path.join(dir, 'savepoints');
  const compile = (extra: Record<string, string> = {}) =>
    compilePipe(nexmarkJoinPipe({ sinkDir, events: 50_000, eventsPerSecond: 10_000 }), {
      settings: {
        'parallelism.default': '2',
        'execution.checkpointing.interval': '20ms',
        'state.checkpoints.dir': path.join(dir, 'checkpoints'),
        'state.savepoints.dir': savepoints,
        ...settings,
        ...extra,
      },
    });
  const start = (options: JobOptions = {}, extra: Record<string, string> = {}) => Job.start(compile(extra), { batchSize: 8, ...options });
  /** Starts the job and resolves once its first checkpoint completed: state and output exist by then. */
  const startRunning = async (options: JobOptions = {}) => {
    const job = await start(options);
    await new Promise<void>((resolve) => job.once('checkpoint-completed', () => resolve()));
    return job;
  };
  return { dir, savepoints, start, startRunning, rows: () => committedRows(sinkDir) };
}

/** Keyed entries per operator uid in the savepoint or checkpoint at `dir`, read and verified as a restore reads it. */
export async function keyedEntriesByUid(dir: string): Promise<Map<string | null, number>> {
  const opened = await openCheckpoint(dir);
  if ('error' in opened) throw new Error(opened.error);
  const loaded = await loadCheckpoint(opened.checkpoint);
  return new Map(loaded.operators.map((op) => [op.entry.uid, op.keyed.reduce((sum, file) => sum + file.entries.length, 0)]));
}

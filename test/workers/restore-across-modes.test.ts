import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Job } from '../../runtime/execution/job.js';
import { savepointSetUp } from '../savepoint/taking-harness.js';

/**
 * Worker threads are the default and `SLUICE_WORKERS=0` turns them off (docs/parallelism.md): a savepoint taken one
 * way must restore the other way, and finish exactly as an undisturbed run. Workers are chosen at Job.start.
 */
const saved = process.env['SLUICE_WORKERS'];
afterEach(() => {
  if (saved === undefined) delete process.env['SLUICE_WORKERS'];
  else process.env['SLUICE_WORKERS'] = saved;
});

function threads(on: boolean): void {
  process.env['SLUICE_WORKERS'] = on ? '1' : '0';
}

/** The slots the job's tasks ran in: numbers in worker threads, null on the main thread. */
const slots = (job: Job) => new Set(job.metrics().tasks.map((task) => task.slot));

describe('a savepoint restores across worker threads and the main thread', () => {
  let reference: string[];
  beforeAll(async () => {
    threads(false);
    const { start, rows } = savepointSetUp({ 'execution.checkpointing.interval': '1h' });
    await (await start()).done;
    reference = rows();
  });

  it.each([
    ['taken in worker threads, restored on the main thread', true],
    ['taken on the main thread, restored in worker threads', false],
  ])('%s', async (_, takenInThreads) => {
    const { start, startRunning, rows } = savepointSetUp();
    threads(takenInThreads);
    const job = await startRunning();
    const { savepointPath } = await job.stop({ savepoint: true });
    expect((await job.done).status).toBe('stopped');
    expect(slots(job).has(null)).toBe(!takenInThreads);
    expect(rows().length).toBeLessThan(reference.length);

    threads(!takenInThreads);
    const resumed = await start({ restoreFrom: savepointPath! });
    expect(resumed.restoreInfo).toMatchObject({ kind: 'restored', type: 'savepoint' });
    expect((await resumed.done).status).toBe('finished');
    expect(slots(resumed).has(null)).toBe(takenInThreads);
    expect(rows()).toEqual(reference);
  });
});

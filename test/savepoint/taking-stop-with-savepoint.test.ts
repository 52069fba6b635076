import { beforeAll, describe, expect, it } from 'vitest';
import { keyedEntriesByUid, savepointSetUp } from './taking-harness.js';

describe('job.stop with a savepoint', () => {
  let reference: string[];
  beforeAll(async () => {
    const { start, rows } = savepointSetUp({ 'execution.checkpointing.interval': '1h' });
    await (await start()).done;
    reference = rows();
  });

  it('ends the job with its output committed up to the savepoint, and a restore of it finishes exactly as an undisturbed run', async () => {
    const { start, startRunning, rows } = savepointSetUp({ 'state.backend': 'disk' });
    const job = await startRunning();
    const { savepointPath } = await job.stop({ savepoint: true });
    const result = await job.done;
    expect(result).toMatchObject({ status: 'stopped', savepointPath });
    const committed = rows();
    expect(committed.length).toBeLessThan(reference.length);
    // Windows still open at the stop are in the savepoint, not in the output.
    expect((await keyedEntriesByUid(savepointPath!)).get('persons-per-window')).toBeGreaterThan(0);

    // The disk job's savepoint restores into the fs backend.
    const resumed = await start({ restoreFrom: savepointPath! }, { 'state.backend': 'fs' });
    expect(resumed.restoreInfo).toMatchObject({ kind: 'restored', type: 'savepoint' });
    expect((await resumed.done).status).toBe('finished');
    expect(rows()).toEqual(reference);
  });

  it('with drain, ends the input first: every window fires and the savepoint holds no open window', async () => {
    const { startRunning, rows } = savepointSetUp();
    const job = await startRunning();
    const { savepointPath } = await job.stop({ savepoint: true, drain: true });
    expect((await job.done).status).toBe('stopped');
    expect((await keyedEntriesByUid(savepointPath!)).get('persons-per-window')).toBe(0);
    expect(rows().length).toBeGreaterThan(0);
  });
});

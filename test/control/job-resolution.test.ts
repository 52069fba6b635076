import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveJob, type RunningJob } from '../../cli/control/job-registry.js';
import { runSavepoint } from '../../cli/commands/savepoint.js';
import { exitCodeFor } from '../../cli/exit-codes.js';
import { ControlHarness } from './control-harness.js';
import { FakeJob } from './fake-job.js';
import { registryEntry } from './registry-entry.js';

const job = (jobId: string, pipelineName: string): RunningJob => ({ entry: registryEntry('/r', pipelineName, { jobId }), file: `/r/${jobId}.json` });

describe('naming a running job', () => {
  const jobs = [job('orders-1111', 'orders'), job('orders-2222', 'orders'), job('clicks-3333', 'clicks'), job('clicks', 'other')];

  it('finds a job by its id before any pipeline name', () => {
    expect(resolveJob('orders-2222', jobs)).toEqual({ kind: 'found', job: jobs[1] });
    expect(resolveJob('clicks', jobs)).toEqual({ kind: 'found', job: jobs[3] });
  });

  it('finds a job by its pipeline name when only one running job has it', () => {
    expect(resolveJob('other', jobs)).toEqual({ kind: 'found', job: jobs[3] });
  });

  it('lists the ids when several running jobs have the name, and finds nothing for an unknown name', () => {
    expect(resolveJob('orders', jobs)).toEqual({ kind: 'ambiguous', ids: ['orders-1111', 'orders-2222'] });
    expect(resolveJob('payments', jobs)).toEqual({ kind: 'not-found' });
  });
});

describe('a command naming a job that is not there', () => {
  let harness: ControlHarness;
  beforeEach(async () => {
    harness = await ControlHarness.create();
  });
  afterEach(() => harness.dispose());

  it('is a usage error saying how to find the running jobs', async () => {
    await harness.register(new FakeJob('orders-1111'), 'orders');
    const io = harness.io();
    expect(exitCodeFor(await runSavepoint('payments', harness.root, io))).toBe(2);
    expect(io.err()).toBe(
      "error[SLC9101]: no running job has the id or pipeline name 'payments' (`sluice list` shows the running jobs of this user; give one of their ids or pipeline names)\n",
    );
  });

  it('is a usage error listing the ids when the name is ambiguous, and the id then works', async () => {
    const first = new FakeJob('orders-1111');
    await harness.register(first, 'orders');
    await harness.register(new FakeJob('orders-2222'), 'orders');
    const io = harness.io();
    expect(exitCodeFor(await runSavepoint('orders', harness.root, io))).toBe(2);
    expect(io.err()).toBe("error[SLC9102]: 2 running jobs have the pipeline name 'orders': orders-1111, orders-2222 (give the job id instead of the name)\n");
    expect(exitCodeFor(await runSavepoint('orders-1111', harness.root, harness.io()))).toBe(0);
    expect(first.savepointTargets).toEqual([harness.root]);
  });
});

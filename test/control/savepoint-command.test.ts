import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runSavepoint } from '../../cli/commands/savepoint.js';
import { exitCodeFor } from '../../cli/exit-codes.js';
import { ControlHarness } from './control-harness.js';
import { FakeJob } from './fake-job.js';

let harness: ControlHarness;
let job: FakeJob;
beforeEach(async () => {
  harness = await ControlHarness.create();
  job = new FakeJob('orders-1a2b');
});
afterEach(() => harness.dispose());

describe('sluice savepoint <job> [target-dir]', () => {
  it('creates the savepoint inside the target, relative to the current directory, and prints its path', async () => {
    await harness.register(job, 'orders');
    const io = harness.io();
    expect(exitCodeFor(await runSavepoint('orders', 'backups/sp', io))).toBe(0);
    expect(io.out()).toBe(`${join(harness.root, 'backups', 'sp', 'savepoint-orders-1')}\n`);
    expect(await readdir(join(harness.root, 'backups', 'sp'))).toEqual(['savepoint-orders-1']);
  });

  it("defaults to the pipeline's state.savepoints.dir, resolved where the job runs", async () => {
    await harness.register(job, 'orders', 'savepoints');
    const io = harness.io();
    expect(exitCodeFor(await runSavepoint('orders', undefined, io))).toBe(0);
    expect(job.savepointTargets).toEqual([join(harness.root, 'savepoints')]);
  });

  it('is a usage error, saying how to set a default, when there is no target', async () => {
    await harness.register(job, 'orders');
    const io = harness.io();
    expect(exitCodeFor(await runSavepoint('orders', undefined, io))).toBe(2);
    expect(io.err()).toBe(
      "error[SLC9103]: no target directory for a savepoint of job 'orders-1a2b' (give one after the job (`sluice savepoint orders <target-dir>`), or set a default in the pipeline: SET 'state.savepoints.dir' = '<dir>')\n",
    );
    expect(job.savepointTargets).toEqual([]);
  });

  it('is a usage error when the target is a file', async () => {
    await harness.register(job, 'orders');
    await writeFile(join(harness.root, 'file'), '');
    const io = harness.io();
    expect(exitCodeFor(await runSavepoint('orders', 'file', io))).toBe(2);
    expect(io.err()).toMatch(/^error\[SLC9104\]: cannot create a savepoint in 'file': it is a file, not a directory/);
  });

  it('fails with exit code 1 and the reason when the job cannot take it', async () => {
    await harness.register(job, 'orders');
    await mkdir(join(harness.root, 'sp'));
    job.failure = new Error("operator 'per-v' declined the checkpoint: its subtask failed");
    const io = harness.io();
    expect(exitCodeFor(await runSavepoint('orders', 'sp', io))).toBe(1);
    expect(io.err()).toBe(
      "error: the savepoint of job orders-1a2b failed: operator 'per-v' declined the checkpoint: its subtask failed\n" +
        '  = help: the job keeps running; fix the cause (the message names it) and try again\n',
    );
    expect(io.out()).toBe('');
  });

  it('fails with exit code 1 when the registered job no longer answers', async () => {
    const control = await harness.register(job, 'orders');
    // The registration stays (its pid is alive: this process) but the socket is gone.
    await rm((await control.ready)!.entry.socket);
    const io = harness.io();
    expect(exitCodeFor(await runSavepoint('orders', 'sp', io))).toBe(1);
    expect(io.err()).toContain('error: cannot reach job orders-1a2b: its control socket is gone\n');
  });
});

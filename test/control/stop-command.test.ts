import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runStop } from '../../cli/commands/stop.js';
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

describe('sluice stop <job> [--savepoint [target-dir]] [--drain]', () => {
  it('stops with a savepoint into the default directory, printing its path, and says the job stopped', async () => {
    await harness.register(job, 'orders', 'savepoints');
    const io = harness.io();
    expect(exitCodeFor(await runStop('orders', { savepoint: true, drain: false }, io))).toBe(0);
    expect(job.stops).toEqual([{ savepoint: join(harness.root, 'savepoints') }]);
    expect(io.out()).toBe(`${join(harness.root, 'savepoints', 'savepoint-orders-1')}\n`);
    expect(io.err()).toBe('stopped job orders-1a2b\n');
  });

  it('drains into a given directory', async () => {
    await harness.register(job, 'orders');
    const io = harness.io();
    expect(exitCodeFor(await runStop('orders-1a2b', { savepoint: 'final', drain: true }, io))).toBe(0);
    expect(job.stops).toEqual([{ savepoint: join(harness.root, 'final'), drain: true }]);
    expect(io.err()).toBe('stopped job orders-1a2b after draining it\n');
  });

  it('stops without a savepoint when none is asked for, printing nothing on standard output', async () => {
    await harness.register(job, 'orders');
    const io = harness.io();
    expect(exitCodeFor(await runStop('orders', { drain: false }, io))).toBe(0);
    expect(job.stops).toEqual([{}]);
    expect(io.out()).toBe('');
  });

  it('asks for a target before stopping when --savepoint has none and the pipeline sets no default', async () => {
    await harness.register(job, 'orders');
    const io = harness.io();
    expect(exitCodeFor(await runStop('orders', { savepoint: true, drain: false }, io))).toBe(2);
    expect(io.err()).toContain('`sluice stop orders --savepoint <target-dir>`');
    expect(job.stops).toEqual([]);
  });

  it('fails with exit code 1 when the savepoint fails', async () => {
    await harness.register(job, 'orders');
    job.failure = new Error('savepoint 7 expired before completing');
    const io = harness.io();
    expect(exitCodeFor(await runStop('orders', { savepoint: 'sp', drain: false }, io))).toBe(1);
    expect(io.err()).toMatch(/^error: the stop with a savepoint of job orders-1a2b failed: savepoint 7 expired before completing\n/);
  });
});

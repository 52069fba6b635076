import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sendControlCommand } from '../../cli/control/control-client.js';
import { ControlServer } from '../../cli/control/control-server.js';
import { newToken } from '../../cli/control/job-registry.js';
import { FakeJob } from './fake-job.js';

let dir: string;
let server: ControlServer | undefined;
let log: string[];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-control-'));
  log = [];
});
afterEach(async () => {
  await server?.close();
  server = undefined;
  await rm(dir, { recursive: true, force: true });
});

async function serve(job: FakeJob): Promise<{ socket: string; token: string }> {
  const endpoint = { socket: join(dir, 'job.sock'), token: newToken() };
  server = await ControlServer.listen({ job, pipelineName: 'orders', socketPath: endpoint.socket, token: endpoint.token, log: (line) => log.push(line) });
  return endpoint;
}

describe('the control protocol between client and server', () => {
  it('answers a status request with the job it controls', async () => {
    const endpoint = await serve(new FakeJob('orders-1a2b'));
    expect(await sendControlCommand(endpoint, { type: 'status' })).toEqual({
      ok: true,
      result: { type: 'status', jobId: 'orders-1a2b', pipelineName: 'orders', pid: process.pid, stopping: false },
    });
  });

  it('takes a savepoint into the target directory, answers its path and notes it in the job output', async () => {
    const job = new FakeJob();
    const endpoint = await serve(job);
    const reply = await sendControlCommand(endpoint, { type: 'savepoint', targetDir: dir });
    expect(reply).toEqual({ ok: true, result: { type: 'savepoint', path: join(dir, 'savepoint-fake-0-1') } });
    expect(job.savepointTargets).toEqual([dir]);
    expect(await readdir(dir)).toContain('savepoint-fake-0-1');
    expect(log).toEqual([`savepoint written to ${join(dir, 'savepoint-fake-0-1')}`]);
  });

  it('passes stop options on and answers once the job has stopped', async () => {
    const job = new FakeJob();
    const endpoint = await serve(job);
    const reply = await sendControlCommand(endpoint, { type: 'stop', savepointDir: dir, drain: true });
    expect(reply).toEqual({ ok: true, result: { type: 'stopped', savepointPath: join(dir, 'savepoint-fake-0-1') } });
    expect(job.stops).toEqual([{ savepoint: dir, drain: true }]);
    expect(await sendControlCommand(endpoint, { type: 'stop', drain: false })).toMatchObject({ ok: false, error: { kind: 'busy' } });
  });

  it('reports a failed savepoint with its reason, and the job stays controllable', async () => {
    const job = new FakeJob();
    job.failure = new Error('checkpoint storage is full');
    const endpoint = await serve(job);
    expect(await sendControlCommand(endpoint, { type: 'stop', savepointDir: dir, drain: false })).toEqual({
      ok: false,
      error: { kind: 'failed', message: 'checkpoint storage is full' },
    });
    job.failure = undefined;
    // A stop whose savepoint failed leaves the job running, so a second attempt is accepted.
    expect(await sendControlCommand(endpoint, { type: 'stop', savepointDir: dir, drain: false })).toMatchObject({ ok: true });
  });

  it('refuses other requests while a stop is under way, and answers the stop before closing', async () => {
    const job = new FakeJob();
    const release = job.holdStops();
    const endpoint = await serve(job);
    const stopping = sendControlCommand(endpoint, { type: 'stop', drain: false });
    await expect.poll(() => job.stops.length).toBe(1);
    expect(await sendControlCommand(endpoint, { type: 'savepoint', targetDir: dir })).toEqual({
      ok: false,
      error: { kind: 'busy', message: 'job fake-0001 is stopping already' },
    });
    expect(await sendControlCommand(endpoint, { type: 'status' })).toMatchObject({ ok: true, result: { stopping: true } });
    // As in `sluice run`, the server is closed when the job ends, which may come before the stop's answer.
    const closing = server!.close();
    release();
    await closing;
    server = undefined;
    expect(await stopping).toEqual({ ok: true, result: { type: 'stopped' } });
    expect(job.savepointTargets).toEqual([]);
  });

  it('says why there is no answer when nothing listens on the socket', async () => {
    expect(await sendControlCommand({ socket: join(dir, 'gone.sock'), token: newToken() }, { type: 'status' })).toEqual({
      ok: false,
      unreachable: 'its control socket is gone',
    });
  });
});

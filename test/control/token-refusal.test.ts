import { mkdtemp, rm, stat } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sendControlCommand } from '../../cli/control/control-client.js';
import { ControlServer } from '../../cli/control/control-server.js';
import { newToken } from '../../cli/control/job-registry.js';
import { ControlResponseSchema } from '../../cli/control/protocol.js';
import { FakeJob } from './fake-job.js';

let dir: string;
let server: ControlServer;
let job: FakeJob;
const token = newToken();
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-token-'));
  job = new FakeJob();
  server = await ControlServer.listen({ job, pipelineName: 'p', socketPath: join(dir, 'job.sock'), token, log: () => undefined });
});
afterEach(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

/** Sends raw text and collects everything the server writes until the connection closes (or is reset). */
function exchange(text: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(join(dir, 'job.sock'), () => socket.write(text));
    let received = '';
    socket.setEncoding('utf8').on('data', (chunk: string) => (received += chunk));
    socket.on('close', () => resolve(received));
    socket.on('error', () => undefined);
  });
}

describe('job control authentication', () => {
  it('refuses a request with another token and does nothing for it', async () => {
    const reply = await sendControlCommand({ socket: join(dir, 'job.sock'), token: newToken() }, { type: 'stop', savepointDir: dir, drain: false });
    expect(reply).toEqual({ ok: false, error: { kind: 'unauthorized', message: "refused: the request does not carry this job's token" } });
    expect(job.stops).toEqual([]);
  });

  it('refuses a request without a token as malformed and closes the connection', async () => {
    const answer = await exchange(`${JSON.stringify({ version: 1, command: { type: 'stop', drain: false } })}\n`);
    const response = ControlResponseSchema.parse(JSON.parse(answer));
    expect(response).toMatchObject({ ok: false, error: { kind: 'bad-request' } });
    expect(job.stops).toEqual([]);
  });

  it('refuses a token that is only a prefix of the right one', async () => {
    const reply = await sendControlCommand({ socket: join(dir, 'job.sock'), token: token.slice(0, 32) }, { type: 'status' });
    expect(reply).toMatchObject({ ok: false, error: { kind: 'unauthorized' } });
  });

  it('drops a peer that sends an endless line instead of buffering it', async () => {
    const answer = await exchange('x'.repeat(200_000));
    expect(answer).toBe('');
  });

  it('lets only its owner connect to the socket', async () => {
    expect((await stat(join(dir, 'job.sock'))).mode & 0o777).toBe(0o600);
  });
});

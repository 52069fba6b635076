import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorResponseSchema, JobDetailSchema, JobsOverviewSchema } from '../../index.js';
import { spawnSluice } from '../run/spawn-sluice.js';

const PIPE = join(import.meta.dirname, '..', 'control', 'fixtures', 'endless-counts.pipe');
const URL_LINE = /web dashboard: (http:\/\/127\.0\.0\.1:(\d+)\/#token=([0-9a-f]{64})) \(only this machine can reach it\)/;

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-web-run-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

function runArgs(...extra: string[]): string[] {
  return ['run', PIPE, '--quiet', '--set', `state.checkpoints.dir=${join(dir, 'checkpoints')}`, ...extra];
}

describe('sluice run --web-ui', () => {
  it('prints the URL with its token, serves the running job, and refuses another token', async () => {
    const run = spawnSluice(runArgs('--web-ui', '127.0.0.1:0'), dir, { SLUICE_RUNTIME_DIR: join(dir, 'runtime') });
    try {
      await expect.poll(() => URL_LINE.test(run.stderr()), { timeout: 60_000, interval: 100 }).toBe(true);
      const [, , port, token] = URL_LINE.exec(run.stderr())!;
      const base = `http://127.0.0.1:${port}`;
      const jobs = JobsOverviewSchema.parse(await (await fetch(`${base}/jobs`, { headers: { authorization: `Bearer ${token}` } })).json());
      expect(jobs.jobs).toEqual([expect.objectContaining({ name: 'endless-counts', status: 'running' })]);
      const id = jobs.jobs[0]!.id;
      await expect
        .poll(async () => JobDetailSchema.parse(await (await fetch(`${base}/jobs/${id}`, { headers: { authorization: `Bearer ${token}` } })).json()).rowsIn, { timeout: 20_000, interval: 250 })
        .toBeGreaterThan(0);
      const refused = await fetch(`${base}/jobs/${id}`, { headers: { authorization: `Bearer ${'0'.repeat(64)}` } });
      expect(refused.status).toBe(403);
      expect(ErrorResponseSchema.parse(await refused.json()).error.code).toBe('SLC9213');
    } finally {
      run.kill('SIGTERM');
    }
    expect((await run.exit).code).toBe(143);
  });

  it('refuses to start on a port that is taken, saying so (SLC9210)', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const run = spawnSluice(runArgs('--web-ui', String(port)), dir, { SLUICE_RUNTIME_DIR: join(dir, 'runtime') });
      const { code } = await run.exit;
      expect(code).toBe(2);
      expect(run.stderr()).toContain(`error[SLC9210]: cannot serve the web dashboard on 127.0.0.1:${port}: the port is taken`);
    } finally {
      blocker.close();
    }
  });

  it('rejects an address that is none before compiling (SLC9211)', async () => {
    const run = spawnSluice(runArgs('--web-ui', 'localhost:99999'), dir);
    expect((await run.exit).code).toBe(2);
    expect(run.stderr()).toContain("error[SLC9211]: 'localhost:99999' is not a web dashboard address");
  });
});

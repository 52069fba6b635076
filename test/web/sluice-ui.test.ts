import { EventEmitter } from 'node:events';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runUi } from '../../cli/commands/ui.js';
import { listRunningJobs } from '../../cli/control/job-registry.js';
import { CheckpointsSchema, ErrorResponseSchema, JobConfigViewSchema, JobDetailSchema, JobsOverviewSchema, StopResponseSchema, VertexDetailSchema } from '../../index.js';
import { collector } from '../run/run-in-process.js';
import { spawnSluice } from '../run/spawn-sluice.js';

const PIPE = join(import.meta.dirname, '..', 'control', 'fixtures', 'endless-counts.pipe');
const URL_LINE = /web dashboard of your running jobs: http:\/\/127\.0\.0\.1:(\d+)\/#token=([0-9a-f]{64}) \(only this machine can reach it\)/;

let dir: string;
let runtime: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-ui-'));
  runtime = join(dir, 'runtime');
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('sluice ui', () => {
  it("serves the jobs of the registry through their control sockets: views, live stream, savepoint and stop", async () => {
    const run = spawnSluice(
      ['run', PIPE, '--quiet', '--set', `state.checkpoints.dir=${join(dir, 'checkpoints')}`, '--set', `state.savepoints.dir=${join(dir, 'savepoints')}`],
      dir,
      { SLUICE_RUNTIME_DIR: runtime },
    );
    const signals = new EventEmitter();
    const stderr = collector();
    const ui = runUi({ port: '0', host: '127.0.0.1' }, { stdout: collector(), stderr, env: { SLUICE_RUNTIME_DIR: runtime }, cwd: dir }, signals);
    try {
      await expect.poll(() => URL_LINE.test(stderr.text()), { timeout: 20_000, interval: 100 }).toBe(true);
      const [, port, token] = URL_LINE.exec(stderr.text())!;
      const api = (path: string, init: RequestInit = {}) => fetch(`http://127.0.0.1:${port}${path}`, { ...init, headers: { authorization: `Bearer ${token}` } });
      await expect.poll(async () => (await listRunningJobs(runtime)).length, { timeout: 60_000, interval: 100 }).toBe(1);

      const jobs = JobsOverviewSchema.parse(await (await api('/jobs')).json());
      expect(jobs.jobs).toEqual([expect.objectContaining({ name: 'endless-counts', status: 'running' })]);
      const id = jobs.jobs[0]!.id;
      await expect.poll(async () => JobDetailSchema.parse(await (await api(`/jobs/${id}`)).json()).rowsInPerSecond, { timeout: 20_000, interval: 250 }).toBeGreaterThan(0);
      await expect.poll(async () => CheckpointsSchema.parse(await (await api(`/jobs/${id}/checkpoints`)).json()).counts.completed, { timeout: 20_000, interval: 250 }).toBeGreaterThan(0);
      expect(VertexDetailSchema.parse(await (await api(`/jobs/${id}/vertices/per-v`)).json()).uid).toBe('per-v');
      expect((await api(`/jobs/${id}/vertices/nope`)).status).toBe(404);
      expect(JobConfigViewSchema.parse(await (await api(`/jobs/${id}/config`)).json()).source?.file).toBe(PIPE);
      const refused = await fetch(`http://127.0.0.1:${port}/jobs/${id}`, { headers: { authorization: `Bearer ${'a'.repeat(64)}` } });
      expect(ErrorResponseSchema.parse(await refused.json()).error.code).toBe('SLC9213');

      const stream = (await api(`/jobs/${id}/stream`)).body!.pipeThrough(new TextDecoderStream()).getReader();
      let text = '';
      while (!/event: update\ndata: .*\n\n/.test(text)) text += (await stream.read()).value ?? '';
      await stream.cancel();
      JobDetailSchema.parse(JSON.parse(/event: update\ndata: (.*)\n\n/.exec(text)![1]!));

      const savepoint = (await (await api(`/jobs/${id}/savepoints`, { method: 'POST' })).json()) as { path: string };
      expect(await readdir(savepoint.path)).toContain('_metadata');
      const stopped = StopResponseSchema.parse(await (await api(`/jobs/${id}/stop`, { method: 'POST', body: '{"savepoint": true}' })).json());
      expect(await readdir(stopped.savepointPath!)).toContain('_metadata');
      expect((await run.exit).code).toBe(0);
      await expect.poll(async () => JobsOverviewSchema.parse(await (await api('/jobs')).json()).jobs, { timeout: 10_000 }).toEqual([]);
    } finally {
      run.kill('SIGTERM');
      signals.emit('SIGINT');
    }
    expect((await ui).kind).toBe('completed');
  });
});

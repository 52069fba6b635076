import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CheckpointsSchema,
  ErrorResponseSchema,
  ExceptionsSchema,
  JobConfigViewSchema,
  JobDetailSchema,
  JobsOverviewSchema,
  SavepointResponseSchema,
  StopResponseSchema,
  VertexDetailSchema,
} from '../../index.js';
import { startDashboard, type RunningDashboard } from './web-fixture.js';

let running: RunningDashboard;
beforeEach(async () => {
  running = await startDashboard();
});
afterEach(() => running.dispose());

async function json(response: Response, status = 200): Promise<unknown> {
  const body: unknown = await response.json();
  expect({ status: response.status, body }).toMatchObject({ status });
  return body;
}

describe('the dashboard REST API of a running job', () => {
  it('describes the job, its vertices, subtasks, checkpoints, exceptions and configuration in the exported schemas', async () => {
    const id = running.job.jobId;
    const jobs = JobsOverviewSchema.parse(await json(await running.api('/jobs')));
    expect(jobs.jobs).toEqual([expect.objectContaining({ id, name: 'web-counts', status: 'running' })]);

    // Rates come from readings a second apart: wait until the sources have been seen reading.
    await expect
      .poll(async () => JobDetailSchema.parse(await json(await running.api(`/jobs/${id}`))).rowsInPerSecond, { timeout: 20_000, interval: 250 })
      .toBeGreaterThan(0);
    const detail = JobDetailSchema.parse(await json(await running.api(`/jobs/${id}`)));
    expect(detail.status).toBe('running');
    expect(detail.vertices.map((v) => v.uid)).toEqual(expect.arrayContaining(['ticks', 'per-v', 'out']));
    expect(detail.edges.some((e) => e.partitioning === 'hash')).toBe(true);
    const ticks = detail.vertices.find((v) => v.uid === 'ticks')!;
    expect(ticks.rowsOut).toBeGreaterThan(0);
    expect(detail.throughput.length).toBeGreaterThan(0);

    const vertex = VertexDetailSchema.parse(await json(await running.api(`/jobs/${id}/vertices/per-v`)));
    expect(vertex.subtasks).toHaveLength(vertex.parallelism);
    expect(vertex.subtasks.reduce((sum, s) => sum + s.rowsIn, 0)).toBe(vertex.rowsIn);

    await expect
      .poll(async () => CheckpointsSchema.parse(await json(await running.api(`/jobs/${id}/checkpoints`))).counts.completed, { timeout: 20_000, interval: 250 })
      .toBeGreaterThan(0);
    const checkpoints = CheckpointsSchema.parse(await json(await running.api(`/jobs/${id}/checkpoints`)));
    const latest = checkpoints.latest.completed!;
    expect(latest.status).toBe('completed');
    expect(latest.location).toContain(join(running.dir, 'checkpoints'));
    expect(latest.operators.find((op) => op.uid === 'per-v')?.subtasks.length).toBeGreaterThan(0);
    expect(checkpoints.history[0]!.id).toBeGreaterThanOrEqual(latest.id);
    expect(checkpoints.summary.durationMs!.min).toBeLessThanOrEqual(checkpoints.summary.durationMs!.max);
    expect(checkpoints.config.intervalMs).toBe(500);
    // The vertex's state size comes from the latest completed checkpoint.
    const afterCheckpoint = JobDetailSchema.parse(await json(await running.api(`/jobs/${id}`)));
    expect(afterCheckpoint.vertices.find((v) => v.uid === 'per-v')!.stateBytes).toBeGreaterThan(0);
    // …as the state it lists for the operator's subtasks, which incremental checkpoints share with earlier ones.
    const listedFor = (view: typeof checkpoints, uid: string) => view.latest.completed!.operators.find((op) => op.uid === uid)!.subtasks.reduce((sum, s) => sum + s.stateBytes, 0);
    await expect
      .poll(async () => {
        const view = CheckpointsSchema.parse(await json(await running.api(`/jobs/${id}/checkpoints`)));
        const vertex = JobDetailSchema.parse(await json(await running.api(`/jobs/${id}`))).vertices.find((v) => v.uid === 'per-v')!;
        return vertex.stateBytes === listedFor(view, 'per-v');
      }, { timeout: 10_000, interval: 100 })
      .toBe(true);

    const exceptions = ExceptionsSchema.parse(await json(await running.api(`/jobs/${id}/exceptions`)));
    expect(exceptions).toEqual({ restarts: 0, entries: [] });

    const config = JobConfigViewSchema.parse(await json(await running.api(`/jobs/${id}/config`)));
    expect(config.source?.text).toContain("UID 'per-v'");
    expect(config.config.pipelineName).toBe('web-counts');
    expect(config.summary).toContain('per-v');
  });

  it('takes a savepoint, then stops the job with one', async () => {
    const id = running.job.jobId;
    const taken = SavepointResponseSchema.parse(await json(await running.api(`/jobs/${id}/savepoints`, { method: 'POST' })));
    expect(taken.path.startsWith(join(running.dir, 'savepoints', 'savepoint-'))).toBe(true);
    expect(await readdir(taken.path)).toContain('_metadata');
    const listed = CheckpointsSchema.parse(await json(await running.api(`/jobs/${id}/checkpoints`)));
    expect(listed.savepoints).toEqual([expect.objectContaining({ path: taken.path, trigger: 'savepoint' })]);
    expect(listed.history.find((c) => c.location === taken.path)).toMatchObject({ type: 'savepoint', status: 'completed' });
    expect(listed.history.filter((c) => c.location !== taken.path && c.status === 'completed').every((c) => c.type === 'checkpoint')).toBe(true);

    const stopped = StopResponseSchema.parse(await json(await running.api(`/jobs/${id}/stop`, { method: 'POST', body: JSON.stringify({ savepoint: true }) })));
    expect(stopped.status).toBe('stopped');
    expect((await stat(join(stopped.savepointPath!, '_metadata'))).isFile()).toBe(true);
    expect(JobsOverviewSchema.parse(await json(await running.api('/jobs'))).jobs[0]!.status).toBe('stopped');
  });

  it('lists a failure that restarted the job, with the operator, the place in the .pipe file and the checkpoint restored', async () => {
    await running.dispose();
    running = await startDashboard('500 ms', { failOnce: true });
    const id = running.job.jobId;
    await expect.poll(async () => ExceptionsSchema.parse(await json(await running.api(`/jobs/${id}/exceptions`))).restarts, { timeout: 30_000, interval: 250 }).toBe(1);
    const { entries } = ExceptionsSchema.parse(await json(await running.api(`/jobs/${id}/exceptions`)));
    const filter = running.job.graph.operators.find((op) => op.spec.kind === 'filter')!;
    expect(entries).toEqual([
      expect.objectContaining({ kind: 'restart', uid: filter.id, subtask: 0, checkpointId: expect.any(Number), message: expect.stringMatching(/web-counts\.pipe:\d+:\d+: the fraud service timed out/) }),
    ]);
    expect(JobDetailSchema.parse(await json(await running.api(`/jobs/${id}`))).restarts).toBe(1);
  });

  it('streams updates of the job as server-sent events', async () => {
    const response = await running.api(`/jobs/${running.job.jobId}/stream`);
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    const updates: unknown[] = [];
    while (updates.length < 2) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
      let end = text.indexOf('\n\n');
      while (end >= 0) {
        const event = text.slice(0, end);
        text = text.slice(end + 2);
        const data = /^data: (.*)$/m.exec(event)?.[1];
        if (/^event: update$/m.test(event) && data !== undefined) updates.push(JSON.parse(data));
        end = text.indexOf('\n\n');
      }
    }
    await reader.cancel();
    const [first, second] = updates.map((u) => JobDetailSchema.parse(u));
    expect(second!.now).toBeGreaterThan(first!.now);
  });

  it('refuses requests without the token (401) or with another token (403), and names unknown jobs and vertices (404)', async () => {
    const id = running.job.jobId;
    for (const path of ['/jobs', `/jobs/${id}`, `/jobs/${id}/checkpoints`, `/jobs/${id}/stream`]) {
      const missing = ErrorResponseSchema.parse(await json(await running.api(path, { token: null }), 401));
      expect(missing.error.code).toBe('SLC9212');
      const wrong = ErrorResponseSchema.parse(await json(await running.api(path, { token: 'f'.repeat(64) }), 403));
      expect(wrong.error.code).toBe('SLC9213');
    }
    const savepoint = await running.api(`/jobs/${id}/savepoints`, { method: 'POST', token: 'f'.repeat(64) });
    expect(savepoint.status).toBe(403);
    expect(await readdir(running.dir)).not.toContain('savepoints');

    expect(ErrorResponseSchema.parse(await json(await running.api('/jobs/nope'), 404)).error).toMatchObject({ code: 'SLC9214', message: 'no job nope on this dashboard' });
    expect(ErrorResponseSchema.parse(await json(await running.api(`/jobs/${id}/vertices/nope`), 404)).error.code).toBe('SLC9214');
    const bad = ErrorResponseSchema.parse(await json(await running.api(`/jobs/${id}/stop`, { method: 'POST', body: '{"drain": "yes"}' }), 400));
    expect(bad.error.code).toBe('SLC9216');
  });

  it('serves the page and its bundled script without a token, and nothing from elsewhere', async () => {
    const base = `http://127.0.0.1:${running.webUi.address.port}`;
    const page = await (await fetch(`${base}/`)).text();
    expect(page).toContain('/assets/dashboard.js');
    expect(page).not.toMatch(/https?:\/\//);
    const script = await fetch(`${base}/assets/dashboard.js`);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toContain('javascript');
    expect((await script.text()).length).toBeGreaterThan(1000);
    expect((await fetch(`${base}/assets/other.js`)).status).toBe(404);
  });
});

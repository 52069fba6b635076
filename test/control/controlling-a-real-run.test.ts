import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ControllableJob } from '../../cli/control/controllable-job.js';
import { listRunningJobs } from '../../cli/control/job-registry.js';
import { Job } from '../../runtime/execution/job.js';
import { spawnSluice } from '../run/spawn-sluice.js';

const PIPE = join(import.meta.dirname, 'fixtures', 'endless-counts.pipe');
const RUNTIME_TAKES_SAVEPOINTS = typeof (Job.prototype as Partial<ControllableJob>).savepoint === 'function' && typeof (Job.prototype as Partial<ControllableJob>).stop === 'function';

let dir: string;
let env: Record<string, string>;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-e2e-control-'));
  env = { SLUICE_RUNTIME_DIR: join(dir, 'runtime') };
});
afterEach(() => rm(dir, { recursive: true, force: true }));

/** Runs a `sluice` command to its end in a child process. */
async function sluice(...args: string[]) {
  const child = spawnSluice(args, dir, env);
  const { code } = await child.exit;
  return { code, stdout: child.stdout(), stderr: child.stderr() };
}

describe('controlling a real `sluice run` process', () => {
  it('registers it in `sluice list` while it runs, and removes it when a signal ends the run', async () => {
    const run = spawnSluice(['run', PIPE, '--quiet', '--set', `state.checkpoints.dir=${join(dir, 'checkpoints')}`], dir, env);
    await expect.poll(async () => (await listRunningJobs(env.SLUICE_RUNTIME_DIR!)).length, { timeout: 60_000, interval: 100 }).toBe(1);
    const list = await sluice('list');
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(new RegExp(`^ID +NAME +PID +UPTIME +SOCKET\nendless-counts-[0-9a-f]{8} +endless-counts +\\d+ +[^\n]+ ${env.SLUICE_RUNTIME_DIR}/[0-9a-f]{12}\\.sock\n$`));
    run.kill('SIGTERM');
    expect((await run.exit).code).toBe(143);
    expect(await readdir(env.SLUICE_RUNTIME_DIR!)).toEqual([]);
  });

  it.skipIf(!RUNTIME_TAKES_SAVEPOINTS)('lists it, stops it with a savepoint holding its counts, and unregisters it (needs Job.savepoint and Job.stop)', async () => {
    const metricsFile = join(dir, 'metrics.jsonl');
    const run = spawnSluice(['run', PIPE, '--quiet', '--metrics-json', metricsFile, '--set', `state.checkpoints.dir=${join(dir, 'checkpoints')}`, '--set', 'state.savepoints.dir=savepoints'], dir, env);
    await expect.poll(async () => (await listRunningJobs(env.SLUICE_RUNTIME_DIR!)).length, { timeout: 60_000, interval: 100 }).toBe(1);

    const list = await sluice('list');
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(new RegExp(`^ID +NAME +PID +UPTIME +SOCKET\nendless-counts-[0-9a-f]{8} +endless-counts +\\d+ `));

    const stop = await sluice('stop', 'endless-counts', '--savepoint');
    expect(stop.stderr).toMatch(/^stopped job endless-counts-[0-9a-f]{8}\n$/);
    expect(stop.code).toBe(0);
    const savepoint = stop.stdout.trim();
    expect(savepoint.startsWith(join(dir, 'savepoints', 'savepoint-'))).toBe(true);
    expect((await run.exit).code).toBe(0);
    // Stopped, not finished nor cancelled: its output up to the stop is committed.
    const lines = (await readFile(metricsFile, 'utf8')).trim().split('\n');
    expect(JSON.parse(lines.at(-1)!)).toMatchObject({ type: 'final', status: 'stopped' });

    const dump = await sluice('savepoint', 'inspect', savepoint, '--dump', 'per-v');
    expect(dump.code).toBe(0);
    const counts = dump.stdout.trim().split('\n').map((line) => JSON.parse(line) as { key: number[]; value: number[] });
    expect(counts.map((c) => c.key[0]).sort()).toEqual([1, 2, 3, 4, 5]);
    expect(counts.reduce((sum, c) => sum + c.value[0]!, 0)).toBeGreaterThan(0);

    expect(await readdir(env.SLUICE_RUNTIME_DIR!)).toEqual([]);
    expect(await sluice('stop', 'endless-counts')).toMatchObject({ code: 2, stderr: expect.stringContaining('SLC9101') });
  });
});

import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MetricsLineSchema } from '../../cli/metrics-json.js';
import { FIXTURES, startRun, testEnvironment, until } from './run-in-process.js';
import { spawnSluice } from './spawn-sluice.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-stop-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('stopping sluice run', () => {
  it('cancels on SIGINT in a real process: exit 130, says so, and leaves no half-written output', async () => {
    const run = spawnSluice(['run', join(FIXTURES, 'slow.pipe'), '--metrics-json', '-'], dir);
    // The first metrics line comes after a second of running; by then the sink has flushed rows to a part file.
    await until(() => run.stdout().includes('\n'), 60_000);
    expect(MetricsLineSchema.parse(JSON.parse(run.stdout().split('\n')[0]!)).status).toBe('running');
    const inProgress = await readdir(join(dir, 'out'));
    expect(inProgress.length).toBeGreaterThan(0);
    expect(inProgress.every((file) => file.startsWith('.'))).toBe(true);
    run.kill('SIGINT');
    const { code } = await run.exit;
    expect(run.stderr()).toContain('SIGINT received: stopping the job');
    expect(run.stderr()).toMatch(/^stopped by SIGINT after .*: job 'slow' cancelled, uncommitted output discarded$/m);
    expect(code).toBe(130);
    const final = MetricsLineSchema.parse(JSON.parse(run.stdout().trim().split('\n').at(-1)!));
    expect(final).toMatchObject({ type: 'final', status: 'cancelled' });
    expect(final.rowsWritten).toBeGreaterThan(0);
    // Without checkpoints nothing was committed, and aborting removed the in-progress part file.
    expect(await readdir(join(dir, 'out')).catch(() => [])).toEqual([]);
  });

  it('exits 143 on SIGTERM, and at once on a second signal', async () => {
    const env = testEnvironment();
    const run = startRun('endless.pipe', { quiet: true }, { cwd: FIXTURES, env });
    await until(() => env.signals.listenerCount('SIGTERM') > 0);
    env.signals.emit('SIGTERM');
    env.signals.emit('SIGINT');
    expect(env.forcedExits).toEqual([130]);
    expect(run.stderr.text()).toContain('SIGINT received again: exiting without a clean stop');
    expect(await run.exit).toBe(143);
    expect(run.stderr.text()).toMatch(/stopped by SIGTERM\n$/);
    // The command stops listening once it is done, leaving the process's signals as it found them.
    expect(env.signals.listenerCount('SIGINT') + env.signals.listenerCount('SIGTERM')).toBe(0);
  });

  it('stops quietly with exit 0 when the reader of standard output goes away', async () => {
    const run = spawnSluice(['run', join(FIXTURES, 'chatty.pipe')], dir);
    await until(() => run.stdout().length > 0, 60_000);
    run.closeStdout();
    const { code } = await run.exit;
    expect(run.stderr()).toMatch(/^standard output was closed after .*: job 'chatty' cancelled$/m);
    expect(run.stderr()).not.toContain('EPIPE');
    expect(code).toBe(0);
  });
});

import { spawnSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startJobControl } from '../../cli/control/job-control.js';
import { listRunningJobs, lockRegistration, processIsAlive, RegistryEntrySchema, writeRegistryEntry } from '../../cli/control/job-registry.js';
import { checkRuntimeDirectory, runtimeDirectory } from '../../cli/control/runtime-dir.js';
import { FakeJob } from './fake-job.js';
import { registryEntry } from './registry-entry.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-registry-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const mode = async (path: string) => (await stat(path)).mode & 0o777;

describe('the job registry', () => {
  it('writes an entry readable by its owner only, through a temporary file that does not stay behind', async () => {
    const entry = registryEntry(dir, 'orders');
    await writeRegistryEntry(join(dir, 'a.json'), entry);
    await writeRegistryEntry(join(dir, 'a.json'), { ...entry, pid: 1 });
    expect(await readdir(dir)).toEqual(['a.json']);
    expect(await mode(join(dir, 'a.json'))).toBe(0o600);
    expect(RegistryEntrySchema.parse(JSON.parse(await readFile(join(dir, 'a.json'), 'utf8')))).toEqual({ ...entry, pid: 1 });
  });

  it('leaves the previous entry whole when a write cannot complete', async () => {
    await mkdir(join(dir, 'taken.json'));
    await expect(writeRegistryEntry(join(dir, 'taken.json'), registryEntry(dir, 'orders'))).rejects.toThrow();
    expect(await readdir(dir)).toEqual(['taken.json']);
  });

  it('registers a running job with a private socket and unregisters it when closed', async () => {
    const runtime = join(dir, 'runtime');
    const control = startJobControl(new FakeJob('orders-1a2b'), {
      pipelineName: 'orders',
      savepointsDir: 'savepoints',
      io: { env: { SLUICE_RUNTIME_DIR: runtime }, cwd: '/work/jobs' },
      log: (line) => expect.unreachable(line),
    });
    await control.ready;
    const jobs = await listRunningJobs(runtime);
    expect(jobs.map((job) => job.entry)).toEqual([
      expect.objectContaining({ jobId: 'orders-1a2b', pipelineName: 'orders', pid: process.pid, savepointsDir: '/work/jobs/savepoints' }),
    ]);
    expect(await mode(runtime)).toBe(0o700);
    expect(await mode(jobs[0]!.file)).toBe(0o600);
    expect(await mode(jobs[0]!.entry.socket)).toBe(0o600);
    await control.close();
    expect(await readdir(runtime)).toEqual([]);
  });

  it('removes entries of processes that are gone, with their sockets, and keeps the others', async () => {
    const gone = spawnSync(process.execPath, ['-e', '']).pid!;
    expect(processIsAlive(gone)).toBe(false);
    const live = await lockRegistration(join(dir, 'live.json'));
    try {
      await writeRegistryEntry(join(dir, 'live.json'), registryEntry(dir, 'live'));
      await writeRegistryEntry(join(dir, 'dead.json'), registryEntry(dir, 'dead', { pid: gone }));
      await writeFile(join(dir, 'dead.sock'), '');
      const jobs = await listRunningJobs(dir);
      expect(jobs.map((job) => job.entry.pipelineName)).toEqual(['live']);
      expect((await readdir(dir)).sort()).toEqual(['live.json']);
    } finally {
      await live?.release();
    }
  });

  it('judges liveness by the lock, not the pid: an entry whose pid now belongs to another process is removed', async () => {
    // This very process has the pid, as a new process would after the job's was reused; nobody holds the lock.
    await writeRegistryEntry(join(dir, 'reused.json'), registryEntry(dir, 'reused', { pid: process.pid }));
    await writeFile(join(dir, 'reused.sock'), '');
    expect(await listRunningJobs(dir)).toEqual([]);
    expect(await readdir(dir)).toEqual([]);
  });

  it('removes sockets and temporary files of registrations that never completed, unless their job is registering now', async () => {
    await writeFile(join(dir, '0123456789ab.sock'), '');
    await writeFile(join(dir, '.0123456789ab.json.deadbeef.tmp'), '{"format"');
    const registering = await lockRegistration(join(dir, 'ba9876543210.json'));
    try {
      await writeFile(join(dir, 'ba9876543210.sock'), '');
      expect(await listRunningJobs(dir)).toEqual([]);
      expect(await readdir(dir)).toEqual(['ba9876543210.sock']);
    } finally {
      await registering?.release();
    }
  });

  it('skips files that are not registry entries without deleting them', async () => {
    await writeFile(join(dir, 'notes.json'), '{"hello": 1}');
    await writeFile(join(dir, 'half.json'), '{"format": "sluice-running-job", ');
    expect(await listRunningJobs(dir, () => false)).toEqual([]);
    expect((await readdir(dir)).sort()).toEqual(['half.json', 'notes.json']);
  });

  it('never removes a socket outside the registry directory that a stale entry names', async () => {
    const elsewhere = await mkdtemp(join(tmpdir(), 'sluice-elsewhere-'));
    try {
      await writeFile(join(elsewhere, 'x.sock'), '');
      await writeRegistryEntry(join(dir, 'stale.json'), registryEntry(dir, 'stale', { socket: join(elsewhere, 'x.sock') }));
      await listRunningJobs(dir, () => false);
      expect(await readdir(elsewhere)).toEqual(['x.sock']);
      expect(await readdir(dir)).toEqual([]);
    } finally {
      await rm(elsewhere, { recursive: true, force: true });
    }
  });
});

describe('the per-user runtime directory', () => {
  it('is SLUICE_RUNTIME_DIR, else under XDG_RUNTIME_DIR, else a per-user directory in tmp', () => {
    expect(runtimeDirectory({ SLUICE_RUNTIME_DIR: '/r', XDG_RUNTIME_DIR: '/run/user/7' })).toBe('/r');
    expect(runtimeDirectory({ XDG_RUNTIME_DIR: '/run/user/7' })).toBe('/run/user/7/sluice');
    expect(runtimeDirectory({})).toBe(join(tmpdir(), `sluice-${process.getuid!()}`));
  });

  it('is refused when others can open it or it is a link, and a job then runs without control', async () => {
    const open = join(dir, 'open');
    await mkdir(open, { mode: 0o700 });
    await chmod(open, 0o755);
    expect(await checkRuntimeDirectory(open, true)).toEqual({ state: 'unsafe', reason: 'other users can open it (mode 0755)' });
    await symlink(await mkdtemp(join(dir, 'target-')), join(dir, 'link'));
    expect(await checkRuntimeDirectory(join(dir, 'link'), false)).toEqual({ state: 'unsafe', reason: 'it is a symbolic link' });

    const warnings: string[] = [];
    const control = startJobControl(new FakeJob(), { pipelineName: 'p', savepointsDir: null, io: { env: { SLUICE_RUNTIME_DIR: open }, cwd: dir }, log: (line) => warnings.push(line) });
    expect(await control.ready).toBeUndefined();
    expect(warnings).toEqual([
      `warning: \`sluice savepoint\`, \`sluice stop\` and \`sluice list\` cannot reach this job: the job control directory ${open} is unsafe: other users can open it (mode 0755)`,
    ]);
    expect(await readdir(open)).toEqual([]);
  });
});

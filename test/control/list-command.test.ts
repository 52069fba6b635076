import { chmod, mkdir } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatJobTable, runList } from '../../cli/commands/list.js';
import { exitCodeFor } from '../../cli/exit-codes.js';
import { writeRegistryEntry } from '../../cli/control/job-registry.js';
import { ControlHarness } from './control-harness.js';
import { FakeJob } from './fake-job.js';
import { registryEntry } from './registry-entry.js';

let harness: ControlHarness;
beforeEach(async () => {
  harness = await ControlHarness.create();
});
afterEach(() => harness.dispose());

describe('sluice list', () => {
  it('shows id, name, pid, uptime and socket of each job, oldest first, in aligned columns', () => {
    const started = 1_700_000_000_000;
    const jobs = [
      { entry: registryEntry('/run/sluice', 'orders-revenue', { jobId: 'orders-revenue-1a2b3c4d', pid: 4242, startedAt: started }), file: '' },
      { entry: registryEntry('/run/sluice', 'q5', { jobId: 'q5-9f8e7d6c', pid: 77, startedAt: started + 3_600_000 }), file: '' },
    ];
    expect(formatJobTable(jobs, started + 2 * 3_600_000 + 65_000)).toBe(
      [
        'ID                       NAME            PID   UPTIME      SOCKET',
        'orders-revenue-1a2b3c4d  orders-revenue  4242  2 h 01 min  /run/sluice/orders-revenue.sock',
        'q5-9f8e7d6c              q5              77    1 h 01 min  /run/sluice/q5.sock',
        '',
      ].join('\n'),
    );
  });

  it('lists the jobs registered by running jobs and drops those whose process is gone', async () => {
    await harness.register(new FakeJob('orders-1a2b'), 'orders');
    await mkdir(harness.runtimeDir, { recursive: true });
    await writeRegistryEntry(`${harness.runtimeDir}/dead.json`, registryEntry(harness.runtimeDir, 'dead', { pid: 2 ** 22 + 1 }));
    const io = harness.io();
    expect(exitCodeFor(await runList(io))).toBe(0);
    const lines = io.out().trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(new RegExp(`^orders-1a2b  orders  ${process.pid}  \\d+ ms +${harness.runtimeDir}/[0-9a-f]{12}\\.sock$`));
  });

  it('says so on standard error when no job is running', async () => {
    const io = harness.io();
    expect(exitCodeFor(await runList(io))).toBe(0);
    expect(io.out()).toBe('');
    expect(io.err()).toBe('no Sluice jobs are running\n');
  });

  it('refuses a runtime directory that others can open', async () => {
    await mkdir(harness.runtimeDir);
    await chmod(harness.runtimeDir, 0o777);
    const io = harness.io();
    expect(exitCodeFor(await runList(io))).toBe(2);
    expect(io.err()).toMatch(/^error\[SLC9108\]: the job control directory '.*' is unsafe: other users can open it \(mode 0777\)/);
  });
});

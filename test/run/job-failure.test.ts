import { describe, expect, it } from 'vitest';
import { FIXTURES, runInProcess } from './run-in-process.js';

const FAILING = { functions: 'failing-udf.mjs' };

describe('sluice run when user code fails', () => {
  it('stops the job, names the step, subtask, row and origin, and exits 1 without a stack trace', async () => {
    const { code, stderr } = await runInProcess('failing-udf.pipe', { ...FAILING, parallelism: '2' }, { cwd: FIXTURES });
    expect(code).toBe(1);
    expect(stderr).toMatch(/^error: the job failed: operator 'scale' \(Project\(.*\)\) subtask [12]\/2 failed at failing-udf\.pipe:7:\d+: cannot scale price \d*7$/m);
    expect(stderr).toMatch(/^ {2}row: \[\d+,\d*7\]$/m);
    expect(stderr).toMatch(/^ {2}rows from: source split 'nexmark-bid-\d-of-2'/m);
    expect(stderr).toMatch(/^job 'failing-udf' failed after /m);
    expect(stderr).toContain('SLUICE_DEBUG=1');
    expect(stderr).not.toMatch(/^\s+at /m);
  });

  it('adds the stack trace of the failing function with SLUICE_DEBUG=1', async () => {
    const { code, stderr } = await runInProcess('failing-udf.pipe', FAILING, { cwd: FIXTURES, vars: { SLUICE_DEBUG: '1' } });
    expect(code).toBe(1);
    expect(stderr).toMatch(/^Error: cannot scale price \d*7\n\s+at fn \(.*failing-udf\.mjs:\d+:\d+\)$/m);
  });

  it('exits 1 with the compiler diagnostics when the program does not compile', async () => {
    const { code, stderr } = await runInProcess('failing-udf.pipe', {}, { cwd: FIXTURES });
    expect(code).toBe(1);
    expect(stderr).toMatch(/^error\[SLC\d{4}\]: .*risky_scale/m);
    expect(stderr).not.toContain('running');
  });

  it('exits 2 for usage errors, before running anything', async () => {
    const missing = await runInProcess('nowhere.pipe', {}, { cwd: FIXTURES });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^error\[SLC9001\]: cannot find 'nowhere.pipe'/);
    const conflicting = await runInProcess('failing-udf.pipe', { ...FAILING, from: 'savepoint-x', resume: true }, { cwd: FIXTURES });
    expect(conflicting.code).toBe(2);
    expect(conflicting.stderr).toMatch(/^error\[SLC9006\]: --from and --resume cannot be used together/);
  });
});

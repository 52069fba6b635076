import { describe, expect, it } from 'vitest';
import { exitCodeFor } from '../../cli/exit-codes.js';

describe('exit codes of sluice run', () => {
  it('follows the shell convention of 128 + the signal number for a job stopped by a signal', () => {
    expect(exitCodeFor({ kind: 'stopped', signal: 'SIGINT' })).toBe(130);
    expect(exitCodeFor({ kind: 'stopped', signal: 'SIGTERM' })).toBe(143);
  });

  it('is 1 for a job that failed while running, like errors in the program', () => {
    expect(exitCodeFor({ kind: 'job-failed' })).toBe(1);
  });
});

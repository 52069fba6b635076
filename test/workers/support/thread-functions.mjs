import { existsSync, writeFileSync } from 'node:fs';
import { threadId } from 'node:worker_threads';

// A functions module (as `--functions` takes it) for the worker tests: which thread ran a row, and a failure.
export const functions = [
  { name: 'thread_of', args: [{ name: 'BIGINT' }], returns: { name: 'BIGINT' }, fn: () => threadId },
  {
    name: 'fail_at',
    args: [{ name: 'BIGINT' }, { name: 'BIGINT' }],
    returns: { name: 'BIGINT' },
    fn: (value, at) => {
      if (value === at) throw new Error(`fail_at met ${at}`);
      return value;
    },
  },
  {
    // Fails once per job, in whichever thread meets `at` first: the marker file (env SLUICE_TEST_FAIL_MARKER) says it did.
    name: 'fail_once_at',
    args: [{ name: 'BIGINT' }, { name: 'BIGINT' }],
    returns: { name: 'BIGINT' },
    fn: (value, at) => {
      const marker = process.env.SLUICE_TEST_FAIL_MARKER;
      if (value === at && marker !== undefined && !existsSync(marker)) {
        writeFileSync(marker, 'failed');
        throw new Error(`fail_once_at met ${at}`);
      }
      return value;
    },
  },
  {
    // Fails once per job (marker file as for fail_once_at) at the first row after the file SLUICE_TEST_ARM_FILE
    // appears: a test creates it once the checkpoints it needs before the failure have completed.
    name: 'fail_once_armed',
    args: [{ name: 'BIGINT' }],
    returns: { name: 'BIGINT' },
    fn: (value) => {
      const marker = process.env.SLUICE_TEST_FAIL_MARKER;
      const arm = process.env.SLUICE_TEST_ARM_FILE;
      if (marker !== undefined && arm !== undefined && existsSync(arm) && !existsSync(marker)) {
        writeFileSync(marker, 'failed');
        throw new Error('fail_once_armed: armed');
      }
      return value;
    },
  },
  {
    // Never returns, once per job (marker file as for fail_once_at, env SLUICE_TEST_SPIN_MARKER): a hung function.
    name: 'spin_once_at',
    args: [{ name: 'BIGINT' }, { name: 'BIGINT' }],
    returns: { name: 'BIGINT' },
    fn: (value, at) => {
      const marker = process.env.SLUICE_TEST_SPIN_MARKER;
      if (value === at && marker !== undefined && !existsSync(marker)) {
        writeFileSync(marker, 'spinning');
        for (;;);
      }
      return value;
    },
  },
  {
    name: 'exit_at',
    args: [{ name: 'BIGINT' }, { name: 'BIGINT' }],
    returns: { name: 'BIGINT' },
    fn: (value, at) => {
      if (value === at) process.exit(7);
      return value;
    },
  },
];

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
    name: 'exit_at',
    args: [{ name: 'BIGINT' }, { name: 'BIGINT' }],
    returns: { name: 'BIGINT' },
    fn: (value, at) => {
      if (value === at) process.exit(7);
      return value;
    },
  },
];

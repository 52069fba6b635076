import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Job } from '../../runtime/execution/job.js';
import { JobLocks } from '../../runtime/locks/job-locks.js';
import { DiagnosticError } from '../../runtime/diagnostic-error.js';
import { tempDir } from '../checkpoint/state-fixtures.js';
import { compilePipe } from '../operators/run-pipe.js';
import { useWorkers } from './worker-run.js';

useWorkers();

/** Posts each worker's slot on the 'sluice-test-worker-start' broadcast channel when a worker imports it. */
const ANNOUNCE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'support', 'announce-start.mjs');

const BIDS = `CREATE SOURCE bid (auction BIGINT, bidder BIGINT, price BIGINT, date_time TIMESTAMP(3),
  WATERMARK FOR date_time AS date_time - INTERVAL '4' SECOND)
  WITH ('connector' = 'nexmark', 'table' = 'bid', 'events' = '20000') UID 'bids';
CREATE SINK out WITH ('connector' = 'blackhole') UID 'out';
INSERT INTO out FROM bid |> AGGREGATE COUNT(*) AS n GROUP BY auction UID 'counts';`;

afterEach(() => {
  vi.restoreAllMocks();
});

describe('the slots\u2019 worker threads', () => {
  it('start before the job takes its locks and recovers its checkpoints, and the job runs on them', async () => {
    const announced = new Set<number>();
    let both: () => void = () => undefined;
    const bothStarted = new Promise<void>((resolve) => (both = resolve));
    const channel = new BroadcastChannel('sluice-test-worker-start');
    channel.onmessage = (event: Event) => {
      announced.add((event as Event & { data: number }).data);
      if (announced.size === 2) both();
    };
    let startedAtLocks: number | undefined;
    const take = JobLocks.take.bind(JobLocks);
    vi.spyOn(JobLocks, 'take').mockImplementation(async (...args) => {
      // The threads import the functions module while this thread prepares the job. Bounded, so that threads started
      // only later (with the attempt) fail the assertion below rather than hang the test.
      await Promise.race([bothStarted, new Promise((resolve) => setTimeout(resolve, 60_000))]);
      startedAtLocks = announced.size;
      return take(...args);
    });
    const spawned = vi.spyOn(Worker.prototype, 'postMessage');
    try {
      const job = await Job.start(compilePipe(BIDS, {}, 2), { functionModules: [ANNOUNCE] });
      const result = await job.done;
      expect(startedAtLocks).toBe(2);
      // Each thread got its slot's init as a message, and no thread was started again for the attempt.
      expect(spawned.mock.calls.filter(([message]) => (message as { type?: string }).type === 'init')).toHaveLength(2);
      expect(announced).toEqual(new Set([0, 1]));
      expect(result.metrics.operators.find((op) => op.uid === 'bids')!.recordsOut).toBeGreaterThan(0);
    } finally {
      channel.close();
    }
  });

  it('end when the job cannot start: its local state directory is another job\u2019s', async () => {
    const localStateDir = path.join(tempDir(), 'state');
    const first = await Job.start(compilePipe(BIDS.replace("'20000'", "'1000000000'"), {}, 1), { localStateDir });
    try {
      const terminated = vi.spyOn(Worker.prototype, 'terminate');
      const error = await Job.start(compilePipe(BIDS, {}, 2), { localStateDir }).then(
        (job) => {
          void job.cancel();
          throw new Error('the second job started');
        },
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(DiagnosticError);
      expect((error as DiagnosticError).code).toBe('SLC9132');
      // Both threads started for it were ended.
      expect(terminated).toHaveBeenCalledTimes(2);
    } finally {
      await first.cancel();
    }
  });
});

import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { reportJobEvents } from '../../cli/run-events.js';
import type { CheckpointStats } from '../../runtime/checkpoint/checkpoint-stats.js';
import type { JobEvents } from '../../runtime/execution/job-events.js';

function listen(options: { resumeRequested?: boolean; quiet?: boolean } = {}) {
  const job = new EventEmitter<JobEvents>();
  const lines: string[] = [];
  const stop = reportJobEvents(job, { resumeRequested: options.resumeRequested ?? false, quiet: options.quiet ?? false, write: (line) => lines.push(line) });
  return { job, lines, stop };
}

const restored: JobEvents['restored'][0] = {
  kind: 'restored',
  type: 'savepoint',
  checkpointId: 7,
  location: '/sp/savepoint-ab12',
  graphChanged: true,
  skipped: ['chk-9: /cp/chk-9/_metadata does not match its checksum'],
  notes: ["operator 'new-agg' starts empty"],
};

describe('the job events sluice run reports', () => {
  it('says where the state came from, and why it started fresh only when --resume asked for state', () => {
    const { job, lines } = listen();
    job.emit('restored', restored);
    job.emit('restored', { kind: 'fresh', reason: 'no restore was asked for', skipped: [] });
    expect(lines).toEqual([
      'restored from savepoint 7 at /sp/savepoint-ab12 (the job graph changed since it was written)',
      '  skipped chk-9: /cp/chk-9/_metadata does not match its checksum',
      "  note: operator 'new-agg' starts empty",
    ]);

    const resumed = listen({ resumeRequested: true });
    resumed.job.emit('restored', { kind: 'fresh', reason: 'no usable completed checkpoint: starting from scratch', skipped: ['chk-2: /cp/chk-2/_metadata is missing'] });
    expect(resumed.lines).toEqual(['nothing to resume: no usable completed checkpoint: starting from scratch', '  skipped chk-2: /cp/chk-2/_metadata is missing']);
  });

  it('reports restarts and aborted checkpoints, even with --quiet, and stops when told', () => {
    const { job, lines, stop } = listen({ quiet: true });
    job.emit('restored', restored);
    job.emit('restart', { attempt: 2, reason: "operator 'x' failed: boom\n  row: [1]", error: new Error('boom'), delayMs: 1500, checkpointId: 3 });
    job.emit('checkpoint-aborted', { checkpointId: 4, durationMs: 10_000, failure: 'expired before completing' } as CheckpointStats);
    stop();
    job.emit('restart', { attempt: 3, reason: 'again', error: undefined, delayMs: 0, checkpointId: null });
    expect(lines).toEqual([
      "restarting the job in 1.50 s (attempt 2) from checkpoint 3, after a failure: operator 'x' failed: boom",
      'checkpoint 4 aborted after 10.0 s: expired before completing',
    ]);
  });
});

import type { EventEmitter } from 'node:events';
import type { CheckpointStats } from '../runtime/checkpoint/checkpoint-stats.js';
import type { JobEvents, JobWarning, RestartEvent, RestoreInfo } from '../runtime/execution/job-events.js';
import { formatDuration } from './format-numbers.js';

export interface EventReportOptions {
  /** Whether `--resume` was given: then starting from scratch is news worth a line. */
  readonly resumeRequested: boolean;
  /** `--quiet`: leave out where the state came from; restarts, warnings and aborted checkpoints are still reported. */
  readonly quiet: boolean;
  /** Writes one line on standard error (clearing the status line first). */
  readonly write: (line: string) => void;
}

function describeRestore(info: RestoreInfo, resumeRequested: boolean): string[] {
  if (info.kind === 'fresh') return resumeRequested ? [`nothing to resume: ${info.reason}`, ...info.skipped.map((reason) => `  skipped ${reason}`)] : [];
  const changed = info.graphChanged ? ' (the job graph changed since it was written)' : '';
  return [
    `restored from ${info.type} ${info.checkpointId} at ${info.location}${changed}`,
    ...info.skipped.map((reason) => `  skipped ${reason}`),
    ...info.notes.map((note) => `  note: ${note}`),
  ];
}

function describeRestart(event: RestartEvent): string {
  const from = event.checkpointId === null ? 'from where the job started' : `from checkpoint ${event.checkpointId}`;
  const delay = event.delayMs > 0 ? ` in ${formatDuration(event.delayMs)}` : '';
  const [reason = ''] = event.reason.split('\n');
  return `restarting the job${delay} (attempt ${event.attempt}) ${from}, after a failure: ${reason}`;
}

function describeAbort(stats: CheckpointStats): string {
  return `checkpoint ${stats.checkpointId} aborted after ${formatDuration(stats.durationMs)}: ${stats.failure ?? 'no reason given'}`;
}

/**
 * Tells the user on standard error what the job's events mean for them: where its state came from, restarts
 * after failures, warnings (faults handled, such as log rotation), and aborted checkpoints. Completed checkpoints show in the status line and the metrics
 * instead of a line each. Returns the function that stops listening.
 */
export function reportJobEvents(job: EventEmitter<JobEvents>, options: EventReportOptions): () => void {
  const onRestored = (info: RestoreInfo) => {
    if (options.quiet) return;
    for (const line of describeRestore(info, options.resumeRequested)) options.write(line);
  };
  const onRestart = (event: RestartEvent) => options.write(describeRestart(event));
  const onAborted = (stats: CheckpointStats) => options.write(describeAbort(stats));
  const onWarning = (warning: JobWarning) => options.write(`warning: ${warning.operator}: ${warning.message}`);
  job.on('restored', onRestored);
  job.on('warning', onWarning);
  job.on('restart', onRestart);
  job.on('checkpoint-aborted', onAborted);
  return () => {
    job.off('restored', onRestored);
    job.off('warning', onWarning);
    job.off('restart', onRestart);
    job.off('checkpoint-aborted', onAborted);
  };
}

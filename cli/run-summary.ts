import { CheckpointRestoreError } from '../runtime/checkpoint/restore/restore-error.js';
import { OperatorFailure } from '../runtime/execution/operator-failure.js';
import { formatCount, formatDuration, formatRate } from './format-numbers.js';
import type { RunSnapshot } from './run-monitor.js';
import type { StopSignal } from './signals.js';

/** How a `sluice run` ended, as the summary tells it. */
export type RunEnding =
  | { readonly kind: 'finished' }
  | { readonly kind: 'stopped'; readonly signal: StopSignal }
  /** `sluice stop` (or `job.stop()`) ended it gracefully: output up to the stop is committed. */
  | { readonly kind: 'stopped-on-request' }
  /** The reader of standard output went away (`sluice run job.pipe | head`). */
  | { readonly kind: 'output-closed' }
  | { readonly kind: 'failed' };

function headline(pipeline: string, ending: RunEnding, durationMs: number): string {
  const duration = formatDuration(durationMs);
  switch (ending.kind) {
    case 'finished':
      return `job '${pipeline}' finished in ${duration}`;
    case 'stopped':
      return `stopped by ${ending.signal} after ${duration}: job '${pipeline}' cancelled, uncommitted output discarded`;
    case 'stopped-on-request':
      return `job '${pipeline}' stopped on request after ${duration}: output up to the stop committed`;
    case 'output-closed':
      return `standard output was closed after ${duration}: job '${pipeline}' cancelled`;
    case 'failed':
      return `job '${pipeline}' failed after ${duration}`;
  }
}

/**
 * The summary printed on standard error when a run ends: how it ended and how long it ran, rows read per
 * source and written per sink (by uid) with their throughput over the run, the new files a restored file source
 * found, late rows dropped and parse errors skipped. `snapshot` covers the whole run (`RunMonitor.overall()`).
 */
export function formatRunSummary(pipeline: string, ending: RunEnding, snapshot: RunSnapshot): string {
  const rows = [
    ...snapshot.sources.map((s) => ({ role: 'source', uid: s.uid, rows: s.rows, verb: 'read', rate: s.rowsPerSecond })),
    ...snapshot.sinks.map((s) => ({ role: 'sink', uid: s.uid, rows: s.rows, verb: 'written', rate: s.rowsPerSecond })),
  ].map((row) => ({ ...row, count: formatCount(row.rows), rateText: formatRate(row.rate) }));
  const uidWidth = Math.max(0, ...rows.map((row) => row.uid.length));
  const countWidth = Math.max(0, ...rows.map((row) => row.count.length));
  const rateWidth = Math.max(0, ...rows.map((row) => row.rateText.length));
  const lines = [headline(pipeline, ending, snapshot.elapsedMs)];
  for (const row of rows) {
    const rowsText = `${row.count.padStart(countWidth)} rows ${row.verb.padEnd(7)}`;
    lines.push(`  ${row.role.padEnd(6)} ${row.uid.padEnd(uidWidth)}  ${rowsText}  ${row.rateText.padStart(rateWidth)} rows/s`);
  }
  for (const { uid, count } of snapshot.newSplits) lines.push(`  source ${uid}: ${formatCount(count)} new ${count === 1 ? 'file' : 'files'} since the restored snapshot`);
  lines.push(`  late rows dropped ${formatCount(snapshot.lateRowsDropped)}, parse errors skipped ${formatCount(snapshot.parseErrorsSkipped)}`);
  return `${lines.join('\n')}\n`;
}

/** The innermost error of a chain of causes, whose stack points at the user's code or the connector. */
function rootCause(error: unknown): unknown {
  let current = error;
  while (current instanceof Error && current.cause !== undefined) current = current.cause;
  return current;
}

export interface FailureFormatOptions {
  /** SLUICE_DEBUG=1: add the stack trace of the root cause. */
  readonly debug: boolean;
  readonly color: boolean;
  /** Whether `Job.start` failed, rather than the running job. */
  readonly starting: boolean;
}

function failureKind(error: unknown, starting: boolean): string {
  if (error instanceof CheckpointRestoreError) return 'cannot restore';
  return starting && !(error instanceof OperatorFailure) ? 'the job could not start' : 'the job failed';
}

/**
 * Why the job stopped on an error. An OperatorFailure names the operator uid, the subtask, the place in the
 * .pipe file and, where known, the row and where it came from; a CheckpointRestoreError says why the saved
 * state cannot be restored and what to do; other errors come from setting the job up (a connector, a process
 * function that was not registered) or from its surroundings (standard output failing).
 */
export function formatJobFailure(error: unknown, options: FailureFormatOptions): string {
  const label = options.color ? '\x1b[1m\x1b[31merror\x1b[0m\x1b[1m' : 'error';
  const reset = options.color ? '\x1b[0m' : '';
  const message = error instanceof Error ? error.message : String(error);
  const [first = '', ...details] = message.split('\n');
  const lines = [`${label}: ${failureKind(error, options.starting)}: ${first}${reset}`, ...details];
  const cause = rootCause(error);
  if (options.debug && cause instanceof Error && cause.stack !== undefined) {
    lines.push(cause.stack);
  } else if (!(error instanceof CheckpointRestoreError)) {
    // A refused restore already says what to do; its stack would help nobody.
    lines.push('  = help: the message names the step or connector that failed; run again with SLUICE_DEBUG=1 to see the stack trace');
  }
  return `${lines.join('\n')}\n`;
}

import { describe, expect, it } from 'vitest';
import { compile } from '../../compiler/compile.js';
import type { RunSnapshot } from '../../cli/run-monitor.js';
import { formatJobFailure, formatRunSummary } from '../../cli/run-summary.js';
import { CheckpointRestoreError } from '../../runtime/checkpoint/restore/restore-error.js';
import { OperatorFailure } from '../../runtime/execution/operator-failure.js';
import { RowFailure } from '../../runtime/operators/row-failure.js';

const overall: RunSnapshot = {
  elapsedMs: 2_340,
  sources: [
    { uid: 'payments', rows: 120_000, rowsPerSecond: 51_282 },
    { uid: 'resets', rows: 10, rowsPerSecond: 4.27 },
  ],
  sinks: [{ uid: 'alerts-out', rows: 8, rowsPerSecond: 3.42 }],
  rowsRead: 120_010,
  rowsWritten: 8,
  readPerSecond: 51_286,
  writtenPerSecond: 3.42,
  watermark: Infinity,
  backpressure: 0,
  lateRowsDropped: 17,
  parseErrorsSkipped: 2,
  newSplits: [],
  checkpoints: null,
};

describe('the run summary', () => {
  it('lists rows and throughput per source and sink uid, aligned, with late rows and parse errors', () => {
    expect(formatRunSummary('fraud-alerts', { kind: 'finished' }, overall)).toBe(
      [
        "job 'fraud-alerts' finished in 2.34 s",
        '  source payments    120,000 rows read     51.3k rows/s',
        '  source resets           10 rows read       4.3 rows/s',
        '  sink   alerts-out        8 rows written    3.4 rows/s',
        '  late rows dropped 17, parse errors skipped 2',
        '',
      ].join('\n'),
    );
  });

  it('says which signal stopped the job', () => {
    expect(formatRunSummary('x', { kind: 'stopped', signal: 'SIGTERM' }, overall)).toMatch(/^stopped by SIGTERM after 2\.34 s: job 'x' cancelled, uncommitted output discarded\n/);
    expect(formatRunSummary('x', { kind: 'stopped-on-request' }, overall)).toMatch(/^job 'x' stopped on request after 2\.34 s: output up to the stop committed\n/);
  });
});

describe('a job failure', () => {
  const graph = compile(
    `CREATE SOURCE bids (auction BIGINT, price BIGINT) WITH ('connector' = 'nexmark', 'table' = 'bid') UID 'bids';
CREATE SINK out WITH ('connector' = 'blackhole') UID 'out';
INSERT INTO out FROM bids |> SELECT price / 0 AS p UID 'divide';`,
    { file: 'job.pipe' },
  ).value!;
  const operator = graph.operators.find((op) => op.uid === 'divide')!;
  const failure = new OperatorFailure(operator, 1, 2, new RowFailure([7, 3], new Error('division by zero')), "source split 'nexmark-bid-1-of-2'");

  it('names the operator, the subtask, the row and its origin, with a hint instead of a stack', () => {
    expect(formatJobFailure(failure, { debug: false, color: false, starting: false })).toBe(
      [
        "error: the job failed: operator 'divide' (Project(price / 0 AS p)) subtask 2/2 failed at job.pipe:3:30: division by zero",
        '  row: [7,3]',
        "  rows from: source split 'nexmark-bid-1-of-2'",
        '  = help: the message names the step or connector that failed; run again with SLUICE_DEBUG=1 to see the stack trace',
        '',
      ].join('\n'),
    );
  });

  it('shows the stack of the root cause when debugging', () => {
    expect(formatJobFailure(failure, { debug: true, color: false, starting: false })).toMatch(/\nError: division by zero\n\s+at /);
  });

  it('tells a job that could not start from one that failed', () => {
    const unregistered = new Error("operator 'p' runs process function 'f', which was not given to Job.start");
    expect(formatJobFailure(unregistered, { debug: false, color: false, starting: true })).toMatch(/^error: the job could not start: operator 'p' runs/);
    expect(formatJobFailure(failure, { debug: false, color: false, starting: true })).toMatch(/^error: the job failed: /);
  });

  it('shows a refused restore with its own help and no hint about stacks', () => {
    const text = formatJobFailure(new CheckpointRestoreError("state of uid 'gone' has no operator", 'pass --allow-non-restored-state'), { debug: false, color: false, starting: false });
    expect(text).toBe("error: cannot restore: state of uid 'gone' has no operator\nhelp: pass --allow-non-restored-state\n");
  });
});

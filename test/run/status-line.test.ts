import { describe, expect, it } from 'vitest';
import type { RunSnapshot } from '../../cli/run-monitor.js';
import { formatStatus, StatusLine } from '../../cli/status-line.js';
import { collector, runInProcess } from './run-in-process.js';

const NOW = Date.UTC(2024, 4, 1, 12, 0, 0);

const running: RunSnapshot = {
  elapsedMs: 72_500,
  sources: [{ uid: 'bids', rows: 1_234_567, rowsPerSecond: 45_678 }],
  sinks: [{ uid: 'out', rows: 8_901, rowsPerSecond: 12.5 }],
  rowsRead: 1_234_567,
  rowsWritten: 8_901,
  readPerSecond: 45_678,
  writtenPerSecond: 12.5,
  watermark: NOW - 4_200,
  backpressure: 0.126,
  lateRowsDropped: 3,
  parseErrorsSkipped: 0,
  newSplits: [],
  checkpoints: null,
};

describe('the status line', () => {
  it('shows elapsed time, rates, totals, watermark lag, back-pressure and late rows', () => {
    expect(formatStatus(running, NOW)).toBe('1:12  in 45.7k/s  out 13/s  rows 1,234,567 → 8,901  watermark lag 4.20 s  backpressure 13%  late 3');
  });

  it('shows replayed history as the watermark itself, the end of input, and no watermark without event time', () => {
    expect(formatStatus({ ...running, watermark: Date.UTC(2015, 6, 15, 0, 0, 5) }, NOW)).toContain('  watermark 2015-07-15 00:00:05  ');
    expect(formatStatus({ ...running, watermark: Infinity }, NOW)).toContain('  watermark end  ');
    expect(formatStatus({ ...running, watermark: null }, NOW)).not.toContain('watermark');
  });

  it('shows the latest completed checkpoint', () => {
    const latest = { checkpointId: 12, durationMs: 85 } as NonNullable<NonNullable<RunSnapshot['checkpoints']>['latestCompleted']>;
    const checkpoints = { completed: 12, aborted: 0, inProgress: 1, latestCompleted: latest, latestAborted: null, history: [] };
    expect(formatStatus({ ...running, checkpoints }, NOW)).toContain('  checkpoint 12 (85 ms)  ');
  });

  it('redraws in place, never wider than the terminal, and clears itself only when shown', () => {
    const terminal = collector(true);
    const line = new StatusLine({ ...terminal, columns: 20 });
    line.clear();
    expect(terminal.text()).toBe('');
    line.show('short');
    line.show('a status far wider than twenty columns');
    line.clear();
    line.clear();
    expect(terminal.text()).toBe('\r\x1b[2Kshort\r\x1b[2Ka status far wider…\r\x1b[2K');
  });
});

describe('sluice run on a terminal', () => {
  it('refreshes the status line on standard error and clears it before the summary', async () => {
    const { code, stderr } = await runInProcess('examples/quickstart.pipe', {}, { tty: true });
    expect(code).toBe(0);
    expect(stderr).toMatch(/\r\x1b\[2K\d+:\d\d {2}in [\d.]+k?\/s {2}out [\d.]+k?\/s {2}rows [\d,]+ → [\d,]+ {2}watermark /);
    expect(stderr).toMatch(/\r\x1b\[2Kjob 'quickstart' finished in /);
  });

  it('shows no status line with --quiet', async () => {
    const { code, stderr } = await runInProcess('examples/quickstart.pipe', { quiet: true }, { tty: true });
    expect(code).toBe(0);
    expect(stderr).toBe('');
  });
});

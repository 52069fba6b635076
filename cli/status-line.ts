import { formatCount, formatDuration, formatElapsed, formatEventTime, formatRate } from './format-numbers.js';
import type { OutputStream } from './output.js';
import type { RunSnapshot } from './run-monitor.js';

/** Below this distance from the wall clock, event time is shown as a lag; beyond it (replayed history), as a time. */
const LAG_RANGE_MS = 24 * 3600_000;

function describeWatermark(watermark: number, wallNow: number): string {
  if (watermark === Infinity) return 'watermark end';
  const lag = wallNow - watermark;
  return lag >= 0 && lag < LAG_RANGE_MS ? `watermark lag ${formatDuration(lag)}` : `watermark ${formatEventTime(watermark)}`;
}

/**
 * The one-line live status of `sluice run`: elapsed time, rows read and written per second (sources, sinks),
 * rows so far, event-time progress (lag behind the wall clock, or the watermark itself when the input is
 * history), the latest completed checkpoint, back-pressure on the sources and late rows dropped.
 */
export function formatStatus(snapshot: RunSnapshot, wallNow: number): string {
  const parts = [
    formatElapsed(snapshot.elapsedMs),
    `in ${formatRate(snapshot.readPerSecond)}/s`,
    `out ${formatRate(snapshot.writtenPerSecond)}/s`,
    `rows ${formatCount(snapshot.rowsRead)} → ${formatCount(snapshot.rowsWritten)}`,
  ];
  if (snapshot.watermark !== null) parts.push(describeWatermark(snapshot.watermark, wallNow));
  const checkpoint = snapshot.checkpoints?.latestCompleted;
  if (checkpoint) parts.push(`checkpoint ${checkpoint.checkpointId} (${formatDuration(checkpoint.durationMs)})`);
  parts.push(`backpressure ${Math.round(snapshot.backpressure * 100)}%`, `late ${formatCount(snapshot.lateRowsDropped)}`);
  return parts.join('  ');
}

/** Moves to the start of the line and erases it (ANSI). */
const CLEAR_LINE = '\r\x1b[2K';

/**
 * One line on a terminal, redrawn in place. Anything else written to the same stream must call `clear()` first
 * so that it does not land in the middle of the status; the next `show` draws the line again below it.
 */
export class StatusLine {
  private shown = false;

  constructor(private readonly stream: OutputStream & { readonly columns?: number }) {}

  show(text: string): void {
    // One column short of the width, so that the terminal never wraps the line (which `\r` cannot undo).
    const width = (this.stream.columns ?? 80) - 1;
    this.stream.write(CLEAR_LINE + (text.length > width ? `${text.slice(0, width - 1)}…` : text));
    this.shown = true;
  }

  clear(): void {
    if (!this.shown) return;
    this.stream.write(CLEAR_LINE);
    this.shown = false;
  }
}

import type { JobGraph } from '../compiler/graph/job-graph.js';
import type { CheckpointMetrics } from '../runtime/checkpoint/checkpoint-stats.js';
import type { JobMetrics, OperatorMetricsReport } from '../runtime/execution/job-options.js';

/** Rows through one source (read) or sink (written), by its uid. */
export interface EndpointProgress {
  readonly uid: string;
  readonly rows: number;
  readonly rowsPerSecond: number;
}

/**
 * The state of a running job as `sluice run` reports it: the status line, the metrics JSON lines and the final
 * summary all read it. Rates and back-pressure cover the monitor's window (about the last second), or the
 * whole run for `RunMonitor.overall()`.
 */
export interface RunSnapshot {
  readonly elapsedMs: number;
  readonly sources: readonly EndpointProgress[];
  readonly sinks: readonly EndpointProgress[];
  readonly rowsRead: number;
  readonly rowsWritten: number;
  readonly readPerSecond: number;
  readonly writtenPerSecond: number;
  /**
   * How far event time has reached the sinks (epoch ms): the lowest sink watermark; +Infinity once every input
   * ended; null before the first watermark, and always for a job without event time (no `WATERMARK FOR`).
   */
  readonly watermark: number | null;
  /** Share of the time (0–1) the source tasks spent blocked on full output channels. */
  readonly backpressure: number;
  readonly lateRowsDropped: number;
  readonly parseErrorsSkipped: number;
  /** Restored sources that read splits new since their snapshot (a file source's new files), by uid. */
  readonly newSplits: readonly { readonly uid: string; readonly count: number }[];
  /** Counts and the latest checkpoints; null without checkpointing. */
  readonly checkpoints: CheckpointMetrics | null;
}

/** One `job.metrics()` reading, reduced to what the snapshot needs. */
interface Sample {
  readonly elapsedMs: number;
  readonly sourceRows: readonly number[];
  readonly sinkRows: readonly number[];
  /** Milliseconds the source tasks were blocked since the previous sample, averaged over source subtasks. */
  readonly blockedMs: number;
}

/** The lowest watermark of the reports that have one; null when none has. */
function lowestWatermark(reports: readonly OperatorMetricsReport[]): number | null {
  let lowest: number | null = null;
  for (const { watermark } of reports) if (watermark !== null && (lowest === null || watermark < lowest)) lowest = watermark;
  return lowest;
}

/**
 * Turns successive `job.metrics()` readings into snapshots. It computes rates from cumulative counts rather
 * than using the per-call rates of `job.metrics()`, so the figures do not depend on how often anyone polls.
 * Expects to be the job's only caller of `metrics()` (its back-pressure ratios cover the time since the
 * previous call).
 */
export class RunMonitor {
  private readonly sourceIds: readonly string[];
  private readonly sinkIds: readonly string[];
  private readonly sourceChains: ReadonlySet<string>;
  private readonly eventTime: boolean;
  /** The samples of the window, oldest first; the first is the baseline the rates are measured from. */
  private window: Sample[];
  private readonly start: Sample;
  private totalBlockedMs = 0;
  private latest: { readonly sample: Sample; readonly metrics: JobMetrics } | undefined;

  constructor(
    graph: JobGraph,
    private readonly windowMs = 1000,
  ) {
    const sources = graph.operators.filter((op) => op.spec.kind === 'source');
    this.sourceIds = sources.map((op) => op.id);
    this.sinkIds = graph.operators.filter((op) => op.spec.kind === 'sink').map((op) => op.id);
    const sourceIds = new Set(this.sourceIds);
    this.sourceChains = new Set(graph.chains.filter((chain) => sourceIds.has(chain.operators[0]!)).map((chain) => chain.id));
    this.eventTime = sources.some((op) => op.spec.kind === 'source' && op.spec.watermark !== undefined);
    this.start = { elapsedMs: 0, sourceRows: this.sourceIds.map(() => 0), sinkRows: this.sinkIds.map(() => 0), blockedMs: 0 };
    this.window = [this.start];
  }

  /** Records a reading of `job.metrics()` and describes the last `windowMs` up to it. */
  observe(metrics: JobMetrics): RunSnapshot {
    const previous = this.window[this.window.length - 1]!;
    const byId = new Map(metrics.operators.map((report) => [report.id, report]));
    const sourceTasks = metrics.tasks.filter((task) => this.sourceChains.has(task.chain));
    const ratio = sourceTasks.reduce((sum, task) => sum + task.backpressureRatio, 0) / Math.max(sourceTasks.length, 1);
    const sample: Sample = {
      elapsedMs: metrics.elapsedMs,
      sourceRows: this.sourceIds.map((id) => byId.get(id)?.recordsOut ?? 0),
      sinkRows: this.sinkIds.map((id) => byId.get(id)?.recordsIn ?? 0),
      blockedMs: ratio * Math.max(metrics.elapsedMs - previous.elapsedMs, 0),
    };
    // A restart runs a new attempt whose counters start again from zero: measure from there.
    if (sample.sourceRows.some((rows, i) => rows < previous.sourceRows[i]!) || sample.sinkRows.some((rows, i) => rows < previous.sinkRows[i]!)) {
      this.window = [{ ...this.start, elapsedMs: previous.elapsedMs }];
    }
    this.totalBlockedMs += sample.blockedMs;
    this.window.push(sample);
    // Keep the newest sample at or before the window's start as the baseline.
    while (this.window.length > 2 && this.window[1]!.elapsedMs <= sample.elapsedMs - this.windowMs) this.window.shift();
    this.latest = { sample, metrics };
    const blockedMs = this.window.slice(1).reduce((sum, s) => sum + s.blockedMs, 0);
    return this.snapshot(this.window[0]!, blockedMs);
  }

  /** The whole run up to the last `observe`: totals, and rates and back-pressure averaged from the start. */
  overall(): RunSnapshot {
    return this.snapshot(this.start, this.totalBlockedMs);
  }

  private snapshot(baseline: Sample, blockedMs: number): RunSnapshot {
    const { sample, metrics } = this.latest ?? { sample: this.start, metrics: undefined };
    const seconds = Math.max(sample.elapsedMs - baseline.elapsedMs, 1) / 1000;
    const names = new Map(metrics?.operators.map((report) => [report.id, report.uid ?? report.id]));
    const progress = (ids: readonly string[], rows: readonly number[], from: readonly number[]): EndpointProgress[] =>
      ids.map((id, i) => ({ uid: names.get(id) ?? id, rows: rows[i]!, rowsPerSecond: (rows[i]! - from[i]!) / seconds }));
    const sources = progress(this.sourceIds, sample.sourceRows, baseline.sourceRows);
    const sinks = progress(this.sinkIds, sample.sinkRows, baseline.sinkRows);
    const sum = (items: readonly EndpointProgress[], field: 'rows' | 'rowsPerSecond') => items.reduce((total, item) => total + item[field], 0);
    const reports = metrics?.operators ?? [];
    const sinkIds = new Set(this.sinkIds);
    return {
      elapsedMs: sample.elapsedMs,
      sources,
      sinks,
      rowsRead: sum(sources, 'rows'),
      rowsWritten: sum(sinks, 'rows'),
      readPerSecond: sum(sources, 'rowsPerSecond'),
      writtenPerSecond: sum(sinks, 'rowsPerSecond'),
      watermark: this.eventTime ? lowestWatermark(reports.filter((report) => sinkIds.has(report.id))) : null,
      backpressure: Math.min(1, blockedMs / Math.max(sample.elapsedMs - baseline.elapsedMs, 1)),
      lateRowsDropped: reports.reduce((total, report) => total + report.lateRowsDropped, 0),
      parseErrorsSkipped: reports.reduce((total, report) => total + report.parseErrorsSkipped, 0),
      newSplits: reports.flatMap((report) => (report.newSplits === null ? [] : [{ uid: report.uid ?? report.id, count: report.newSplits }])),
      checkpoints: metrics?.checkpoints ?? null,
    };
  }
}

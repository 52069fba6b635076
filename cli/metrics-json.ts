import { open, type FileHandle } from 'node:fs/promises';
import * as z from 'zod';
import type { CheckpointMetrics } from '../runtime/checkpoint/checkpoint-stats.js';
import type { JobMetrics } from '../runtime/execution/job-options.js';
import type { OutputStream } from './output.js';
import type { RunSnapshot } from './run-monitor.js';

/**
 * `sluice run --metrics-json <path|->`: one JSON object per line, every second while the job runs
 * (`"type": "progress"`) and once at the end (`"type": "final"`, with rates averaged over the whole run).
 * `version` changes when a field changes meaning or goes away; new fields may appear without a new version.
 */
export const METRICS_JSON_VERSION = 1;

/** A watermark in JSON: epoch milliseconds, `"end"` once the input ended, null before the first one or without event time. */
const WatermarkSchema = z.union([z.number(), z.literal('end'), z.null()]);

const EndpointSchema = z.object({
  uid: z.string(),
  rows: z.number().int().nonnegative(),
  rowsPerSecond: z.number().nonnegative(),
});

const OperatorSchema = z.object({
  id: z.string(),
  uid: z.string().nullable(),
  name: z.string(),
  kind: z.string(),
  parallelism: z.number().int().positive(),
  recordsIn: z.number().int().nonnegative(),
  recordsOut: z.number().int().nonnegative(),
  lateRowsDropped: z.number().int().nonnegative(),
  watermark: WatermarkSchema,
});

const CheckpointsSchema = z.object({
  completed: z.number().int().nonnegative(),
  aborted: z.number().int().nonnegative(),
  inProgress: z.number().int().nonnegative(),
  /** The latest completed checkpoint. */
  latest: z
    .object({
      id: z.number().int(),
      /** Epoch ms (the job's clock). */
      triggeredAt: z.number(),
      durationMs: z.number().nonnegative(),
      bytes: z.number().int().nonnegative(),
      alignmentMs: z.number().nonnegative(),
    })
    .nullable(),
});

export const MetricsLineSchema = z.object({
  version: z.literal(METRICS_JSON_VERSION),
  type: z.enum(['progress', 'final']),
  /** Wall-clock time of the reading, ISO-8601 UTC. */
  time: z.iso.datetime(),
  jobId: z.string(),
  pipeline: z.string(),
  /** `stopped`: by `sluice stop` (output up to the stop committed); `cancelled`: by a signal. */
  status: z.enum(['running', 'finished', 'stopped', 'cancelled', 'failed']),
  elapsedMs: z.number().nonnegative(),
  rowsRead: z.number().int().nonnegative(),
  rowsWritten: z.number().int().nonnegative(),
  readPerSecond: z.number().nonnegative(),
  writtenPerSecond: z.number().nonnegative(),
  /** The lowest watermark the sinks have seen. */
  watermark: WatermarkSchema,
  /** Wall clock minus `watermark` (ms), when the watermark is a time. */
  watermarkLagMs: z.number().nullable(),
  /** Share of the time (0–1) the sources were blocked by back-pressure. */
  backpressure: z.number().min(0).max(1),
  lateRowsDropped: z.number().int().nonnegative(),
  parseErrorsSkipped: z.number().int().nonnegative(),
  sources: z.array(EndpointSchema),
  sinks: z.array(EndpointSchema),
  /** null when the job does not checkpoint. */
  checkpoints: CheckpointsSchema.nullable(),
  /** Cumulative counts of every operator, in the job graph's order. */
  operators: z.array(OperatorSchema),
});
export type MetricsLine = z.infer<typeof MetricsLineSchema>;

export interface MetricsLineContext {
  readonly type: MetricsLine['type'];
  readonly status: MetricsLine['status'];
  readonly jobId: string;
  readonly pipeline: string;
  readonly wallNow: number;
}

function watermarkJson(watermark: number | null): MetricsLine['watermark'] {
  return watermark === Infinity ? 'end' : watermark;
}

function checkpointsJson(checkpoints: CheckpointMetrics | null): MetricsLine['checkpoints'] {
  if (checkpoints === null) return null;
  const latest = checkpoints.latestCompleted;
  return {
    completed: checkpoints.completed,
    aborted: checkpoints.aborted,
    inProgress: checkpoints.inProgress,
    latest:
      latest === null
        ? null
        : { id: latest.checkpointId, triggeredAt: latest.triggeredAt, durationMs: latest.durationMs, bytes: latest.bytes, alignmentMs: latest.alignmentMs },
  };
}

export function metricsLine(snapshot: RunSnapshot, metrics: JobMetrics, context: MetricsLineContext): MetricsLine {
  const { watermark } = snapshot;
  return {
    version: METRICS_JSON_VERSION,
    type: context.type,
    time: new Date(context.wallNow).toISOString(),
    jobId: context.jobId,
    pipeline: context.pipeline,
    status: context.status,
    elapsedMs: snapshot.elapsedMs,
    rowsRead: snapshot.rowsRead,
    rowsWritten: snapshot.rowsWritten,
    readPerSecond: snapshot.readPerSecond,
    writtenPerSecond: snapshot.writtenPerSecond,
    watermark: watermarkJson(watermark),
    watermarkLagMs: watermark === null || !Number.isFinite(watermark) ? null : context.wallNow - watermark,
    backpressure: snapshot.backpressure,
    lateRowsDropped: snapshot.lateRowsDropped,
    parseErrorsSkipped: snapshot.parseErrorsSkipped,
    sources: [...snapshot.sources],
    sinks: [...snapshot.sinks],
    checkpoints: checkpointsJson(snapshot.checkpoints),
    operators: metrics.operators.map((op) => ({
      id: op.id,
      uid: op.uid,
      name: op.name,
      kind: op.kind,
      parallelism: op.parallelism,
      recordsIn: op.recordsIn,
      recordsOut: op.recordsOut,
      lateRowsDropped: op.lateRowsDropped,
      watermark: watermarkJson(op.watermark),
    })),
  };
}

/**
 * Where the lines go: standard output for `-`, else a file (created or truncated when the run starts). Writes
 * to the file are queued so lines stay in order without the caller awaiting each; a failed write is kept and
 * reported by `close`, since losing metrics must not stop the job.
 */
export class MetricsWriter {
  private queue: Promise<void> = Promise.resolve();
  private failure: unknown;

  private constructor(private readonly target: { readonly stream: OutputStream } | { readonly file: FileHandle }) {}

  /** Opens `path` for writing; rejects with the file system's error when it cannot. */
  static async open(path: string, stdout: OutputStream): Promise<MetricsWriter> {
    return new MetricsWriter(path === '-' ? { stream: stdout } : { file: await open(path, 'w') });
  }

  write(line: MetricsLine): void {
    const text = `${JSON.stringify(line)}\n`;
    const target = this.target;
    if ('stream' in target) {
      target.stream.write(text);
      return;
    }
    this.queue = this.queue.then(() => target.file.write(text)).then(
      () => undefined,
      (error: unknown) => {
        this.failure ??= error;
      },
    );
  }

  /** Waits for queued lines and closes the file; returns the first write error, if any. */
  async close(): Promise<unknown> {
    await this.queue;
    if ('file' in this.target) await this.target.file.close().catch((error: unknown) => (this.failure ??= error));
    return this.failure;
  }
}

import * as z from 'zod';
import { JobConfigSchema } from '../../compiler/config/job-config.js';

/**
 * The dashboard's REST API (docs/web-ui.md): every response body, as the server builds it and as clients
 * (the page, scripts, tests) parse it. Paths follow Flink's REST API. Times are epoch milliseconds (wall clock),
 * durations milliseconds, rates rows per second.
 */

/** A watermark: epoch ms, `"end"` once the input ended, null before the first one or without event time. */
export const WatermarkSchema = z.union([z.number(), z.literal('end'), z.null()]);

export const JobStatusSchema = z.enum(['running', 'finished', 'stopped', 'cancelled', 'failed']);
export type JobStatus = z.infer<typeof JobStatusSchema>;

/** `GET /jobs`: the jobs this server shows. */
export const JobsOverviewSchema = z.object({
  jobs: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      status: JobStatusSchema,
      startTime: z.number(),
    }),
  ),
});
export type JobsOverview = z.infer<typeof JobsOverviewSchema>;

/** One operator of the job graph with its live figures. */
export const VertexSchema = z.object({
  /** Unique in the graph: the uid where there is one, else a generated id. */
  id: z.string(),
  uid: z.string().nullable(),
  name: z.string(),
  kind: z.string(),
  parallelism: z.number().int().positive(),
  /** The chain (task) it runs in. */
  chain: z.string(),
  rowsIn: z.number().int().nonnegative(),
  rowsOut: z.number().int().nonnegative(),
  rowsInPerSecond: z.number().nonnegative(),
  rowsOutPerSecond: z.number().nonnegative(),
  /** Share of the last second its chain's subtasks waited for room downstream (0–1, the busiest subtask). */
  backpressure: z.number().min(0).max(1),
  watermark: WatermarkSchema,
  /** Wall clock minus the watermark, when the watermark is a time. */
  watermarkLagMs: z.number().nullable(),
  /** Keyed state of its subtasks as the latest completed checkpoint lists it; null before one. */
  stateBytes: z.number().int().nonnegative().nullable(),
});
export type Vertex = z.infer<typeof VertexSchema>;

export const GraphEdgeSchema = z.object({
  from: z.string(),
  to: z.string(),
  partitioning: z.enum(['forward', 'hash', 'rebalance', 'broadcast']),
});

export const ThroughputPointSchema = z.object({ time: z.number(), rowsInPerSecond: z.number().nonnegative(), rowsOutPerSecond: z.number().nonnegative() });
export type ThroughputPoint = z.infer<typeof ThroughputPointSchema>;

/** `GET /jobs/{id}`: the overview and the graph with every vertex's figures. */
export const JobDetailSchema = z.object({
  id: z.string(),
  name: z.string(),
  status: JobStatusSchema,
  startTime: z.number(),
  /** Time of this reading. */
  now: z.number(),
  uptimeMs: z.number().nonnegative(),
  restarts: z.number().int().nonnegative(),
  /** Rows the sources read and the sinks wrote, in total and in the last second. */
  rowsIn: z.number().int().nonnegative(),
  rowsOut: z.number().int().nonnegative(),
  rowsInPerSecond: z.number().nonnegative(),
  rowsOutPerSecond: z.number().nonnegative(),
  /** One point a second over the last minutes, oldest first. */
  throughput: z.array(ThroughputPointSchema),
  vertices: z.array(VertexSchema),
  edges: z.array(GraphEdgeSchema),
  chains: z.array(z.object({ id: z.string(), operators: z.array(z.string()), parallelism: z.number().int().positive() })),
  checkpointCounts: z.object({ completed: z.number().int(), failed: z.number().int(), inProgress: z.number().int() }).nullable(),
});
export type JobDetail = z.infer<typeof JobDetailSchema>;

/** `GET /jobs/{id}/vertices/{uid}`: a vertex and its subtasks. */
export const VertexDetailSchema = VertexSchema.extend({
  subtasks: z.array(
    z.object({
      subtask: z.number().int().nonnegative(),
      rowsIn: z.number().int().nonnegative(),
      rowsOut: z.number().int().nonnegative(),
      lateRowsDropped: z.number().int().nonnegative(),
      watermark: WatermarkSchema,
      backpressure: z.number().min(0).max(1),
      idle: z.number().min(0).max(1),
    }),
  ),
});
export type VertexDetail = z.infer<typeof VertexDetailSchema>;

const CheckpointSubtaskSchema = z.object({
  subtask: z.number().int().nonnegative(),
  /** Keyed state written, and the state the checkpoint lists for it (its size; incremental checkpoints share files). */
  bytes: z.number().int().nonnegative(),
  stateBytes: z.number().int().nonnegative(),
  alignmentMs: z.number().nonnegative(),
  syncMs: z.number().nonnegative(),
  asyncMs: z.number().nonnegative(),
});

export const CheckpointEntrySchema = z.object({
  id: z.number().int(),
  /** Savepoints are taken through the same barriers and counted with the checkpoints, as in Flink. */
  type: z.enum(['checkpoint', 'savepoint']),
  status: z.enum(['in-progress', 'completed', 'failed']),
  /** The checkpoint taken at the end of bounded input. */
  final: z.boolean(),
  triggeredAt: z.number(),
  durationMs: z.number().nonnegative(),
  /** Keyed state it wrote, and the state a restore from it reads. */
  bytes: z.number().int().nonnegative(),
  stateBytes: z.number().int().nonnegative(),
  alignmentMs: z.number().nonnegative(),
  syncMs: z.number().nonnegative(),
  asyncMs: z.number().nonnegative(),
  /** Some task took it unaligned, and the bytes of records in flight it wrote (docs/checkpoints.md). */
  unaligned: z.boolean(),
  inFlightBytes: z.number().int().nonnegative(),
  acknowledged: z.number().int().nonnegative(),
  total: z.number().int().nonnegative(),
  location: z.string().nullable(),
  failure: z.string().nullable(),
  /** Per operator (by id, with its uid), then per subtask. */
  operators: z.array(
    z.object({
      id: z.string(),
      uid: z.string().nullable(),
      bytes: z.number().int().nonnegative(),
      stateBytes: z.number().int().nonnegative(),
      alignmentMs: z.number().nonnegative(),
      syncMs: z.number().nonnegative(),
      asyncMs: z.number().nonnegative(),
      subtasks: z.array(CheckpointSubtaskSchema),
    }),
  ),
});
export type CheckpointEntry = z.infer<typeof CheckpointEntrySchema>;

const MinAvgMaxSchema = z.object({ min: z.number(), avg: z.number(), max: z.number() }).nullable();

export const SavepointEntrySchema = z.object({ path: z.string(), time: z.number(), trigger: z.enum(['savepoint', 'stop']) });

/** `GET /jobs/{id}/checkpoints`. */
export const CheckpointsSchema = z.object({
  counts: z.object({ completed: z.number().int(), failed: z.number().int(), inProgress: z.number().int() }),
  latest: z.object({ completed: CheckpointEntrySchema.nullable(), failed: CheckpointEntrySchema.nullable() }),
  /** Newest first; the last CHECKPOINT_HISTORY_SIZE checkpoints this dashboard saw. */
  history: z.array(CheckpointEntrySchema),
  /** Over the completed checkpoints of the history. */
  summary: z.object({
    durationMs: MinAvgMaxSchema,
    bytes: MinAvgMaxSchema,
    stateBytes: MinAvgMaxSchema,
    alignmentMs: MinAvgMaxSchema,
    syncMs: MinAvgMaxSchema,
    asyncMs: MinAvgMaxSchema,
  }),
  config: JobConfigSchema.shape.checkpointing.extend({
    checkpointsDir: z.string().nullable(),
    savepointsDir: z.string().nullable(),
    numRetained: z.number().int(),
  }),
  /** Savepoints taken through the dashboard (or its Node API), oldest first. */
  savepoints: z.array(SavepointEntrySchema),
});
export type Checkpoints = z.infer<typeof CheckpointsSchema>;

/** `GET /jobs/{id}/exceptions`: failures and restarts, then warnings, newest first. */
export const ExceptionsSchema = z.object({
  restarts: z.number().int().nonnegative(),
  entries: z.array(
    z.object({
      time: z.number(),
      kind: z.enum(['restart', 'failure', 'warning']),
      message: z.string(),
      uid: z.string().nullable(),
      subtask: z.number().int().nullable(),
      /** Restarts: the checkpoint restored (null: the job's starting state). */
      checkpointId: z.number().int().nullable(),
    }),
  ),
});
export type Exceptions = z.infer<typeof ExceptionsSchema>;

/** `GET /jobs/{id}/config`: the job's configuration, its `.pipe` source (when known) and the compiler's summary. */
export const JobConfigViewSchema = z.object({
  config: JobConfigSchema,
  source: z.object({ file: z.string(), text: z.string() }).nullable(),
  summary: z.string(),
});
export type JobConfigView = z.infer<typeof JobConfigViewSchema>;

/** `POST /jobs/{id}/savepoints` body (optional) and answer. */
export const SavepointRequestSchema = z.object({ targetDirectory: z.string().optional() });
export const SavepointResponseSchema = z.object({ path: z.string() });

/** `POST /jobs/{id}/stop` body (optional) and answer. */
export const StopRequestSchema = z.object({ savepoint: z.boolean().default(true), targetDirectory: z.string().optional(), drain: z.boolean().default(false) });
export const StopResponseSchema = z.object({ status: JobStatusSchema, savepointPath: z.string().nullable() });
export type StopResponse = z.infer<typeof StopResponseSchema>;

/** Every refusal or failure. `code` is a Sluice error code (docs/errors.md). */
export const ErrorResponseSchema = z.object({ error: z.object({ code: z.string(), message: z.string() }) });
export type ErrorResponse = z.infer<typeof ErrorResponseSchema>;

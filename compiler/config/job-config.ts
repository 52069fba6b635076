import * as z from 'zod';
import { Settings } from './setting-definitions.js';

/**
 * The job configuration after every `SET` has been validated (compiler/config/settings.ts) and defaults applied.
 * Durations are milliseconds. `settings` keeps the SET values as written, for summaries and savepoint metadata.
 */
export const RestartStrategySchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('none') }),
  z.object({ type: z.literal('fixed-delay'), attempts: z.number().int().min(0), delayMs: z.number().min(0) }),
  z.object({
    type: z.literal('exponential-delay'),
    initialBackoffMs: z.number().min(0),
    maxBackoffMs: z.number().min(0),
    backoffMultiplier: z.number().min(1),
    resetBackoffThresholdMs: z.number().min(0),
    jitterFactor: z.number().min(0).max(1),
    attempts: z.number().int().min(0),
  }),
  z.object({
    type: z.literal('failure-rate'),
    maxFailuresPerInterval: z.number().int().min(1),
    failureRateIntervalMs: z.number().min(0),
    delayMs: z.number().min(0),
  }),
]);
export type RestartStrategy = z.infer<typeof RestartStrategySchema>;

export const JobConfigSchema = z.object({
  pipelineName: z.string(),
  parallelism: z.number().int().min(1),
  maxParallelism: z.number().int().min(1).max(32768),
  /** `taskmanager.numberOfTaskSlots`; absent: as many as the CPUs of the machine that runs the job. */
  taskSlots: z.number().int().min(1).optional(),
  /** `heartbeat.timeout`: a worker thread silent this long is hung; absent from graphs compiled before it existed. */
  heartbeatTimeoutMs: z.number().positive().default(Settings.heartbeatTimeout.default!),
  checkpointing: z.object({
    /** null: checkpointing disabled (no `execution.checkpointing.interval`). */
    intervalMs: z.number().positive().nullable(),
    mode: z.enum(['EXACTLY_ONCE', 'AT_LEAST_ONCE']),
    timeoutMs: z.number().positive(),
    minPauseMs: z.number().min(0),
    maxConcurrent: z.number().int().min(1),
    retention: z.enum(['RETAIN_ON_CANCELLATION', 'DELETE_ON_CANCELLATION']),
    tolerableFailures: z.number().int().min(0),
    /** `execution.checkpointing.unaligned.enabled`; absent from graphs compiled before it existed. */
    unaligned: z.boolean().default(false),
    /** `execution.checkpointing.aligned-checkpoint-timeout`: 0 starts every checkpoint unaligned. */
    alignedCheckpointTimeoutMs: z.number().min(0).default(0),
  }),
  state: z.object({
    backend: z.enum(['memory', 'fs', 'disk']),
    checkpointsDir: z.string().nullable(),
    savepointsDir: z.string().nullable(),
    numRetained: z.number().int().min(1),
    /** `table.exec.state.ttl`: the state TTL of steps that keep state forever otherwise; 0 keeps it forever. */
    ttlMs: z.number().min(0).default(0),
    /** `state.backend.disk.cache-size` in bytes; absent from graphs compiled before it existed. */
    diskCacheBytes: z.number().int().min(1).default(Settings.diskCacheSize.default!),
    /**
     * `state.backend.disk.cache-cells`: when set, bounds the cache by this many cells instead of `diskCacheBytes`.
     * Graphs compiled before `cache-size` existed hold a number here (100000 by default), so they keep their bound.
     */
    diskCacheCells: z.number().int().min(1).nullable().default(null),
  }),
  restartStrategy: RestartStrategySchema,
  settings: z.record(z.string(), z.string()),
});
export type JobConfig = z.infer<typeof JobConfigSchema>;

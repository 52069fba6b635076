import * as z from 'zod';

/**
 * `sluice checkpoints --json`: a pipeline's retained checkpoints and known savepoints as one JSON document.
 * `version` changes when a field changes meaning or goes away; new fields may appear without a new version.
 */
export const CHECKPOINTS_JSON_VERSION = 1;

export const SnapshotJsonSchema = z.object({
  /** The checkpoint id (a savepoint has one too: it is a checkpoint of its job). */
  id: z.number().int().positive(),
  type: z.enum(['checkpoint', 'savepoint']),
  /** Its keyed state is a chain: a base plus the changes of later checkpoints (docs/checkpoints.md); savepoints never are. */
  incremental: z.boolean(),
  /** ISO 8601, UTC. Metadata written before Sluice recorded completion gives the trigger time here, and `durationMs` null. */
  completedAt: z.string(),
  triggeredAt: z.string(),
  /** How long ago it completed, from when the command ran. */
  ageMs: z.number(),
  durationMs: z.number().nonnegative().nullable(),
  /** The bytes of the state files a restore reads (every file of the chain), without `_metadata`. */
  bytes: z.number().int().nonnegative(),
  /** Some task took it unaligned (docs/checkpoints.md); savepoints never are. Absent from documents of an earlier Sluice. */
  unaligned: z.boolean().optional(),
  /** Bytes of the records in flight it holds (unaligned), which a restore replays; not counted in `bytes`. */
  inFlightBytes: z.number().int().nonnegative().optional(),
  /** Its directory. */
  path: z.string(),
  jobId: z.string(),
  /** Why it cannot be restored (a state file of its chain missing or of the wrong size); null when every file is there. */
  problem: z.string().nullable(),
});
export type SnapshotJson = z.infer<typeof SnapshotJsonSchema>;

export const CheckpointsJsonSchema = z.object({
  version: z.literal(CHECKPOINTS_JSON_VERSION),
  /** Null when only a checkpoint directory was given and it holds nothing that names the pipeline. */
  pipeline: z.string().nullable(),
  checkpointsDir: z.string(),
  /** The `state.savepoints.dir` searched; null when not known (not set, or a directory was given). */
  savepointsDir: z.string().nullable(),
  /** `state.checkpoints.num-retained`; null when a directory was given. */
  numRetained: z.number().int().positive().nullable(),
  /** Oldest completed first. */
  snapshots: z.array(SnapshotJsonSchema),
  /** Completed checkpoints whose `_metadata` cannot be used. */
  damaged: z.array(z.object({ id: z.number().int().positive(), path: z.string(), reason: z.string() })),
  /** What could not be read, in words. */
  problems: z.array(z.string()),
});
export type CheckpointsJson = z.infer<typeof CheckpointsJsonSchema>;

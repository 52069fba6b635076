import * as z from 'zod';
import { OperatorStateEntrySchema, StateFileSchema as StateFileV1Schema, SubtaskStateSchema } from './metadata-v1.js';
import { MetadataV3FileSchema, MetadataV3Schema, type MetadataV3 } from './metadata-v3.js';

/**
 * Version 4 of `_metadata`: incremental checkpoints. A subtask's `keyedState` lists complete snapshot files (one,
 * or one per key-group chunk) followed by delta files (`delta: true`), applied in list order on top of them: a
 * delta replaces every entry of the keys it lists (snapshot-format.ts). A file other checkpoints share names its
 * file in the pipeline's `shared/` directory (`shared`): when it was written by this checkpoint, `path` is its
 * hard link inside the checkpoint's directory. Savepoints list complete files only, as before.
 * Version 3 files are the same without deltas or shared names.
 * `completedAt` (optional, added later; older Sluice ignores it) is when the snapshot completed: `sluice
 * checkpoints` and `--resume --before` go by it, and by `timestamp` (when it was triggered) where it is absent.
 */
export const StateFileSchema = StateFileV1Schema.extend({
  /** A delta file: changes on top of the files before it. */
  delta: z.literal(true).optional(),
  /** The file's name in `shared/`, reference counted across the retained checkpoints that list it. */
  shared: z.string().regex(/^[^/\\]+$/).optional(),
});
export type StateFile = z.infer<typeof StateFileSchema>;

export const SubtaskStateV4Schema = SubtaskStateSchema.extend({ keyedState: z.array(StateFileSchema) });
export const OperatorStateEntryV4Schema = OperatorStateEntrySchema.extend({ subtasks: z.array(SubtaskStateV4Schema) });

/** When the snapshot completed, in ms since the epoch; absent in metadata written before it was recorded. */
const completedAt = z.number().optional();

export const MetadataV4Schema = MetadataV3Schema.extend({ version: z.literal(4), operators: z.array(OperatorStateEntryV4Schema), completedAt });
export type MetadataV4 = z.infer<typeof MetadataV4Schema>;

export const MetadataV4FileSchema = MetadataV3FileSchema.extend({ version: z.literal(4), operators: z.array(OperatorStateEntryV4Schema), completedAt });

/** When a snapshot completed, or (metadata without `completedAt`) when it was triggered. */
export function completedAtOf(metadata: Pick<MetadataV4, 'completedAt' | 'timestamp'>): number {
  return metadata.completedAt ?? metadata.timestamp;
}

/** Version 3 state is all complete files, which version 4 reads unchanged. */
export function migrateV3(previous: unknown): MetadataV4 {
  return { ...(previous as MetadataV3), version: 4 };
}

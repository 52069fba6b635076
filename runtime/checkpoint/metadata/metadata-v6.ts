import * as z from 'zod';
import { OperatorStateEntryV4Schema, SubtaskStateV4Schema } from './metadata-v4.js';
import { MetadataV5FileSchema, MetadataV5Schema, type MetadataV5 } from './metadata-v5.js';

/**
 * Version 6 of `_metadata`: raw state (a process function's bytes per subtask, runtime/state/raw-state.ts). Each
 * subtask lists its raw states, one file each in the checkpoint's own directory (never shared: raw state is
 * written in full by every checkpoint), with its size and sha256 like every state file. Bumped rather than added
 * as an optional field: a Sluice that reads version 5 would drop raw state without a word, and must refuse instead.
 * Version 5 checkpoints hold none.
 */
export const RawStateFileSchema = z.object({
  /** The declared state's name. */
  name: z.string().min(1),
  /** Relative to the directory of `_metadata`, '/'-separated. */
  path: z.string().min(1),
  bytes: z.number().int().min(0),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});
export type RawStateFile = z.infer<typeof RawStateFileSchema>;

export const SubtaskStateV6Schema = SubtaskStateV4Schema.extend({ rawState: z.array(RawStateFileSchema) });
export type SubtaskState = z.infer<typeof SubtaskStateV6Schema>;

export const OperatorStateEntryV6Schema = OperatorStateEntryV4Schema.extend({ subtasks: z.array(SubtaskStateV6Schema) });
export type OperatorStateEntry = z.infer<typeof OperatorStateEntryV6Schema>;

const additions = { version: z.literal(6), operators: z.array(OperatorStateEntryV6Schema) };

export const MetadataV6Schema = MetadataV5Schema.extend(additions);
export type MetadataV6 = z.infer<typeof MetadataV6Schema>;

export const MetadataV6FileSchema = MetadataV5FileSchema.extend(additions);

/** Version 5 had no raw state. */
export function migrateV5(previous: unknown): MetadataV6 {
  const metadata = previous as MetadataV5;
  return {
    ...metadata,
    version: 6,
    operators: metadata.operators.map((op) => ({ ...op, subtasks: op.subtasks.map((subtask) => ({ ...subtask, rawState: [] })) })),
  };
}

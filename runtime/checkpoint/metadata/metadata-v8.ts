import * as z from 'zod';
import { MetadataV7FileSchema, MetadataV7Schema, type MetadataV7 } from './metadata-v7.js';

/**
 * Version 8 of `_metadata`: a checkpoint's keyed-state base may leave out the timers its window entries imply
 * (runtime/time/window-timer-states.ts: a window operator's map entry `[start, end]` has its timer at end - 1,
 * namespaced by its start), and a restore registers them from the entries. The shape is version 7's, and so are
 * the files' encodings (binary for checkpoints, JSON lines for savepoints, which keep every timer). Bumped so that a
 * Sluice that reads version 7 refuses such a checkpoint ("newer than this Sluice reads") instead of restoring its
 * windows without their timers, which would never fire. Version 7 checkpoints hold every timer: a restore
 * registering a window's timer again finds it there and adds nothing.
 */
const additions = { version: z.literal(8) };

export const MetadataV8Schema = MetadataV7Schema.extend(additions);
export type MetadataV8 = z.infer<typeof MetadataV8Schema>;

export const MetadataV8FileSchema = MetadataV7FileSchema.extend(additions);

export function migrateV7(previous: unknown): MetadataV8 {
  return { ...(previous as MetadataV7), version: 8 };
}

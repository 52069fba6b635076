import * as z from 'zod';
import { MetadataV8FileSchema, MetadataV8Schema, type MetadataV8 } from './metadata-v8.js';

/**
 * Version 9 of `_metadata`: a window aggregate's `windows` state may hold all of a key's aligned windows in one
 * entry (runtime/operators/packed-windows.ts: map key `[]`, value `[width, start0, end0, fields0…, …]`) instead of
 * an entry per window, in checkpoints and savepoints alike, and a restore registers their timers from such entries
 * too (the operator's declared decoder, window-timer-states.ts). The shape and the files' encodings are version 8's.
 * Bumped so that a Sluice that reads version 8 refuses such a snapshot ("newer than this Sluice reads") instead of
 * finding no window under `[start, end]` and no timer for the packed ones. Snapshots of versions up to 8 hold an
 * entry per window: the window aggregate packs them when it opens.
 */
const additions = { version: z.literal(9) };

export const MetadataV9Schema = MetadataV8Schema.extend(additions);
export type MetadataV9 = z.infer<typeof MetadataV9Schema>;

export const MetadataV9FileSchema = MetadataV8FileSchema.extend(additions);

export function migrateV8(previous: unknown): MetadataV9 {
  return { ...(previous as MetadataV8), version: 9 };
}

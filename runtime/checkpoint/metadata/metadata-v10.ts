import * as z from 'zod';
import { MetadataV9FileSchema, MetadataV9Schema, type MetadataV9 } from './metadata-v9.js';

/**
 * Version 10 of `_metadata`: a window join's `left-rows` and `right-rows` entry holding one row (of a key, side and
 * window) stores it packed, `[width, field0, …]` (runtime/operators/join/packed-rows.ts), instead of a list of one
 * row, in checkpoints and savepoints alike; entries of several rows stay lists. The shape and the files' encodings
 * are version 9's. Bumped so that a Sluice that reads version 9 refuses such a snapshot ("newer than this Sluice
 * reads") instead of joining each field of a packed row as if it were a row. Snapshots of versions up to 9 hold
 * lists only, which the window join reads as before.
 */
const additions = { version: z.literal(10) };

export const MetadataV10Schema = MetadataV9Schema.extend(additions);
export type MetadataV10 = z.infer<typeof MetadataV10Schema>;

export const MetadataV10FileSchema = MetadataV9FileSchema.extend(additions);

export function migrateV9(previous: unknown): MetadataV10 {
  return { ...(previous as MetadataV9), version: 10 };
}

import * as z from 'zod';
import { MetadataV6FileSchema, MetadataV6Schema, type MetadataV6 } from './metadata-v6.js';

/**
 * Version 7 of `_metadata`: the keyed-state files of checkpoints are binary (state/snapshot-binary.ts: records
 * encoded with the thread channel's value codec instead of a JSON line per entry); savepoints' stay JSON lines.
 * The shape is version 6's; a reader tells the encodings apart by a file's first bytes. Bumped so that a Sluice
 * that reads version 6 refuses a checkpoint it cannot read ("newer than this Sluice reads") instead of calling its
 * files damaged. Version 6 files are all JSON lines, which version 7 reads unchanged.
 */
const additions = { version: z.literal(7) };

export const MetadataV7Schema = MetadataV6Schema.extend(additions);
export type MetadataV7 = z.infer<typeof MetadataV7Schema>;

export const MetadataV7FileSchema = MetadataV6FileSchema.extend(additions);

export function migrateV6(previous: unknown): MetadataV7 {
  return { ...(previous as MetadataV6), version: 7 };
}

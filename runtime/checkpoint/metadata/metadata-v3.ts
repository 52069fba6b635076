import * as z from 'zod';
import { CHECKSUM_KEY } from './metadata-checksum.js';
import { MetadataV2Schema, type MetadataV2 } from './metadata-v2.js';

/**
 * Version 3 of `_metadata`: the content of version 2, and a sha256 checksum of that content (metadata-checksum.ts),
 * so that an edited or damaged file is refused instead of restoring a wrong source offset or checkpoint id.
 * `MetadataV3Schema` is the content the runtime works with; `MetadataV3FileSchema` the file, with its checksum.
 * Fields added later as optional (a newer writer's) are covered by the checksum like any other.
 */
export const MetadataV3Schema = MetadataV2Schema.extend({ version: z.literal(3) });
export type MetadataV3 = z.infer<typeof MetadataV3Schema>;

export const MetadataV3FileSchema = MetadataV3Schema.extend({ [CHECKSUM_KEY]: z.string().regex(/^[0-9a-f]{64}$/) });

/** Version 2 had no checksum of its own; its content is unchanged. */
export function migrateV2(previous: unknown): MetadataV3 {
  return { ...(previous as MetadataV2), version: 3 };
}

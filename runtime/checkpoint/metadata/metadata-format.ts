import type * as z from 'zod';
import { decodeJson } from '../../state/value-codec.js';
import { canonicalJson } from './canonical-text.js';
import { CHECKSUM_KEY, checksumProblem, metadataChecksum } from './metadata-checksum.js';
import { METADATA_FORMAT, MetadataV1Schema } from './metadata-v1.js';
import { MetadataV2Schema, migrateV1 } from './metadata-v2.js';
import { MetadataV3FileSchema, migrateV2 } from './metadata-v3.js';
import { MetadataV4FileSchema, migrateV3 } from './metadata-v4.js';
import { MetadataV5FileSchema, migrateV4 } from './metadata-v5.js';
import { MetadataV6FileSchema, migrateV5 } from './metadata-v6.js';
import { MetadataV7FileSchema, migrateV6 } from './metadata-v7.js';
import { MetadataV8FileSchema, migrateV7 } from './metadata-v8.js';
import { MetadataV9FileSchema, migrateV8 } from './metadata-v9.js';
import { MetadataV10FileSchema, migrateV9, type MetadataV10 } from './metadata-v10.js';

/**
 * Reading and writing `_metadata`, with a registry of format versions: each version has its zod schema, and
 * every version after the first a `migrate` from the one before, so a file of any known version is read into
 * the current shape. Writing always produces the current version, as canonical JSON (keys sorted), with the
 * checksum of its content (metadata-checksum.ts); versions before 3 carry none and are read without one.
 */

/** The shape the runtime works with: the newest version's content (its checksum belongs to the file). */
export type CheckpointMetadata = MetadataV10;

export { METADATA_FILE } from '../storage/checkpoint-names.js';

interface FormatVersion {
  readonly version: number;
  /** The file's shape, its checksum included. */
  readonly schema: z.ZodType;
  /** The file carries a checksum of its content, verified before anything else is read from it. */
  readonly checksummed: boolean;
  /** From the previous version's parsed value to this version's; absent for the first version. */
  readonly migrate?: (previous: unknown) => unknown;
}

const VERSIONS: readonly FormatVersion[] = [
  { version: 1, schema: MetadataV1Schema, checksummed: false },
  { version: 2, schema: MetadataV2Schema, checksummed: false, migrate: migrateV1 },
  { version: 3, schema: MetadataV3FileSchema, checksummed: true, migrate: migrateV2 },
  { version: 4, schema: MetadataV4FileSchema, checksummed: true, migrate: migrateV3 },
  { version: 5, schema: MetadataV5FileSchema, checksummed: true, migrate: migrateV4 },
  { version: 6, schema: MetadataV6FileSchema, checksummed: true, migrate: migrateV5 },
  { version: 7, schema: MetadataV7FileSchema, checksummed: true, migrate: migrateV6 },
  { version: 8, schema: MetadataV8FileSchema, checksummed: true, migrate: migrateV7 },
  { version: 9, schema: MetadataV9FileSchema, checksummed: true, migrate: migrateV8 },
  { version: 10, schema: MetadataV10FileSchema, checksummed: true, migrate: migrateV9 },
];
export const CURRENT_METADATA_VERSION = VERSIONS[VERSIONS.length - 1]!.version;

export type MetadataReadResult = { readonly metadata: CheckpointMetadata } | { readonly error: string };

/** Parses `_metadata` text; `where` names the file in messages. Never throws. */
export function parseMetadata(text: string, where: string): MetadataReadResult {
  let value: unknown;
  try {
    value = decodeJson(text);
  } catch {
    return {
      error:
        `${where} is not valid JSON. Likely causes: the file was truncated (a copy or disk that ran out of space) ` +
        'or edited by hand, or it is not a Sluice _metadata file.',
    };
  }
  const header = value as { format?: unknown; version?: unknown } | null;
  if (header === null || typeof header !== 'object' || header.format !== METADATA_FORMAT) {
    return {
      error:
        `${where} is not Sluice checkpoint metadata (no "format": "${METADATA_FORMAT}"). Likely causes: the path points ` +
        'at another file or at a Flink checkpoint, which Sluice cannot read.',
    };
  }
  const index = VERSIONS.findIndex((v) => v.version === header.version);
  if (index < 0) {
    const newer = typeof header.version === 'number' && header.version > CURRENT_METADATA_VERSION;
    return {
      error: newer
        ? `${where} has metadata format version ${String(header.version)}, newer than this Sluice reads (up to ${CURRENT_METADATA_VERSION}): ` +
          'it was written by a newer Sluice; restore it with that version.'
        : `${where} has an unknown metadata format version ${JSON.stringify(header.version)}; known versions: ${VERSIONS.map((v) => v.version).join(', ')}. ` +
          'Likely cause: the file was edited by hand.',
    };
  }
  const format = VERSIONS[index]!;
  if (format.checksummed) {
    const problem = checksumProblem(value as Record<string, unknown>, where);
    if (problem !== undefined) return { error: problem };
  }
  const parsed = format.schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const at = issue === undefined || issue.path.length === 0 ? '' : ` at ${issue.path.join('.')}`;
    return {
      error:
        `${where} is not valid version ${VERSIONS[index]!.version} metadata${at}: ${issue?.message ?? 'invalid'}. ` +
        'Likely causes: the file was edited by hand or damaged.',
    };
  }
  const { [CHECKSUM_KEY]: _checksum, ...content } = parsed.data as Record<string, unknown>;
  let migrated: unknown = content;
  for (const next of VERSIONS.slice(index + 1)) migrated = next.migrate!(migrated);
  return { metadata: migrated as CheckpointMetadata };
}

/**
 * The text of `_metadata`: canonical JSON (canonical-text.ts) with `format`, `version` and the checksum of the
 * content first, so a reader knows at once what it holds; one trailing newline.
 */
export function serializeMetadata(metadata: CheckpointMetadata): string {
  const document = { ...metadata, [CHECKSUM_KEY]: metadataChecksum(metadata) };
  return `${canonicalJson(document, 2, ['format', 'version', CHECKSUM_KEY])}\n`;
}

import type { z } from 'zod';
import { decodeJson } from '../../state/value-codec.js';
import { METADATA_FORMAT, MetadataV1Schema } from './metadata-v1.js';
import { MetadataV2Schema, migrateV1, type MetadataV2 } from './metadata-v2.js';

/**
 * Reading and writing `_metadata`, with a registry of format versions: each version has its zod schema, and
 * every version after the first a `migrate` from the one before, so a file of any known version is read into
 * the current shape. Writing always produces the current version, as canonical JSON (keys sorted).
 */

/** The shape the runtime works with: the newest version. */
export type CheckpointMetadata = MetadataV2;

export const METADATA_FILE = '_metadata';

interface FormatVersion {
  readonly version: number;
  readonly schema: z.ZodType;
  /** From the previous version's parsed value to this version's; absent for the first version. */
  readonly migrate?: (previous: unknown) => unknown;
}

const VERSIONS: readonly FormatVersion[] = [
  { version: 1, schema: MetadataV1Schema },
  { version: 2, schema: MetadataV2Schema, migrate: migrateV1 },
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
  const parsed = VERSIONS[index]!.schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const at = issue === undefined || issue.path.length === 0 ? '' : ` at ${issue.path.join('.')}`;
    return {
      error:
        `${where} is not valid version ${VERSIONS[index]!.version} metadata${at}: ${issue?.message ?? 'invalid'}. ` +
        'Likely causes: the file was edited by hand or damaged.',
    };
  }
  let migrated: unknown = parsed.data;
  for (const next of VERSIONS.slice(index + 1)) migrated = next.migrate!(migrated);
  return { metadata: migrated as CheckpointMetadata };
}

/**
 * Canonical JSON of `metadata`: `format` and `version` first (a reader knows at once what it holds), then every
 * other key sorted at every level; numbers JSON cannot spell tagged as value-codec.ts does (operator state items
 * may hold them); one trailing newline.
 */
export function serializeMetadata(metadata: CheckpointMetadata): string {
  const { format, version, ...rest } = metadata;
  const root = { format, version, ...sortKeys(rest) };
  return `${JSON.stringify(root, (key, value: unknown) => (key === '' ? value : canonicalValue(value)), 2)}\n`;
}

function canonicalValue(value: unknown): unknown {
  if (typeof value === 'number') {
    if (Number.isFinite(value) && !Object.is(value, -0)) return value;
    return { $num: Object.is(value, -0) ? '-0' : String(value) };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  return sortKeys(value as Record<string, unknown>);
}

function sortKeys(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.keys(record)
      .sort()
      .map((k) => [k, record[k]]),
  );
}

import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-text.js';

/**
 * The checksum `_metadata` carries of itself (from version 3): the sha256 of the canonical text (canonical-text.ts)
 * of every other key of the document. It covers the content, not the layout, so any edit of a value — a source
 * offset, a checkpoint id, a key added or removed — is detected, while the file may be re-indented.
 */
export const CHECKSUM_KEY = 'checksum';

export function metadataChecksum(content: Readonly<Record<string, unknown>>): string {
  const { [CHECKSUM_KEY]: _ignored, ...rest } = content;
  return createHash('sha256').update(canonicalJson(rest)).digest('hex');
}

/** Why `document` does not match the checksum it carries, or undefined when it does. `where` names the file. */
export function checksumProblem(document: Readonly<Record<string, unknown>>, where: string): string | undefined {
  const recorded = document[CHECKSUM_KEY];
  if (typeof recorded !== 'string') {
    return `${where} has no "${CHECKSUM_KEY}", which its format version always writes: the file was edited by hand or damaged`;
  }
  if (recorded !== metadataChecksum(document)) {
    return `${where} does not match its checksum: its content was altered after it was written (edited by hand, or damaged on disk)`;
  }
  return undefined;
}

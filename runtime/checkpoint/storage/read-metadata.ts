import path from 'node:path';
import { parseMetadata, type CheckpointMetadata } from '../metadata/metadata-format.js';
import { COMPLETED_MARKER, METADATA_FILE, parseCheckpointDirName } from './checkpoint-names.js';
import { isNotFound, type CheckpointFileSystem } from './file-system.js';

export type SnapshotDirectory =
  | { readonly kind: 'completed'; readonly metadata: CheckpointMetadata }
  /** No `_metadata` and no marker: never completed. */
  | { readonly kind: 'incomplete' }
  /** It completed, but its `_metadata` is missing, unreadable, altered, or of another checkpoint. */
  | { readonly kind: 'damaged'; readonly reason: string };

/**
 * Reads and verifies the `_metadata` of a checkpoint or savepoint directory: its checksum (metadata-format.ts) and,
 * for a `chk-<n>` directory, that it is checkpoint n (a renamed directory or a copied file would otherwise restore
 * one checkpoint's state under another's id). Never throws.
 */
export async function readSnapshotDirectory(fs: CheckpointFileSystem, dir: string): Promise<SnapshotDirectory> {
  const file = path.join(dir, METADATA_FILE);
  let text: string;
  try {
    text = (await fs.readFile(file)).toString('utf8');
  } catch (error) {
    if (!isNotFound(error)) return { kind: 'damaged', reason: `${file} cannot be read: ${(error as Error).message}` };
    if (!(await exists(fs, path.join(dir, COMPLETED_MARKER)))) return { kind: 'incomplete' };
    return { kind: 'damaged', reason: `${file} is missing, yet the checkpoint completed (${COMPLETED_MARKER} is there): it was deleted` };
  }
  const read = parseMetadata(text, file);
  if ('error' in read) return { kind: 'damaged', reason: read.error };
  const named = parseCheckpointDirName(path.basename(dir));
  if (named !== undefined && read.metadata.checkpointId !== named) {
    return {
      kind: 'damaged',
      reason:
        `${file} is checkpoint ${read.metadata.checkpointId}, but its directory is ${path.basename(dir)}: ` +
        'the directory was renamed or the file copied from another checkpoint',
    };
  }
  return { kind: 'completed', metadata: read.metadata };
}

/** A file that cannot be looked at counts as there: reported as damage rather than deleted as incomplete. */
function exists(fs: CheckpointFileSystem, file: string): Promise<boolean> {
  return fs.stat(file).then(
    () => true,
    (error: unknown) => !isNotFound(error),
  );
}

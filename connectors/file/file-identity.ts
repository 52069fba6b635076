import type { BigIntStats } from 'node:fs';
import { stat } from 'node:fs/promises';

/**
 * Which file a path named when it was read: device and inode, as decimal strings (they may exceed 2^53 and are
 * stored in checkpoints as JSON). Log rotation shows as a change of identity (rename rotation: a new file under
 * the path) or as the same file grown shorter (copytruncate).
 */
export interface FileIdentity {
  readonly dev: string;
  readonly ino: string;
}

export function identityOf(info: BigIntStats): FileIdentity {
  return { dev: String(info.dev), ino: String(info.ino) };
}

export function sameFile(a: FileIdentity, b: FileIdentity): boolean {
  return a.dev === b.dev && a.ino === b.ino;
}

/** The identity of the file at `path` now, or undefined when there is none. */
export async function identityAt(path: string): Promise<FileIdentity | undefined> {
  try {
    return identityOf(await stat(path, { bigint: true }));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

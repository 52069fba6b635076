import { readdir, stat } from 'node:fs/promises';
import { join, relative, resolve, isAbsolute } from 'node:path';
import type { SplitDescriptor } from '../../runtime/connectors/source-connector.js';

/** A file of a file source: one split per file, identified by its absolute path. */
export interface FileSplit extends SplitDescriptor {
  readonly path: string;
  /** Continuous: the path the same file was listed under before (RenamedFiles). */
  readonly renamedFrom?: string;
}

/**
 * The files a source path stands for: the file itself, or every regular file of the directory whose name does
 * not start with '.' or '_' (hidden, in-progress and pending files of Sluice's file sink, and Hadoop-style
 * `_SUCCESS` markers), sorted by name. Undefined when the path does not exist.
 */
export async function listFileSplits(path: string): Promise<FileSplit[] | undefined> {
  const absolute = resolve(path);
  let info;
  try {
    info = await stat(absolute);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`file source: cannot read ${path}: ${(error as Error).message}`);
  }
  if (!info.isDirectory()) return [{ id: absolute, path: absolute }];
  const entries = await readdir(absolute, { withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && !e.name.startsWith('.') && !e.name.startsWith('_'))
    .map((e) => e.name)
    .sort()
    .map((name) => {
      const file = join(absolute, name);
      return { id: file, path: file };
    });
}

/** A path for messages: relative to the working directory when inside it. */
export function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? path : rel;
}

import * as fsp from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import path from 'node:path';

/**
 * The file operations checkpoint storage uses, injected (STYLE 12) so tests can make a write fail or a disk
 * run full at a chosen moment. `node:fs/promises` itself is one.
 */
export type CheckpointFileSystem = Pick<typeof fsp, 'mkdir' | 'open' | 'readFile' | 'rename' | 'rm' | 'readdir' | 'stat' | 'link'>;

export const nodeFileSystem: CheckpointFileSystem = fsp;

/** Makes renames and new entries in `dir` durable. Some platforms cannot open a directory for syncing: skipped there. */
export async function syncDirectory(fs: CheckpointFileSystem, dir: string): Promise<void> {
  let handle: fsp.FileHandle | undefined;
  try {
    handle = await fs.open(dir, 'r');
    await handle.sync();
  } catch {
    // Best effort: on such platforms the rename's durability is the file system's.
  } finally {
    await handle?.close();
  }
}

/** Write to a temporary name, fsync, rename over `file`, fsync the directory: readers see the old file or the whole new one. */
export async function writeFileAtomically(fs: CheckpointFileSystem, file: string, data: string | Buffer): Promise<void> {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${randomUUID().slice(0, 8)}.tmp`);
  const handle = await fs.open(temp, 'wx');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await fs.rename(temp, file);
  } catch (error) {
    await fs.rm(temp, { force: true });
    throw error;
  }
  await syncDirectory(fs, path.dirname(file));
}

/** Writes a new file durably: `write` fills it, then it is fsynced before anything references it. */
export async function writeDurably<T>(fs: CheckpointFileSystem, file: string, write: (handle: fsp.FileHandle) => Promise<T>): Promise<T> {
  const handle = await fs.open(file, 'w');
  try {
    const result = await write(handle);
    await handle.sync();
    return result;
  } finally {
    await handle.close();
  }
}

export function isNotFound(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

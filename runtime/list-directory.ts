import { readdir } from 'node:fs/promises';

/** The names in `dir`, or none when it does not exist (yet): a sink or registry directory is created on first use. */
export async function listDirectory(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

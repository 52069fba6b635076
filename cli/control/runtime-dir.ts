import { lstat, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CliIO } from '../output.js';

/**
 * The per-user directory where running jobs register and listen (job-registry.ts): `$SLUICE_RUNTIME_DIR`, else
 * `$XDG_RUNTIME_DIR/sluice`, else `<tmpdir>/sluice-<uid>`. Nobody but its owner may open it: its permissions,
 * not the sockets', keep other users from reading a job's token or reaching its control socket.
 */
export function runtimeDirectory(env: CliIO['env']): string {
  const explicit = env['SLUICE_RUNTIME_DIR'];
  if (explicit !== undefined && explicit !== '') return explicit;
  const xdg = env['XDG_RUNTIME_DIR'];
  if (xdg !== undefined && xdg !== '') return join(xdg, 'sluice');
  return join(tmpdir(), `sluice-${process.getuid?.() ?? 'user'}`);
}

export type RuntimeDirectoryState = { readonly state: 'ready' } | { readonly state: 'missing' } | { readonly state: 'unsafe'; readonly reason: string };

/**
 * Whether `dir` can be trusted: a real directory (not a link someone planted), owned by this user, closed to
 * everyone else. With `create`, a missing one is made (mode 0700) first.
 */
export async function checkRuntimeDirectory(dir: string, create: boolean): Promise<RuntimeDirectoryState> {
  if (create) {
    try {
      await mkdir(dir, { recursive: true, mode: 0o700 });
    } catch (error) {
      return { state: 'unsafe', reason: `it cannot be created (${(error as Error).message})` };
    }
  }
  let stats;
  try {
    stats = await lstat(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { state: 'missing' };
    return { state: 'unsafe', reason: `it cannot be read (${(error as Error).message})` };
  }
  if (stats.isSymbolicLink()) return { state: 'unsafe', reason: 'it is a symbolic link' };
  if (!stats.isDirectory()) return { state: 'unsafe', reason: 'it is not a directory' };
  // Windows has neither uids nor these mode bits; there the directory's ACL (the user's profile) decides.
  const uid = process.getuid?.();
  if (uid !== undefined && stats.uid !== uid) return { state: 'unsafe', reason: `it belongs to another user (uid ${stats.uid})` };
  if (process.platform !== 'win32' && (stats.mode & 0o077) !== 0) {
    return { state: 'unsafe', reason: `other users can open it (mode 0${(stats.mode & 0o777).toString(8)})` };
  }
  return { state: 'ready' };
}

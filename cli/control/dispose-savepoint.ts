import { readdir, rm, stat } from 'node:fs/promises';
import { isAbsolute, join, posix, resolve } from 'node:path';
import { Diagnostics } from '../../compiler/diagnostics/catalogue.js';
import type { Diagnostic } from '../../compiler/diagnostics/diagnostic.js';
import { COMPLETED_MARKER, METADATA_FILE } from '../../runtime/checkpoint/storage/checkpoint-names.js';
import { filesOf } from '../../runtime/checkpoint/storage/checkpoint-storage.js';
import { usageError } from '../usage-errors.js';
import { describeFsError } from '../output.js';
import { openSnapshot } from './open-snapshot.js';

/** Every file under `dir`, as '/'-separated paths relative to it (links are files: they are not followed). */
async function filesUnder(dir: string, prefix = ''): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(join(dir, prefix), { withFileTypes: true })) {
    const relative = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) files.push(...(await filesUnder(dir, relative)));
    else files.push(relative);
  }
  return files;
}

export type DisposeResult =
  | { readonly kind: 'deleted'; readonly dir: string }
  | { readonly kind: 'refused'; readonly error: Diagnostic }
  | { readonly kind: 'failed'; readonly reason: string };

const FOREIGN_FILES_SHOWN = 5;

/**
 * `sluice savepoint dispose <dir>`: deletes the savepoint directory `path` (relative to `cwd`), but only when it
 * is one: a directory (not its `_metadata` file) with a valid savepoint `_metadata`, whose state files all lie
 * inside it, and that holds nothing else. Checkpoints are refused: Sluice manages those itself.
 */
export async function disposeSavepoint(path: string, cwd: string): Promise<DisposeResult> {
  const dir = resolve(cwd, path);
  const refuse = (reason: string): DisposeResult => ({ kind: 'refused', error: usageError(Diagnostics.NotASavepoint, { path, expected: 'savepoint directory', reason }) });
  try {
    if (!(await stat(dir)).isDirectory()) return refuse('it is a file; give the directory that holds the _metadata file');
  } catch (error) {
    return refuse(describeFsError(error));
  }
  const opened = await openSnapshot(path, cwd, 'savepoint');
  if ('error' in opened) return { kind: 'refused', error: opened.error };

  const referenced = new Set([METADATA_FILE, COMPLETED_MARKER]);
  for (const file of filesOf(opened.stored.metadata)) {
    const normalized = posix.normalize(file.path);
    if (isAbsolute(normalized) || normalized.startsWith('../')) return refuse(`its _metadata references ${file.path}, outside the directory, so it is not a self-contained savepoint`);
    referenced.add(normalized);
  }
  let present: string[];
  try {
    present = await filesUnder(dir);
  } catch (error) {
    return { kind: 'failed', reason: `cannot list ${dir}: ${describeFsError(error)}` };
  }
  const foreign = present.filter((file) => !referenced.has(file));
  if (foreign.length > 0) {
    const shown = foreign.slice(0, FOREIGN_FILES_SHOWN).join(', ');
    const files = foreign.length > FOREIGN_FILES_SHOWN ? `${shown} and ${foreign.length - FOREIGN_FILES_SHOWN} more` : shown;
    return { kind: 'refused', error: usageError(Diagnostics.SavepointHoldsForeignFiles, { path, files }) };
  }
  try {
    await rm(dir, { recursive: true });
  } catch (error) {
    return { kind: 'failed', reason: `cannot delete ${dir}: ${describeFsError(error)}` };
  }
  return { kind: 'deleted', dir };
}

import { resolve } from 'node:path';
import { Diagnostics } from '../../compiler/diagnostics/catalogue.js';
import type { Diagnostic } from '../../compiler/diagnostics/diagnostic.js';
import { openCheckpoint } from '../../runtime/checkpoint/restore/load-checkpoint.js';
import type { StoredCheckpoint } from '../../runtime/checkpoint/storage/checkpoint-storage.js';
import { usageError } from '../usage-errors.js';

/**
 * The savepoint (or, where `expected` allows, retained checkpoint) at `path`, given as its directory or its
 * `_metadata` file (resolved against `cwd`), with the metadata read and validated; a usage error naming the
 * file and the reason otherwise.
 */
export async function openSnapshot(
  path: string,
  cwd: string,
  expected: 'savepoint' | 'savepoint or checkpoint',
): Promise<{ readonly stored: StoredCheckpoint } | { readonly error: Diagnostic }> {
  const opened = await openCheckpoint(resolve(cwd, path));
  if ('error' in opened) return { error: usageError(Diagnostics.NotASavepoint, { path, expected, reason: opened.error }) };
  const { metadata } = opened.checkpoint;
  if (expected === 'savepoint' && metadata.type !== 'savepoint') {
    const reason = `it is checkpoint ${metadata.checkpointId} of job ${metadata.jobId}; Sluice deletes checkpoints itself, as 'state.checkpoints.num-retained' says`;
    return { error: usageError(Diagnostics.NotASavepoint, { path, expected, reason }) };
  }
  return { stored: opened.checkpoint };
}

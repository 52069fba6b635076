import { mkdir, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Diagnostics } from '../../compiler/diagnostics/catalogue.js';
import type { Diagnostic } from '../../compiler/diagnostics/diagnostic.js';
import { usageError } from '../usage-errors.js';
import { describeFsError, type CliIO } from '../output.js';
import type { RunningJob } from './job-registry.js';

/**
 * The directory a savepoint of `job` goes into, absolute and existing: `given` (relative to the caller's
 * directory), else the job's `state.savepoints.dir`. `command` is how the user asked, for the help text.
 */
export async function savepointTarget(given: string | undefined, job: RunningJob, command: string, io: CliIO): Promise<{ readonly dir: string } | { readonly error: Diagnostic }> {
  const dir = given === undefined ? job.entry.savepointsDir : resolve(io.cwd, given);
  if (dir === null) return { error: usageError(Diagnostics.NoSavepointTarget, { job: job.entry.jobId, command }) };
  const shown = given ?? dir;
  try {
    if (!(await stat(dir)).isDirectory()) return { error: usageError(Diagnostics.BadSavepointTarget, { path: shown, reason: 'it is a file, not a directory' }) };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') return { error: usageError(Diagnostics.BadSavepointTarget, { path: shown, reason: describeFsError(error) }) };
    try {
      await mkdir(dir, { recursive: true });
    } catch (mkdirError) {
      return { error: usageError(Diagnostics.BadSavepointTarget, { path: shown, reason: describeFsError(mkdirError) }) };
    }
  }
  return { dir };
}

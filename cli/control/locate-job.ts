import { Diagnostics } from '../../compiler/diagnostics/catalogue.js';
import { printUsageErrors, usageError } from '../usage-errors.js';
import type { CommandOutcome } from '../exit-codes.js';
import type { CliIO } from '../output.js';
import { listRunningJobs, resolveJob, type RunningJob } from './job-registry.js';
import { checkRuntimeDirectory, runtimeDirectory } from './runtime-dir.js';

/** The jobs of this user that are running now (stale registrations removed), or the printed reason there are none to trust. */
export async function runningJobs(io: CliIO): Promise<{ readonly jobs: readonly RunningJob[] } | { readonly outcome: CommandOutcome }> {
  const dir = runtimeDirectory(io.env);
  const state = await checkRuntimeDirectory(dir, false);
  if (state.state === 'missing') return { jobs: [] };
  if (state.state === 'unsafe') return { outcome: printUsageErrors([usageError(Diagnostics.UnsafeRuntimeDirectory, { path: dir, reason: state.reason })], io) };
  return { jobs: await listRunningJobs(dir) };
}

/** The running job `reference` names (its id, or its pipeline name when only one job has it); prints why not otherwise. */
export async function locateJob(reference: string, io: CliIO): Promise<{ readonly job: RunningJob } | { readonly outcome: CommandOutcome }> {
  const found = await runningJobs(io);
  if ('outcome' in found) return found;
  const resolution = resolveJob(reference, found.jobs);
  switch (resolution.kind) {
    case 'found':
      return { job: resolution.job };
    case 'not-found':
      return { outcome: printUsageErrors([usageError(Diagnostics.JobNotRunning, { job: reference })], io) };
    case 'ambiguous':
      return { outcome: printUsageErrors([usageError(Diagnostics.AmbiguousJobName, { job: reference, count: resolution.ids.length, ids: resolution.ids.join(', ') })], io) };
  }
}

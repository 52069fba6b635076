import type { Job } from '../../runtime/execution/job.js';
import type { ControllableJob } from './controllable-job.js';

/**
 * The runtime's Job as the control plane sees it. `Job.savepoint` and `Job.stop` come with the runtime's
 * savepoint support (issue 4/5); a Job without them is still listed and reachable, and refuses savepoint and
 * stop requests with this reason. Once Job has both, pass it to `startJobControl` directly.
 */
export function controllableJob(job: Job): ControllableJob {
  const runtime = job as Job & Partial<Pick<ControllableJob, 'savepoint' | 'stop'>>;
  const unsupported = (what: string) => Promise.reject(new Error(`this version of the Sluice runtime cannot ${what} yet; use Ctrl-C (SIGINT) to cancel the job`));
  return {
    jobId: job.jobId,
    savepoint: (targetDir) => runtime.savepoint?.(targetDir) ?? unsupported('take savepoints'),
    stop: (options) => runtime.stop?.(options) ?? unsupported('stop a job gracefully'),
  };
}

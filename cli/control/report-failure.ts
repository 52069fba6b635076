import type { CommandOutcome } from '../exit-codes.js';
import type { CliIO } from '../output.js';
import type { ControlReply } from './control-client.js';
import type { RunningJob } from './job-registry.js';

type FailedReply = Exclude<ControlReply, { readonly ok: true; readonly result: unknown }>;

/**
 * Prints why a request to a running job did not succeed, with what to do, and ends the command with exit code 1.
 * `action` names what was asked, as in "the savepoint of job x-1a2b failed".
 */
export function reportFailedReply(reply: FailedReply, action: string, job: RunningJob, io: CliIO): CommandOutcome {
  const id = job.entry.jobId;
  let message: string;
  let help: string;
  if ('unreachable' in reply) {
    message = `cannot reach job ${id}: ${reply.unreachable}`;
    help = 'the job may have just ended; `sluice list` shows the jobs that are running';
  } else {
    const { kind, message: reason } = reply.error;
    switch (kind) {
      case 'failed':
        message = `${action} of job ${id} failed: ${reason}`;
        help = 'the job keeps running; fix the cause (the message names it) and try again';
        break;
      case 'busy':
        message = `job ${id} refused: ${reason}`;
        help = 'wait for it to end; `sluice list` shows whether it is still running';
        break;
      case 'unauthorized':
        message = `job ${id} refused the request: ${reason}`;
        help = "its registration may have been replaced; run `sluice list` and try again as the user who started the job";
        break;
      case 'bad-request':
        message = `job ${id} did not understand the request: ${reason}`;
        help = 'use the same version of Sluice as the one running the job';
        break;
    }
  }
  io.stderr.write(`error: ${message}\n  = help: ${help}\n`);
  return { kind: 'job-failed' };
}

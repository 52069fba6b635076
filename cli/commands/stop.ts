import { sendControlCommand } from '../control/control-client.js';
import { locateJob } from '../control/locate-job.js';
import { reportFailedReply } from '../control/report-failure.js';
import { savepointTarget } from '../control/savepoint-target.js';
import type { CommandOutcome } from '../exit-codes.js';
import type { CliIO } from '../output.js';
import { printUsageErrors } from '../usage-errors.js';

export interface StopFlags {
  /** `--savepoint` alone (true: the job's `state.savepoints.dir`) or with a target directory. */
  readonly savepoint?: string | true;
  readonly drain: boolean;
}

/**
 * `sluice stop <job>`: ends a running job gracefully. Its sources stop, with `--drain` event time advances to
 * the end so every window fires, with `--savepoint` a savepoint is taken (its path is printed on standard
 * output), and its sinks commit. Returns once the job has ended.
 */
export async function runStop(reference: string, flags: StopFlags, io: CliIO): Promise<CommandOutcome> {
  const located = await locateJob(reference, io);
  if ('outcome' in located) return located.outcome;
  const { job } = located;
  let savepointDir: string | undefined;
  if (flags.savepoint !== undefined) {
    const target = await savepointTarget(flags.savepoint === true ? undefined : flags.savepoint, job, `sluice stop ${reference} --savepoint`, io);
    if ('error' in target) return printUsageErrors([target.error], io);
    savepointDir = target.dir;
  }
  const reply = await sendControlCommand(job.entry, { type: 'stop', drain: flags.drain, ...(savepointDir === undefined ? {} : { savepointDir }) });
  if (!reply.ok) return reportFailedReply(reply, flags.savepoint === undefined ? 'the stop' : 'the stop with a savepoint', job, io);
  if (reply.result.savepointPath !== undefined) io.stdout.write(`${reply.result.savepointPath}\n`);
  io.stderr.write(`stopped job ${job.entry.jobId}${flags.drain ? ' after draining it' : ''}\n`);
  return { kind: 'completed', diagnostics: [] };
}

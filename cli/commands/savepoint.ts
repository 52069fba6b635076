import { Diagnostics } from '../../compiler/diagnostics/catalogue.js';
import { CheckpointReadError } from '../../runtime/checkpoint/restore/load-checkpoint.js';
import { sendControlCommand } from '../control/control-client.js';
import { disposeSavepoint } from '../control/dispose-savepoint.js';
import { describeSnapshot, dumpOperatorState, operatorName } from '../control/inspect-snapshot.js';
import { locateJob } from '../control/locate-job.js';
import { openSnapshot } from '../control/open-snapshot.js';
import { reportFailedReply } from '../control/report-failure.js';
import { savepointTarget } from '../control/savepoint-target.js';
import type { CommandOutcome } from '../exit-codes.js';
import type { CliIO } from '../output.js';
import { printUsageErrors, usageError } from '../usage-errors.js';

const DONE: CommandOutcome = { kind: 'completed', diagnostics: [] };

/**
 * `sluice savepoint <job> [target-dir]`: a savepoint of a running job, which keeps running, as a new directory
 * inside `target-dir` (default: the job's `state.savepoints.dir`). Its path is printed on standard output.
 */
export async function runSavepoint(reference: string, targetDir: string | undefined, io: CliIO): Promise<CommandOutcome> {
  const located = await locateJob(reference, io);
  if ('outcome' in located) return located.outcome;
  const { job } = located;
  const target = await savepointTarget(targetDir, job, `sluice savepoint ${reference}`, io);
  if ('error' in target) return printUsageErrors([target.error], io);
  const reply = await sendControlCommand(job.entry, { type: 'savepoint', targetDir: target.dir });
  if (!reply.ok) return reportFailedReply(reply, 'the savepoint', job, io);
  io.stdout.write(`${reply.result.path}\n`);
  return DONE;
}

/** Lines of a dump are written in chunks of about this many characters rather than one write each. */
const DUMP_CHUNK = 64 * 1024;

/**
 * `sluice savepoint inspect <dir> [--dump <uid>]`: what a savepoint or retained checkpoint holds, or one
 * operator's state as JSON lines. A missing, damaged or altered file is a usage error naming it.
 */
export async function runInspect(path: string, dump: string | undefined, io: CliIO): Promise<CommandOutcome> {
  const opened = await openSnapshot(path, io.cwd, 'savepoint or checkpoint');
  if ('error' in opened) return printUsageErrors([opened.error], io);
  const { stored } = opened;
  try {
    if (dump === undefined) {
      io.stdout.write(await describeSnapshot(stored));
      return DONE;
    }
    const entry = stored.metadata.operators.find((op) => operatorName(op) === dump);
    if (entry === undefined) {
      const uids = stored.metadata.operators.map(operatorName).join(', ');
      return printUsageErrors([usageError(Diagnostics.UnknownSavedOperator, { path, uid: dump, uids })], io);
    }
    let chunk = '';
    for await (const line of dumpOperatorState(stored, entry)) {
      chunk += `${line}\n`;
      if (chunk.length >= DUMP_CHUNK) {
        io.stdout.write(chunk);
        chunk = '';
      }
    }
    if (chunk !== '') io.stdout.write(chunk);
    return DONE;
  } catch (error) {
    if (!(error instanceof CheckpointReadError)) throw error;
    return printUsageErrors([usageError(Diagnostics.NotASavepoint, { path, expected: 'readable savepoint or checkpoint', reason: error.message })], io);
  }
}

/** `sluice savepoint dispose <dir>`: deletes a savepoint, after checking that it is one and holds nothing else. */
export async function runDispose(path: string, io: CliIO): Promise<CommandOutcome> {
  const result = await disposeSavepoint(path, io.cwd);
  switch (result.kind) {
    case 'deleted':
      io.stderr.write(`deleted savepoint ${result.dir}\n`);
      return DONE;
    case 'refused':
      return printUsageErrors([result.error], io);
    case 'failed':
      io.stderr.write(`error: ${result.reason}\n  = help: check the permissions of the directory and its files, then run the command again\n`);
      return { kind: 'job-failed' };
  }
}

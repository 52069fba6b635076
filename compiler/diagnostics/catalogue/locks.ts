import type { DiagnosticDefinition } from '../diagnostic.js';

/**
 * SLC913x: one job per directory. A job holds a lock on its checkpoint directory, every file sink directory and
 * its local state directory for as long as its process lives (runtime/locks/); a second job is refused before it
 * reads or writes anything there. Like every SLC9xxx code they make the CLI exit with code 2.
 */
export const lockDiagnostics = {
  CheckpointDirectoryLocked: {
    code: 'SLC9130',
    severity: 'error',
    message: "the checkpoint directory '{path}' is in use by {holder}",
    help: 'one job at a time per checkpoint directory: stop the running one (`sluice stop {jobId}`) or wait for it to end, or give this pipeline another pipeline.name or state.checkpoints.dir',
  },
  SinkDirectoryLocked: {
    code: 'SLC9131',
    severity: 'error',
    message: "the directory '{path}' of file sink '{uid}' is in use by {holder}",
    help: 'two writers into one directory are never right: stop the running job (`sluice stop {jobId}`) or wait for it to end, or give this sink another path',
  },
  LocalStateDirectoryLocked: {
    code: 'SLC9132',
    severity: 'error',
    message: "the local state directory '{path}' is in use by {holder}",
    help: 'give each job its own localStateDir, or leave it unset (a fresh directory is made for every job)',
  },
  LockFailed: {
    code: 'SLC9133',
    severity: 'error',
    message: "cannot lock the {what} '{path}': {reason}",
    help: 'a job locks its directories so that no second job uses them at the same time; make the directory one this user can create and write to',
  },
} as const satisfies Record<string, DiagnosticDefinition>;

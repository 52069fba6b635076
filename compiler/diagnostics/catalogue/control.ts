import type { DiagnosticDefinition } from '../diagnostic.js';

/**
 * SLC91xx: usage errors of the commands that control running jobs and handle savepoints (`sluice list`,
 * `sluice savepoint`, `sluice stop`). Like every SLC9xxx code they make the CLI exit with code 2.
 */
export const controlDiagnostics = {
  JobNotRunning: {
    code: 'SLC9101',
    severity: 'error',
    message: "no running job has the id or pipeline name '{job}'",
    help: '`sluice list` shows the running jobs of this user; give one of their ids or pipeline names',
  },
  AmbiguousJobName: {
    code: 'SLC9102',
    severity: 'error',
    message: "{count} running jobs have the pipeline name '{job}': {ids}",
    help: 'give the job id instead of the name',
  },
  NoSavepointTarget: {
    code: 'SLC9103',
    severity: 'error',
    message: "no target directory for a savepoint of job '{job}'",
    help: "give one after the job (`{command} <target-dir>`), or set a default in the pipeline: SET 'state.savepoints.dir' = '<dir>'",
  },
  BadSavepointTarget: {
    code: 'SLC9104',
    severity: 'error',
    message: "cannot create a savepoint in '{path}': {reason}",
    help: 'give a directory you can write to (it is created if missing); the savepoint becomes a new directory inside it',
  },
  NotASavepoint: {
    code: 'SLC9105',
    severity: 'error',
    message: "'{path}' is not a {expected}: {reason}",
    help: 'give the directory `sluice savepoint` or `sluice stop --savepoint` printed (savepoint-…/, which holds a _metadata file)',
  },
  SavepointHoldsForeignFiles: {
    code: 'SLC9106',
    severity: 'error',
    message: "'{path}' holds files that are not part of the savepoint: {files}",
    help: 'dispose deletes a directory only when it holds nothing but the savepoint: move those files out first',
  },
  UnknownSavedOperator: {
    code: 'SLC9107',
    severity: 'error',
    message: "the snapshot in '{path}' has no operator '{uid}'",
    help: 'give one of its operator uids: {uids} (`sluice savepoint inspect <dir>` lists them)',
  },
  UnsafeRuntimeDirectory: {
    code: 'SLC9108',
    severity: 'error',
    message: "the job control directory '{path}' is unsafe: {reason}",
    help: 'it must be a directory owned by you that nobody else can open (mode 0700): remove it and Sluice creates it again, or set SLUICE_RUNTIME_DIR to another directory',
  },
} as const satisfies Record<string, DiagnosticDefinition>;

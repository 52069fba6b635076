import type { DiagnosticDefinition } from '../diagnostic.js';

/**
 * SLC922x: going back in a pipeline's history — `sluice checkpoints` and `sluice run --resume --before <time>`.
 * Like every SLC9xxx code they make the CLI exit with code 2.
 */
export const checkpointHistoryDiagnostics = {
  NothingOldEnough: {
    code: 'SLC9220',
    severity: 'error',
    message: "no retained checkpoint or savepoint of pipeline '{pipeline}' completed at or before {before}: {reason}",
    help: "give a later --before (`sluice checkpoints <job.pipe>` lists what is retained); to be able to go further back, raise 'state.checkpoints.num-retained' or take savepoints into 'state.savepoints.dir'",
  },
  NoCheckpointHistory: {
    code: 'SLC9221',
    severity: 'error',
    message: "cannot list the checkpoints of '{path}': {reason}",
    help: 'give the .pipe file of the job (its SET statements say where its checkpoints and savepoints are), or the directory <state.checkpoints.dir>/<pipeline.name> that holds its chk-<n> directories',
  },
  BeforeWithoutResume: {
    code: 'SLC9222',
    severity: 'error',
    message: '--before needs --resume',
    help: "--before chooses among the pipeline's retained checkpoints and savepoints, as --resume does: `sluice run job.pipe --resume --before '4 hours ago'`",
  },
} as const satisfies Record<string, DiagnosticDefinition>;

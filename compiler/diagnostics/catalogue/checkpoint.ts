import type { DiagnosticDefinition } from '../diagnostic.js';

/**
 * SLC914x: checkpoints and savepoints that cannot be restored because they are damaged (their `_metadata` or a
 * state file missing, truncated or altered). `--resume` skips such a checkpoint for the previous one and says so;
 * a restore asked for by path refuses. Like every SLC9xxx code they make the CLI exit with code 2.
 */
export const checkpointDiagnostics = {
  DamagedSnapshot: {
    code: 'SLC9140',
    severity: 'error',
    message: "cannot restore from '{path}': it is damaged: {reason}",
    help: 'restore an intact snapshot instead: `--resume` takes the newest intact checkpoint of the pipeline by itself, or give an older chk-<n> or a savepoint to --from; the damaged directory is left as it is for you to look at',
  },
} as const satisfies Record<string, DiagnosticDefinition>;

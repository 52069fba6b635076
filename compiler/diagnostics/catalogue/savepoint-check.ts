import type { DiagnosticDefinition } from '../diagnostic.js';

/**
 * `sluice compile --check-savepoint`: the verdict as a diagnostic (SLC6090, exit code 1) and the usage errors
 * of its flags and of snapshots it cannot check (SLC911x, exit code 2).
 */
export const savepointCheckDiagnostics = {
  SavepointNotRestorable: {
    code: 'SLC6090',
    severity: 'error',
    message: "the job cannot start from '{path}': {reasons}",
    help: 'the report above says, per operator uid and state, what stands in the way and what to do',
  },
  CheckSavepointFlagAlone: {
    code: 'SLC9110',
    severity: 'error',
    message: '{flag} only applies to --check-savepoint <dir>',
    help: 'add --check-savepoint <dir>, or leave out {flag}',
  },
  SnapshotWithoutJobGraph: {
    code: 'SLC9111',
    severity: 'error',
    message: "'{path}' cannot be checked: it was written by an older Sluice (metadata version 1), which did not record its job graph",
    help: 'restoring it still works (state is matched by uid); to check a change offline, take a new savepoint with this Sluice',
  },
} as const satisfies Record<string, DiagnosticDefinition>;

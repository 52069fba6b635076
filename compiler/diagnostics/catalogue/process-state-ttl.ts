import type { DiagnosticDefinition } from '../diagnostic.js';

/** TTL of process-function state (a state declaration's `ttl`): SLC2060–SLC2064. */
export const processStateTtlDiagnostics = {
  TtlOnOperatorState: {
    code: 'SLC2060',
    severity: 'error',
    message: "process function {name} gives its list state '{state}' a TTL, but without PARTITION BY it is operator state, which has no key to expire",
    help: 'add PARTITION BY <key> to the PROCESS step, or remove `ttl` from the state declaration',
  },
  ProcessStateTtlChanged: {
    code: 'SLC2061',
    severity: 'note',
    message: "the TTL of state '{state}' of '{uid}' changes from {previous} to {next}",
    help: "compatible: restored entries expire by the new TTL, counted from the last write (or access) time saved with them",
  },
} as const satisfies Record<string, DiagnosticDefinition>;

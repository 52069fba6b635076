import type { DiagnosticDefinition } from '../diagnostic.js';

/** State TTL (`table.exec.state.ttl`, `UID '…' TTL INTERVAL …`): SLC2050–SLC2059; SLC1050 is the grammar's. */
export const stateTtlDiagnostics = {
  TtlOnSelfCleaningStep: {
    code: 'SLC2050',
    severity: 'error',
    message: "{step} '{uid}' cannot have a state TTL: {reason}",
    help: 'remove TTL from this UID; a TTL applies to regular JOINs, continuous AGGREGATEs and DEDUPLICATE, whose state is kept forever otherwise',
  },
  NegativeTtl: {
    code: 'SLC2051',
    severity: 'error',
    message: 'a state TTL cannot be negative',
    help: "write how long a key's state is kept after its last write, e.g. TTL INTERVAL '1' DAY; INTERVAL '0' SECOND keeps it forever",
  },
  StateTtlChanged: {
    code: 'SLC2052',
    severity: 'note',
    message: "the state TTL of '{uid}' changes from {previous} to {next}",
    help: "compatible: restored state is kept {next} after each key's last write, counted from the write time saved with it",
  },
} as const satisfies Record<string, DiagnosticDefinition>;

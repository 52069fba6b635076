import { syntaxDiagnostics } from './catalogue/syntax.js';
import { configDiagnostics } from './catalogue/config.js';
import { usageDiagnostics } from './catalogue/usage.js';
import { typeDiagnostics } from './catalogue/types.js';
import { namesDiagnostics } from './catalogue/names.js';
import { planDiagnostics } from './catalogue/plan.js';
import { savepointDiagnostics } from './catalogue/savepoint.js';
import { controlDiagnostics } from './catalogue/control.js';
import { checkpointDiagnostics } from './catalogue/checkpoint.js';
import { checkpointHistoryDiagnostics } from './catalogue/checkpoint-history.js';
import { savepointCheckDiagnostics } from './catalogue/savepoint-check.js';
import { lockDiagnostics } from './catalogue/locks.js';
import { apiDiagnostics } from './catalogue/api.js';
import { exactlyOnceDiagnostics } from './catalogue/exactly-once.js';
import { flinkDiagnostics } from './catalogue/flink.js';
import { flinkImportDiagnostics } from './catalogue/flink-import.js';
import { jetStreamDiagnostics } from './catalogue/jetstream.js';
import { postgresDiagnostics } from './catalogue/postgres.js';
import { webUiDiagnostics } from './catalogue/web-ui.js';
import { functionModuleDiagnostics } from './catalogue/functions.js';
import { postgresCdcDiagnostics } from './catalogue/postgres-cdc.js';
import { processStateTtlDiagnostics } from './catalogue/process-state-ttl.js';
import { stateTtlDiagnostics } from './catalogue/state-ttl.js';
import { unalignedCheckpointDiagnostics } from './catalogue/unaligned-checkpoints.js';
import { workerDiagnostics } from './catalogue/workers.js';
import { watermarkAlignmentDiagnostics } from './catalogue/watermark-alignment.js';

/**
 * The one diagnostic catalogue, merged from one table per area so that each area's codes live together:
 * SLC1xxx syntax, SLC2xxx names and uids, SLC3xxx types and expressions, SLC4xxx configuration and connectors,
 * SLC5xxx steps and operators (windows, aggregates, joins), SLC6xxx savepoint compatibility, SLC70xx the Flink SQL export, SLC71xx the Flink SQL import, SLC9xxx usage and I/O.
 * docs/errors.md explains every code; a test checks that codes are unique and documented.
 */
export const Diagnostics = {
  ...syntaxDiagnostics,
  ...configDiagnostics,
  ...usageDiagnostics,
  ...typeDiagnostics,
  ...namesDiagnostics,
  ...planDiagnostics,
  ...savepointDiagnostics,
  ...controlDiagnostics,
  ...checkpointDiagnostics,
  ...checkpointHistoryDiagnostics,
  ...savepointCheckDiagnostics,
  ...lockDiagnostics,
  ...apiDiagnostics,
  ...exactlyOnceDiagnostics,
  ...flinkDiagnostics,
  ...flinkImportDiagnostics,
  ...jetStreamDiagnostics,
  ...postgresDiagnostics,
  ...webUiDiagnostics,
  ...functionModuleDiagnostics,
  ...postgresCdcDiagnostics,
  ...stateTtlDiagnostics,
  ...processStateTtlDiagnostics,
  ...unalignedCheckpointDiagnostics,
  ...workerDiagnostics,
  ...watermarkAlignmentDiagnostics,
} as const;

export type DiagnosticName = keyof typeof Diagnostics;

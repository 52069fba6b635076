import type { DiagnosticDefinition } from '../diagnostic.js';

/**
 * SLC71xx: importing a Flink SQL script (`sluice import`). Syntax errors are the `.pipe` grammar's (SLC1xxx),
 * since the importer's grammar extends it; these name what parses as Flink SQL but has no `.pipe` meaning, at
 * its place in the script.
 */
export const flinkImportDiagnostics = {
  NotImportable: {
    code: 'SLC7101',
    severity: 'error',
    message: '{what} cannot be imported',
    help: '{why}; docs/flink.md, section "Importing Flink SQL", lists what can',
  },
  UnknownFlinkConnector: {
    code: 'SLC7102',
    severity: 'error',
    message: "connector '{connector}' of table '{table}' has no Sluice counterpart",
    help: "Sluice reads and writes 'filesystem' (json or csv), 'datagen', 'nexmark', 'print' and 'blackhole'",
  },
  UnknownRelation: {
    code: 'SLC7103',
    severity: 'error',
    message: "unknown table or view '{name}'",
    help: 'create it earlier in the script; the tables and views here are: {known}',
  },
  UnknownFlinkColumn: {
    code: 'SLC7104',
    severity: 'error',
    message: "unknown column '{name}'",
    help: 'the columns here are: {columns}',
  },
  AmbiguousFlinkColumn: {
    code: 'SLC7105',
    severity: 'error',
    message: "column '{name}' is ambiguous",
    help: 'qualify it with the alias of its table: {candidates}',
  },
  TableReadAndWritten: {
    code: 'SLC7106',
    severity: 'error',
    message: "table '{name}' is both read and written",
    help: 'a Sluice source cannot be a sink: declare two tables',
  },
  InvalidFlinkInterval: {
    code: 'SLC7107',
    severity: 'error',
    message: "INTERVAL '{value}' {unit} is not an interval Sluice can read",
    help: 'write a whole number of MILLISECOND, SECOND, MINUTE, HOUR or DAY, or Flink\'s DAY TO SECOND form \'d hh:mm:ss.fff\'',
  },
  DeduplicationOrder: {
    code: 'SLC7108',
    severity: 'error',
    message: "ROW_NUMBER() ordered by '{order}' is not a deduplication Sluice can run",
    help: 'Sluice keeps the first or last row per key in arrival order: ORDER BY a PROCTIME() column ASC (first) or DESC (last), and keep row number 1',
  },
  NotAGroupKey: {
    code: 'SLC7109',
    severity: 'error',
    message: 'this select item is neither a GROUP BY key nor an aggregate call',
    help: 'compute it in a view over the aggregate (a .pipe AGGREGATE outputs its keys and aggregates only)',
  },
} as const satisfies Record<string, DiagnosticDefinition>;

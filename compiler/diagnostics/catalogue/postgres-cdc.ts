import type { DiagnosticDefinition } from '../diagnostic.js';

/**
 * SLC4060–SLC4069: changelog (CDC) sources, checked when a job is compiled.
 * SLC9200–SLC9209: the postgres-cdc source's server, table, slot and replication stream (connectors/postgres-cdc/),
 * raised while a job starts or runs. `{url}` never shows a password. Connecting itself fails with the postgres
 * connector's SLC9190.
 */
export const postgresCdcDiagnostics = {
  ChangelogSourceNeedsPrimaryKey: {
    code: 'SLC4060',
    severity: 'error',
    message: "source '{name}' reads a changelog ('{connector}'), which needs a PRIMARY KEY",
    help: "declare the table's primary key in the column list, e.g. 'PRIMARY KEY (id) NOT ENFORCED': updates and deletes are matched to rows by it",
  },
  ChangelogSourceWatermark: {
    code: 'SLC4061',
    severity: 'error',
    message: "source '{name}' reads a changelog ('{connector}'), which has no event time: WATERMARK FOR is not supported on it",
    help: 'remove the WATERMARK clause; updating streams feed continuous aggregates and keyed sinks, not windows',
  },
  PostgresCdcTableName: {
    code: 'SLC4062',
    severity: 'error',
    message: "'table-name' = '{value}' is not a table name",
    help: "write 'schema.table' (e.g. 'public.orders') or 'table' for the public schema, unquoted and in the case PostgreSQL stores it",
  },
  PostgresCdcSlotName: {
    code: 'SLC4063',
    severity: 'error',
    message: "'{key}' = '{value}' is not a valid PostgreSQL {what} name",
    help: 'use lower-case letters, digits and underscores, at most 63 characters (e.g. sluice_orders)',
  },
  PostgresCdcWalLevel: {
    code: 'SLC9200',
    severity: 'error',
    message: "{role}: the server at {url} has wal_level = '{level}'; change data capture needs 'logical'",
    help: 'run psql -c "ALTER SYSTEM SET wal_level = logical" as a superuser, then restart PostgreSQL (e.g. pg_ctlcluster <version> main restart, or systemctl restart postgresql), then run the job again',
  },
  PostgresCdcTableMissing: {
    code: 'SLC9201',
    severity: 'error',
    message: "{role}: table {table} does not exist at {url}",
    help: "create it, or fix 'table-name' (schema.table, as PostgreSQL stores the names)",
  },
  PostgresCdcNoPrimaryKey: {
    code: 'SLC9202',
    severity: 'error',
    message: "{role}: table {table} at {url} {problem}",
    help: "{fix}",
  },
  PostgresCdcReplicationDenied: {
    code: 'SLC9203',
    severity: 'error',
    message: "{role}: user '{user}' may not {action} at {url}: {reason}",
    help: '{fix}',
  },
  PostgresCdcSlotActive: {
    code: 'SLC9204',
    severity: 'error',
    message: "{role}: replication slot '{slot}' at {url} is in use by another connection (pid {pid}): another job reads it",
    help: "stop that job (its job warning at start names the slot it holds), or give this source its own 'slot.name'; one slot feeds one job",
  },
  PostgresCdcSlotMissing: {
    code: 'SLC9205',
    severity: 'error',
    message: "{role}: replication slot '{slot}' at {url} is gone, but the checkpoint being restored reads on from it at LSN {lsn}",
    help: 'the changes after that checkpoint cannot be read again (the slot was dropped, e.g. by sluice connector cleanup): start the job without --resume/--from, which creates the slot and snapshots the table anew',
  },
  PostgresCdcColumnMismatch: {
    code: 'SLC9206',
    severity: 'error',
    message: "{role}: table {table} at {url}: {problem}",
    help: 'declare the source with the columns and types of the table (BIGINT ↔ bigint/integer, DECIMAL ↔ numeric, STRING ↔ text/varchar, TIMESTAMP(3) ↔ timestamp, BOOLEAN ↔ boolean, DOUBLE ↔ double precision), and its primary key',
  },
  PostgresCdcReplicaIdentity: {
    code: 'SLC9207',
    severity: 'error',
    message: "{role}: 'changelog-mode' = 'all' needs the server's before-images, but table {table} has REPLICA IDENTITY {identity}",
    help: "run ALTER TABLE {table} REPLICA IDENTITY FULL, or use 'changelog-mode' = 'upsert' (the default), which keeps the last row per key in state instead",
  },
  PostgresCdcStreamFailed: {
    code: 'SLC9208',
    severity: 'error',
    message: "{role}: the replication stream of slot '{slot}' at {url} failed: {reason}",
    help: 'the task restarts from its last checkpoint as the restart strategy says; once the server is back it reads on from the slot, each change once',
  },
  PostgresCdcPublication: {
    code: 'SLC9209',
    severity: 'error',
    message: "{role}: publication '{publication}' at {url} exists but does not publish table {table}",
    help: "run ALTER PUBLICATION {publication} ADD TABLE {table}, or name another 'publication.name' (the source creates a missing one)",
  },
} as const satisfies Record<string, DiagnosticDefinition>;

import type { DiagnosticDefinition } from '../diagnostic.js';

/**
 * SLC4050–SLC4059: the postgres sink's declaration (url, key, column types), checked when a job is compiled.
 * SLC9190–SLC9199: the PostgreSQL server and tables (connectors/postgres/), raised while a job starts or runs.
 * The connection errors are shared with the postgres-cdc source. A task that fails with one of them is restarted
 * as the restart strategy says. `{url}` never shows a password.
 */
export const postgresDiagnostics = {
  PostgresUrlInvalid: {
    code: 'SLC4050',
    severity: 'error',
    message: "'url' is not a PostgreSQL URL: {problem}",
    help: "write 'postgres://[user[:password]@]host[:port]/database' (or 'jdbc:postgresql://host[:port]/database'); only the query parameters user, password and sslmode are understood",
  },
  PostgresUpsertNeedsPrimaryKey: {
    code: 'SLC4051',
    severity: 'error',
    message: "sink '{name}' receives an updating stream, which the postgres connector can only write by a primary key",
    help: 'declare the key the rows are updated and deleted by, e.g. PRIMARY KEY ({suggestion}) NOT ENFORCED, in the sink\'s column list (usually the GROUP BY columns)',
  },
  PostgresColumnTypeUnsupported: {
    code: 'SLC4052',
    severity: 'error',
    message: "column '{column}' of sink '{name}' is {type}, which the postgres connector cannot write",
    help: 'cast it to one of BOOLEAN, INT, BIGINT, DOUBLE, DECIMAL(p, s), STRING or TIMESTAMP(3) before the sink',
  },
  PostgresJdbcNeedsPostgresUrl: {
    code: 'SLC4053',
    severity: 'error',
    message: "'connector' = 'jdbc' is understood for PostgreSQL only, and this 'url' is not a PostgreSQL one",
    help: "write a 'jdbc:postgresql://host[:port]/database' url, or use 'connector' = 'postgres'",
  },
  PostgresUnreachable: {
    code: 'SLC9190',
    severity: 'error',
    message: '{role}: cannot connect to PostgreSQL at {url}: {reason}',
    help: "check that the server runs there and accepts this user (pg_isready -h <host> -p <port>), and the 'url', 'username' and 'password' options (or PGUSER/PGPASSWORD); then run again, with --resume to go on from the last checkpoint",
  },
  PostgresConnectionLost: {
    code: 'SLC9191',
    severity: 'error',
    message: '{role}: the connection to PostgreSQL at {url} was lost: {reason}',
    help: 'the task fails and the restart strategy restores the last checkpoint; once the server is back the job goes on from there, and an exactly-once sink writes each checkpoint once',
  },
  PostgresTableMissing: {
    code: 'SLC9192',
    severity: 'error',
    message: "{role}: PostgreSQL at {url} has no table '{table}'",
    help: "create it (its columns: {columns}), or set 'sink.create-table' = 'true' to let the sink create it, or fix 'table-name' (write schema.table for another schema than the search path's)",
  },
  PostgresColumnMismatch: {
    code: 'SLC9193',
    severity: 'error',
    message: "{role}: table '{table}' at {url} does not match the sink's columns: {problems}",
    help: 'change the table (ALTER TABLE …) or the sink\'s columns so that each sink column has a table column of the same name and type; Sluice types map as BOOLEAN→boolean, INT→integer, BIGINT→bigint, DOUBLE→double precision, DECIMAL(p, s)→numeric(p, s), STRING→text, TIMESTAMP(3)→timestamp(3)',
  },
  PostgresPermissionDenied: {
    code: 'SLC9194',
    severity: 'error',
    message: "{role}: PostgreSQL at {url} refused {action} on '{table}': {reason}",
    help: 'grant the user what the connector needs (GRANT SELECT, INSERT, UPDATE, DELETE ON <table> TO <user>; CREATE on the schema for sink.create-table and the commit table), or connect as another user',
  },
  PostgresWriteFailed: {
    code: 'SLC9195',
    severity: 'error',
    message: "{role}: writing to table '{table}' at {url} failed: {reason}",
    help: 'fix the table or the rows (a constraint, a value out of the column\'s range); with exactly-once nothing of the failed checkpoint is visible, and the rows are written again after the restart',
  },
  PostgresKeyMismatch: {
    code: 'SLC9196',
    severity: 'error',
    message: "{role}: table '{table}' at {url} has no unique constraint on the sink's primary key ({key}), which upserts need",
    help: 'add it (ALTER TABLE {table} ADD PRIMARY KEY ({key})), or let the sink create the table with sink.create-table',
  },
} as const satisfies Record<string, DiagnosticDefinition>;

import { booleanType, durationType, enumType, integerType, nonEmptyStringType } from '../../compiler/config/value-types.js';
import { option, type ConnectorContext, type ConnectorDefinition, type SinkInputContext } from '../../compiler/connectors/connector-definition.js';
import { Diagnostics } from '../../compiler/diagnostics/catalogue.js';
import { typeToString } from '../../compiler/types/sql-type.js';
import { parsePostgresUrl } from './url.js';
import { POSTGRES_COLUMN_TYPES } from './column-types.js';

/**
 * The `postgres` sink's option table and compile-time checks (compiler-side data: no driver, no runtime code).
 * Names follow Flink's JDBC connector ('url', 'table-name', 'username', 'password', 'sink.buffer-flush.*'), and
 * 'jdbc' is accepted as the connector's name with a `jdbc:postgresql://` url.
 */
export const postgresSink: ConnectorDefinition = {
  name: 'postgres',
  aliases: ['jdbc', 'postgresql'],
  description:
    'Writes rows into a PostgreSQL table: appends as batched INSERTs, updating streams as upserts and deletes by the primary key; exactly-once writes each checkpoint in one transaction when it completes.',
  options: [
    option('url', nonEmptyStringType, "The server and database: 'postgres://[user[:password]@]host[:port]/database' or 'jdbc:postgresql://host[:port]/database'.", {
      required: true,
    }),
    option('table-name', nonEmptyStringType, "The table, optionally 'schema.table'; unquoted names are lower-cased as PostgreSQL does.", { required: true }),
    option('username', nonEmptyStringType, "The user; default: the url's, else the environment variable PGUSER, else USER, else 'postgres'."),
    option('password', nonEmptyStringType, "The password; default: the url's, else the environment variable PGPASSWORD. Never printed.", { secret: true }),
    option(
      'sink.semantic',
      enumType(['exactly-once', 'at-least-once'], { exactly_once: 'exactly-once', at_least_once: 'at-least-once' }),
      "'exactly-once' stages a checkpoint's rows in the checkpoint and writes them in one transaction, with a commit record, when it completes; 'at-least-once' writes at every flush.",
      { default: 'exactly-once' },
    ),
    option('sink.buffer-flush.max-rows', integerType(1), "at-least-once: rows buffered before they are written; also the most rows in one statement.", { default: 5000 }),
    option('sink.buffer-flush.interval', durationType(0), "at-least-once: buffered rows are written at least this often ('0 s': only by max-rows and at checkpoints).", {
      default: 1000,
    }),
    option('sink.create-table', booleanType, "Create the table at start when it does not exist (its primary key: the sink's PRIMARY KEY).", { default: false }),
  ],
  twoPhaseCommit: (options) => options['sink.semantic'] === 'exactly-once',
  check: checkUrl,
  checkInput: checkInput,
  notes: [
    'Exactly-once without server settings: the rows written between checkpoint n-1 and n are staged in the sink\'s ' +
      'operator state at barrier n (as durable as the checkpoint) and, when checkpoint n completes, written in one ' +
      'transaction together with a row of the commit table `sluice_sink_commits` (created at start when missing, in the ' +
      'schema of the table) naming the job\'s lineage, the sink uid, the subtask and run that staged them and the ' +
      'checkpoint. A commit retried after a crash (the restored checkpoint\'s staged rows) finds its row and writes ' +
      'nothing, so nothing is applied twice, and a transaction cut off by a crash leaves nothing behind. Prepared ' +
      'transactions (XA) were not chosen: they need `max_prepared_transactions` > 0, which servers have off by default, ' +
      'and leave locks behind when a job never returns.',
    'The run is part of the record because a job restored from an older checkpoint numbers its next checkpoints ' +
      'again: recorded by checkpoint alone, its new rows would be taken for ones already written and dropped. One row ' +
      'per checkpoint rather than one "last committed" per subtask, because after a rescale a subtask\'s staged ' +
      'checkpoints are dealt to several new subtasks and may commit out of order. The rows stay (about 100 bytes per ' +
      'sink subtask and checkpoint): which ones a future restore may still need depends on the checkpoints retained. ' +
      "Delete a finished job's rows with `DELETE FROM sluice_sink_commits WHERE sink_uid = '<uid>'` (or older than a " +
      "week: `WHERE committed_at < now() - interval '7 days'`, when no checkpoint that old is restored). Restoring an " +
      'older checkpoint than the last one makes an append table receive the rows after it again (as in Flink); an ' +
      'upsert table ends the same.',
    'Append input is written as multi-row parameterised INSERTs of up to sink.buffer-flush.max-rows rows. Updating ' +
      'input needs `PRIMARY KEY (…) NOT ENFORCED` (SLC4051): +I/+U rows become `INSERT … ON CONFLICT (key) DO UPDATE`, ' +
      '-D rows `DELETE … WHERE key`, -U rows are skipped (the +U that follows replaces the row). Several changes of one ' +
      'key within a batch are folded to the last, so the table sees the same final rows.',
    'At start, before any row is read, the table must exist (SLC9192; or set sink.create-table), have a column of the ' +
      'same name and type for each sink column (SLC9193), and for upserts a primary key or unique index on the key ' +
      '(SLC9196). Types: BOOLEAN = boolean, INT = integer, BIGINT = bigint, DOUBLE = double precision, DECIMAL(p, s) = ' +
      'numeric(p, s), STRING = text (or varchar), TIMESTAMP(3) = timestamp(3) (UTC, without time zone).',
    'A server down at start (SLC9190) fails the job; a connection lost mid-run (SLC9191) fails the task and the ' +
      'restart strategy restores the last checkpoint: the rows of an uncommitted checkpoint are written once after it.',
  ],
};

function checkUrl(context: ConnectorContext): void {
  const entry = context.entry('url');
  const url = context.options['url'];
  if (entry === undefined || url === undefined) return;
  const parsed = parsePostgresUrl(url);
  if (!parsed.ok) context.bag.report(Diagnostics.PostgresUrlInvalid, entry.value.span, { problem: parsed.problem });
  else if (context.writtenAs === 'jdbc' && !parsed.address.jdbc) context.bag.report(Diagnostics.PostgresJdbcNeedsPostgresUrl, entry.value.span, {});
}

function checkInput(input: SinkInputContext): void {
  for (const field of input.fields) {
    if (!(field.type.name in POSTGRES_COLUMN_TYPES)) {
      input.bag.report(Diagnostics.PostgresColumnTypeUnsupported, input.name.span, { column: field.name, name: input.name.name, type: typeToString(field.type) });
    }
  }
  if (input.updating && input.primaryKey === undefined) {
    const suggestion = (input.upsertKey ?? input.fields.slice(0, 1).map((f) => f.name)).join(', ');
    input.bag.report(Diagnostics.PostgresUpsertNeedsPrimaryKey, input.name.span, { name: input.name.name, suggestion });
  }
}

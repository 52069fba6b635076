import { enumType, integerType, nonEmptyStringType } from '../../compiler/config/value-types.js';
import { option, warnUnlessOptionIs, type ConnectorContext, type ConnectorDefinition } from '../../compiler/connectors/connector-definition.js';
import { Diagnostics } from '../../compiler/diagnostics/catalogue.js';
import { parsePostgresUrl } from '../postgres/url.js';

/**
 * The `postgres-cdc` source's option table and compile-time checks (compiler-side data: no driver). Names follow
 * Flink CDC's postgres-cdc connector where it has the option ('slot.name', 'scan.startup.mode', 'changelog-mode',
 * 'scan.snapshot.fetch.size'); the connection options are the postgres sink's.
 */
const POSTGRES_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export const CHANGELOG_MODES = ['upsert', 'all'] as const;
export const STARTUP_MODES = ['initial', 'latest-offset'] as const;

/** 'schema.table' or 'table' (in schema public). */
export function splitTableName(text: string): { readonly schema: string; readonly table: string } | undefined {
  const parts = text.split('.');
  const name = /^[A-Za-z_][A-Za-z0-9_$]*$/;
  if (parts.length > 2 || !parts.every((p) => name.test(p))) return undefined;
  return parts.length === 2 ? { schema: parts[0]!, table: parts[1]! } : { schema: 'public', table: parts[0]! };
}

/** The publication a source uses when 'publication.name' is not given. */
export function derivedPublication(slot: string): string {
  return `${slot.slice(0, 63 - '_publication'.length)}_publication`;
}


export const postgresCdcSource: ConnectorDefinition = {
  name: 'postgres-cdc',
  description:
    "Reads a PostgreSQL table's changes through logical replication (pgoutput): a snapshot of the table, then every insert, update and delete, as a changelog keyed by the PRIMARY KEY. Its position is the WAL position (LSN), recorded at every checkpoint.",
  options: [
    option('url', nonEmptyStringType, "The server and database: 'postgres://[user[:password]@]host[:port]/database' (or 'jdbc:postgresql://…').", { required: true }),
    option('username', nonEmptyStringType, "User name; default: the url's, else PGUSER, else USER, else 'postgres'."),
    option('password', nonEmptyStringType, "Password; default: the url's, else PGPASSWORD. Never printed.", { secret: true }),
    option('table-name', nonEmptyStringType, "The table, 'schema.table' ('table' alone: in schema public).", { required: true }),
    option('slot.name', nonEmptyStringType, 'The logical replication slot the job reads (created at the first start; one slot per job).', { required: true }),
    option('publication.name', nonEmptyStringType, 'The publication of the table the slot streams (created when missing).', { defaultText: "'<slot.name>_publication'" }),
    option('scan.startup.mode', enumType(STARTUP_MODES), "'initial': a snapshot of the table, then its changes; 'latest-offset': only the changes after the job first starts.", {
      default: 'initial',
    }),
    option(
      'changelog-mode',
      enumType(CHANGELOG_MODES),
      "'upsert': works with any replica identity, keeps the last row per key in state to produce update-befores and full deletes; 'all': needs REPLICA IDENTITY FULL and uses the server's before-images, keeping nothing.",
      { default: 'upsert' },
    ),
    option('scan.snapshot.fetch.size', integerType(1), 'Rows fetched per round trip while reading the snapshot.', { default: 4096 }),
  ],
  // Positions are LSNs of one slot's stream of one table.
  identityOptions: ['table-name', 'slot.name'],
  changelog: { normalize: (options) => options['changelog-mode'] !== 'all' },
  notes: [
    'Needs `wal_level = logical` on the server (an error at start says how to set it), a PRIMARY KEY in the declaration ' +
      "that matches the table's, and a user with the REPLICATION attribute and SELECT on the table. At start the source checks " +
      'the table, its columns and key, and creates the publication when missing.',
    'Snapshot: at the first start the slot is created with an exported snapshot and the table is read in it, so the snapshot ' +
      'and the stream that follows meet exactly. A crash during the snapshot reads it again from the start, keeping the slot: ' +
      'rows already emitted come again as inserts and the slot replays every change since its start, which keyed consumers ' +
      '(the ChangelogNormalize, continuous aggregates, upsert sinks) turn into exactly the right result; an append-only ' +
      'consumer of the raw changelog would see those rows twice.',
    "Exactly once: the position (the LSN) is recorded at every checkpoint, and the slot's confirmed position advances only " +
      'when a checkpoint completes, so a restored job reads on right after its checkpoint, each change once. The slot keeps ' +
      "the server's WAL from its confirmed position on: a job that is stopped for long, or a slot left behind, fills the " +
      "server's disk. `sluice connector cleanup job.pipe` drops the job's slots and publications.",
    "Changelog: inserts are +I, updates +U (with -U before them) and deletes -D. With 'changelog-mode' = 'upsert' (the " +
      "default) PostgreSQL logs no before-image for updates and only the key for deletes, so a ChangelogNormalize step after " +
      'the source (uid `<source uid>-normalize`) keeps the last row of every key in keyed state — state as large as the table — ' +
      "and produces the -U rows and full -D rows; with 'all' the table must have REPLICA IDENTITY FULL (more WAL per update " +
      'and delete) and no state is kept. A change of a primary key is a -D of the old row and a +I of the new. TRUNCATE is ' +
      'not captured (warned about).',
    'One split: the slot is read by subtask 0; at a higher parallelism the other subtasks idle. A slot in use by another ' +
      'connection (another job) fails the start after 10 seconds with SLC9204; a slot dropped while a checkpoint refers to it ' +
      'fails a restore with SLC9205.',
  ],
  check: (context) => checkOptions(context),
};

function checkOptions(context: ConnectorContext): void {
  const { options, bag } = context;
  const url = context.entry('url');
  if (url !== undefined && options['url'] !== undefined) {
    const parsed = parsePostgresUrl(options['url']);
    if (!parsed.ok) bag.report(Diagnostics.PostgresUrlInvalid, url.value.span, { problem: parsed.problem });
  }
  const table = context.entry('table-name');
  if (table !== undefined && options['table-name'] !== undefined && splitTableName(options['table-name']) === undefined) {
    bag.report(Diagnostics.PostgresCdcTableName, table.value.span, { value: options['table-name'] });
  }
  for (const [key, what] of [
    ['slot.name', 'replication slot'],
    ['publication.name', 'publication'],
  ] as const) {
    const entry = context.entry(key);
    const value = options[key];
    if (entry !== undefined && value !== undefined && !POSTGRES_NAME.test(value)) bag.report(Diagnostics.PostgresCdcSlotName, entry.value.span, { key, value, what });
  }
  warnUnlessOptionIs(context, 'scan.snapshot.fetch.size', 'scan.startup.mode', 'initial');
}

import type { Client } from 'pg';
import { Diagnostics } from '../../compiler/diagnostics/catalogue.js';
import type { Field, SqlType } from '../../compiler/types/sql-type.js';
import { typeToString } from '../../compiler/types/sql-type.js';
import { DiagnosticError } from '../../runtime/diagnostic-error.js';
import type { CdcSettings } from './cdc-settings.js';

/**
 * What the postgres-cdc source checks and sets up before it reads anything, each failure a clear error naming the
 * table or slot and what to do: wal_level = logical (SLC9200), the table (SLC9201), its columns and primary key
 * against the declaration (SLC9206, SLC9202), the replica identity 'changelog-mode' = 'all' needs (SLC9207), the
 * REPLICATION privilege (SLC9203) and the publication, created when missing (SLC9209).
 */
export async function checkAndPrepare(client: Client, settings: CdcSettings): Promise<void> {
  const { role, shownUrl: url, table } = settings;
  const level = (await client.query<{ wal_level: string }>('SHOW wal_level')).rows[0]!.wal_level;
  if (level !== 'logical') throw new DiagnosticError(Diagnostics.PostgresCdcWalLevel, { role, url, level });

  const found = await client.query<{ oid: number; relreplident: string }>(
    `SELECT c.oid, c.relreplident FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p')`,
    [settings.schema, settings.tableName],
  );
  if (found.rows.length === 0) throw new DiagnosticError(Diagnostics.PostgresCdcTableMissing, { role, url, table });
  const { oid, relreplident } = found.rows[0]!;
  await checkColumns(client, settings, oid);

  const identity = REPLICA_IDENTITY[relreplident] ?? relreplident;
  const key = (
    await client.query<{ attname: string }>(
      `SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
       WHERE i.indrelid = $1 AND i.indisprimary ORDER BY array_position(i.indkey, a.attnum)`,
      [oid],
    )
  ).rows.map((r) => r.attname);
  const declared = settings.primaryKey.join(', ');
  if (identity !== 'FULL' && key.length === 0) {
    throw new DiagnosticError(Diagnostics.PostgresCdcNoPrimaryKey, {
      role,
      url,
      table,
      problem: `has no primary key, so PostgreSQL logs no key for its updates and deletes (REPLICA IDENTITY ${identity})`,
      fix: `add one (ALTER TABLE ${table} ADD PRIMARY KEY (${declared})), or run ALTER TABLE ${table} REPLICA IDENTITY FULL`,
    });
  }
  if (key.length > 0 && [...key].sort().join(',') !== [...settings.primaryKey].sort().join(',')) {
    throw new DiagnosticError(Diagnostics.PostgresCdcNoPrimaryKey, {
      role,
      url,
      table,
      problem: `has the primary key (${key.join(', ')}), but the source declares PRIMARY KEY (${declared})`,
      fix: `declare PRIMARY KEY (${key.join(', ')}) NOT ENFORCED: changes are matched to rows by the table's key`,
    });
  }
  if (settings.changelogMode === 'all' && identity !== 'FULL') {
    throw new DiagnosticError(Diagnostics.PostgresCdcReplicaIdentity, { role, table, identity });
  }

  const privileged = await client.query<{ allowed: boolean }>('SELECT rolreplication OR rolsuper AS allowed FROM pg_roles WHERE rolname = current_user');
  if (privileged.rows[0]?.allowed !== true) {
    throw new DiagnosticError(Diagnostics.PostgresCdcReplicationDenied, {
      role,
      url,
      user: settings.connection.user,
      action: 'read a replication slot',
      reason: 'the role has no REPLICATION attribute',
      fix: `run ALTER ROLE ${settings.connection.user} REPLICATION as a superuser (it also needs SELECT on ${table})`,
    });
  }
  await ensurePublication(client, settings);
}

const REPLICA_IDENTITY: Readonly<Record<string, string>> = { d: 'DEFAULT', f: 'FULL', n: 'NOTHING', i: 'USING INDEX' };

/** PostgreSQL type names each Sluice type reads (STRING reads any column as its text). */
const READABLE: Readonly<Record<SqlType['name'], readonly string[] | 'any'>> = {
  BOOLEAN: ['bool'],
  INT: ['int2', 'int4'],
  BIGINT: ['int2', 'int4', 'int8'],
  DOUBLE: ['int2', 'int4', 'int8', 'float4', 'float8', 'numeric'],
  DECIMAL: ['int2', 'int4', 'int8', 'numeric'],
  STRING: 'any',
  TIMESTAMP: ['timestamp', 'timestamptz'],
  INTERVAL: [],
  NULL: 'any',
};

async function checkColumns(client: Client, settings: CdcSettings, oid: number): Promise<void> {
  const columns = await client.query<{ attname: string; typname: string; shown: string }>(
    `SELECT a.attname, t.typname, format_type(a.atttypid, a.atttypmod) AS shown FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
     WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped`,
    [oid],
  );
  const byName = new Map(columns.rows.map((c) => [c.attname, c]));
  const problems: string[] = [];
  for (const field of settings.fields) {
    const column = byName.get(field.name);
    if (column === undefined) {
      problems.push(`it has no column '${field.name}' (its columns: ${columns.rows.map((c) => c.attname).join(', ')})`);
      continue;
    }
    const readable = READABLE[field.type.name];
    if (readable !== 'any' && !readable.includes(column.typname)) problems.push(describeMismatch(field, column.shown));
  }
  if (problems.length > 0) {
    throw new DiagnosticError(Diagnostics.PostgresCdcColumnMismatch, { role: settings.role, url: settings.shownUrl, table: settings.table, problem: problems.join('; ') });
  }
}

function describeMismatch(field: Field, shown: string): string {
  return `column '${field.name}' is ${shown}, which the source's ${typeToString(field.type)} cannot hold`;
}

/** Creates the publication for the table when missing; one that exists must publish the table. */
async function ensurePublication(client: Client, settings: CdcSettings): Promise<void> {
  const { role, shownUrl: url, table, publication } = settings;
  const existing = await client.query<{ puballtables: boolean }>('SELECT puballtables FROM pg_publication WHERE pubname = $1', [publication]);
  if (existing.rows.length > 0) {
    if (existing.rows[0]!.puballtables) return;
    const published = await client.query('SELECT 1 FROM pg_publication_tables WHERE pubname = $1 AND schemaname = $2 AND tablename = $3', [
      publication,
      settings.schema,
      settings.tableName,
    ]);
    if (published.rows.length === 0) throw new DiagnosticError(Diagnostics.PostgresCdcPublication, { role, url, publication, table });
    return;
  }
  try {
    await client.query(`CREATE PUBLICATION ${quoteIdent(publication)} FOR TABLE ${settings.quotedTable}`);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    // Two jobs starting at once: the other one created it.
    if (code === '42710') return;
    if (code !== '42501') throw error;
    throw new DiagnosticError(Diagnostics.PostgresCdcReplicationDenied, {
      role,
      url,
      user: settings.connection.user,
      action: `create the publication '${publication}'`,
      reason: (error as Error).message,
      fix: `have the table's owner run CREATE PUBLICATION ${publication} FOR TABLE ${table}, or connect as the owner`,
    });
  }
}

/** `name` as a PostgreSQL identifier, quoted. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

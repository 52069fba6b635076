import { Diagnostics } from '../../compiler/diagnostics/catalogue.js';
import type { Field } from '../../compiler/types/sql-type.js';
import { typeToString } from '../../compiler/types/sql-type.js';
import type { ConnectorOpening } from '../../runtime/connectors/connector-runtime.js';
import { DiagnosticError } from '../../runtime/diagnostic-error.js';
import { postgresTypeAccepts, postgresTypeOf } from './column-types.js';
import { commitTableOf, createCommitTableSql } from './commit-table.js';
import { connectPostgres, postgresSettings, queryFailure, type PostgresConnection, type PostgresSettings } from './connection.js';
import { parseTableName, quoteIdentifier, type TableName } from './table-name.js';

/**
 * At job start, before any task is built or row read: the sink's table exists (or is created with
 * 'sink.create-table'), has a column of the same name and type for each sink column, no other column the inserts
 * would leave NULL against a NOT NULL, a unique key on the sink's primary key for upserts, and the user may write
 * it; an exactly-once sink's commit table is created when missing (here, once, rather than by racing subtasks).
 */
export async function prepareSinkTable(opening: ConnectorOpening): Promise<void> {
  const { options, uid } = opening;
  const settings = postgresSettings(options);
  const table = parseTableName(options.string('table-name'));
  const role = `postgres sink '${uid}'`;
  const fields = opening.schema.fields;
  const connection = await connectPostgres(settings, role);
  const where = { role, table: table.shown, columns: fields.map(describeColumn).join(', ') };
  let action = 'reading the columns of';
  try {
    let oid = await tableOid(connection, table);
    if (oid === null && options.boolean('sink.create-table', false)) {
      action = 'CREATE TABLE';
      await connection.client.query(createTableSql(table, fields, opening.primaryKey));
      oid = await tableOid(connection, table);
    }
    if (oid === null) throw new DiagnosticError(Diagnostics.PostgresTableMissing, { ...where, url: settings.shownUrl });
    await checkColumns(connection, settings, role, table, oid, fields);
    if (opening.schema.changelog === 'upsert' && opening.primaryKey !== undefined) await checkKey(connection, settings, role, table, oid, opening.primaryKey);
    action = 'INSERT';
    await checkPrivileges(connection, settings, role, table, oid, opening.schema.changelog === 'upsert');
    if (options.string('sink.semantic', 'exactly-once') === 'exactly-once') {
      const commitTable = commitTableOf(table);
      action = `CREATE TABLE ${commitTable.shown}`;
      await connection.client.query(createCommitTableSql(commitTable)).catch(unlessCreatedMeanwhile);
    }
  } catch (error) {
    throw queryFailure(error, connection, settings, { ...where, action }, (reason) =>
      new DiagnosticError(Diagnostics.PostgresWriteFailed, { role, table: table.shown, url: settings.shownUrl, reason }),
    );
  } finally {
    await connection.close();
  }
}

/**
 * Two jobs starting at once may both find the commit table missing; CREATE TABLE IF NOT EXISTS then fails in the
 * second with a unique violation on the catalogue (or 'already exists'): the table is there, which is all it needs.
 */
function unlessCreatedMeanwhile(error: unknown): void {
  const code = (error as { code?: unknown }).code;
  if (code !== '23505' && code !== '42P07') throw error;
}

function describeColumn(field: Field): string {
  return `${quoteIdentifier(field.name)} ${postgresTypeOf(field.type) ?? typeToString(field.type)}`;
}

export function createTableSql(table: TableName, fields: readonly Field[], primaryKey: readonly string[] | undefined): string {
  const columns = fields.map((f) => `${describeColumn(f)}${f.nullable ? '' : ' NOT NULL'}`);
  if (primaryKey !== undefined) columns.push(`PRIMARY KEY (${primaryKey.map(quoteIdentifier).join(', ')})`);
  return `CREATE TABLE IF NOT EXISTS ${table.sql} (${columns.join(', ')})`;
}

async function tableOid(connection: PostgresConnection, table: TableName): Promise<number | null> {
  const { rows } = await connection.client.query<{ oid: number | null }>(`SELECT to_regclass($1)::oid AS oid`, [table.sql]);
  return rows[0]?.oid ?? null;
}

interface TableColumn {
  readonly name: string;
  readonly type: string;
  readonly notNull: boolean;
  readonly hasDefault: boolean;
}

async function checkColumns(connection: PostgresConnection, settings: PostgresSettings, role: string, table: TableName, oid: number, fields: readonly Field[]): Promise<void> {
  const { rows } = await connection.client.query<TableColumn>(
    `SELECT attname AS name, format_type(atttypid, atttypmod) AS type, attnotnull AS "notNull", atthasdef OR attidentity <> '' OR attgenerated <> '' AS "hasDefault"
       FROM pg_attribute WHERE attrelid = $1 AND attnum > 0 AND NOT attisdropped ORDER BY attnum`,
    [oid],
  );
  const byName = new Map(rows.map((c) => [c.name, c]));
  const problems: string[] = [];
  for (const field of fields) {
    const column = byName.get(field.name);
    const expected = postgresTypeOf(field.type) ?? typeToString(field.type);
    if (column === undefined) problems.push(`column '${field.name}' (${typeToString(field.type)}) is missing, add it as ${expected}`);
    else if (!postgresTypeAccepts(column.type, field.type)) problems.push(`column '${field.name}' is ${column.type} in the table but ${typeToString(field.type)} in the sink, which needs ${expected}`);
  }
  const written = new Set(fields.map((f) => f.name));
  for (const column of rows) {
    if (!written.has(column.name) && column.notNull && !column.hasDefault) problems.push(`column '${column.name}' is NOT NULL without a default, and the sink does not write it`);
  }
  if (problems.length > 0) throw new DiagnosticError(Diagnostics.PostgresColumnMismatch, { role, table: table.shown, url: settings.shownUrl, problems: problems.join('; ') });
}

async function checkKey(connection: PostgresConnection, settings: PostgresSettings, role: string, table: TableName, oid: number, key: readonly string[]): Promise<void> {
  const { rows } = await connection.client.query<{ columns: string[] }>(
    `SELECT array(SELECT attname::text FROM pg_attribute WHERE attrelid = i.indrelid AND attnum = ANY(i.indkey) ORDER BY attname) AS columns
       FROM pg_index i WHERE i.indrelid = $1 AND i.indisunique AND i.indpred IS NULL AND i.indexprs IS NULL`,
    [oid],
  );
  const wanted = [...key].sort().join(',');
  if (!rows.some((r) => [...r.columns].sort().join(',') === wanted)) {
    throw new DiagnosticError(Diagnostics.PostgresKeyMismatch, { role, table: table.shown, url: settings.shownUrl, key: key.map(quoteIdentifier).join(', ') });
  }
}

async function checkPrivileges(connection: PostgresConnection, settings: PostgresSettings, role: string, table: TableName, oid: number, updating: boolean): Promise<void> {
  const needed = updating ? ['INSERT', 'UPDATE', 'DELETE'] : ['INSERT'];
  const { rows } = await connection.client.query<{ privilege: string; granted: boolean }>(
    `SELECT p AS privilege, has_table_privilege($1::oid, p) AS granted FROM unnest($2::text[]) AS p`,
    [oid, needed],
  );
  const missing = rows.filter((r) => !r.granted).map((r) => r.privilege);
  if (missing.length > 0) {
    throw new DiagnosticError(Diagnostics.PostgresPermissionDenied, {
      role,
      url: settings.shownUrl,
      table: table.shown,
      action: missing.join(', '),
      reason: `the user '${settings.user}' lacks the privilege`,
    });
  }
}

import type { Client, ClientConfig } from 'pg';
import { Diagnostics } from '../../compiler/diagnostics/catalogue.js';
import { DiagnosticError } from '../../runtime/diagnostic-error.js';
import type { ConnectorOptions } from '../../runtime/connectors/options.js';
import { REDACTED } from '../secrets.js';
import { parsePostgresUrl, shownAddress, type PostgresAddress } from './url.js';

/**
 * Connecting to PostgreSQL, shared by the postgres sink and the postgres-cdc source. The driver (`pg`) is imported
 * here only, lazily, so that compiling a job never loads it.
 *
 * User: the 'username' option, else the URL's, else PGUSER, else USER, else 'postgres' (libpq's order, with
 * libpq's last resort replaced by the conventional superuser name). Password: the 'password' option, else the
 * URL's, else PGPASSWORD. Neither a password nor a URL holding one is ever put in a message: messages show
 * `postgres://user@host:port/database` (shownUrl).
 *
 * A connection lost mid-run fails the task (SLC9191) rather than reconnecting: the restart strategy restores the
 * last checkpoint, which is what keeps exactly-once positions and commits right.
 */
export interface PostgresSettings {
  readonly address: PostgresAddress;
  readonly user: string;
  readonly password: string | undefined;
  /** The URL for messages: `postgres://user@host:port/database`, never a password. */
  readonly shownUrl: string;
  readonly connectTimeoutMs: number;
}

export const CONNECT_TIMEOUT_MS = 10_000;

export function postgresSettings(options: ConnectorOptions, env: NodeJS.ProcessEnv = process.env): PostgresSettings {
  const parsed = parsePostgresUrl(options.string('url'));
  // The compiler refused such URLs (SLC4050): this is a hand-built graph.
  if (!parsed.ok) throw new Error(`postgres connector: option 'url' is not a PostgreSQL URL: ${parsed.problem}`);
  const { address } = parsed;
  const nonEmpty = (value: string | undefined): string | undefined => (value === undefined || value === '' ? undefined : value);
  const user = (options.has('username') ? options.string('username') : undefined) ?? address.user ?? nonEmpty(env['PGUSER']) ?? nonEmpty(env['USER']) ?? 'postgres';
  const password = (options.has('password') ? options.string('password') : undefined) ?? address.password ?? nonEmpty(env['PGPASSWORD']);
  return { address, user, password, shownUrl: shownAddress(address, user), connectTimeoutMs: CONNECT_TIMEOUT_MS };
}

/**
 * What `pg` (or pg-logical-replication, which takes the same) needs to connect, with values parsed as Sluice holds
 * them (sluiceTypeParser). Loads the driver.
 */
export async function clientConfig(settings: PostgresSettings, applicationName: string): Promise<ClientConfig> {
  const { types } = await import('pg');
  const { address } = settings;
  const getTypeParser = (oid: number, format?: 'text' | 'binary'): unknown => sluiceTypeParser(oid) ?? types.getTypeParser(oid, format);
  return {
    host: address.host,
    port: address.port,
    database: address.database,
    user: settings.user,
    ...(settings.password === undefined ? {} : { password: settings.password }),
    ...(address.sslmode === 'require' ? { ssl: { rejectUnauthorized: false } } : address.sslmode.startsWith('verify') ? { ssl: true } : {}),
    connectionTimeoutMillis: settings.connectTimeoutMs,
    application_name: applicationName.slice(0, 63),
    types: { getTypeParser: getTypeParser as NonNullable<ClientConfig['types']>['getTypeParser'] },
  };
}

/** PostgreSQL type oids whose text Sluice reads differently from pg's defaults. */
const OID = { int8: 20, numeric: 1700, timestamp: 1114, timestamptz: 1184 } as const;

/**
 * Values as Sluice represents them: bigint and numeric as numbers (Sluice's BIGINT and DECIMAL are JavaScript
 * numbers), timestamps as epoch milliseconds — `timestamp` (without time zone) read as UTC, the way Sluice writes
 * TIMESTAMP(3), not in the process's local time zone. Undefined: pg's own parser (text format).
 */
function sluiceTypeParser(oid: number): ((text: string) => unknown) | undefined {
  switch (oid) {
    case OID.int8:
    case OID.numeric:
      return Number;
    case OID.timestamp:
      return (text) => Date.parse(`${text.replace(' ', 'T')}Z`);
    case OID.timestamptz:
      return (text) => Date.parse(text.replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00'));
    default:
      return undefined;
  }
}

export interface PostgresConnection {
  readonly client: Client;
  /** Set once the connection broke: why, for the next query to throw. */
  lost(): DiagnosticError | undefined;
  close(): Promise<void>;
}

/**
 * Connects as `role` (e.g. "postgres sink 'totals-out'"), with SLC9190 naming the URL (no password) when the
 * server does not answer or refuses the login.
 */
export async function connectPostgres(settings: PostgresSettings, role: string): Promise<PostgresConnection> {
  const { Client } = await import('pg');
  const client = new Client(await clientConfig(settings, `sluice ${role}`));
  let lostWith: DiagnosticError | undefined;
  // Without a listener a broken connection's 'error' event would end the process.
  client.on('error', (error) => {
    lostWith ??= new DiagnosticError(Diagnostics.PostgresConnectionLost, { role, url: settings.shownUrl, reason: hidePassword(error.message, settings) });
  });
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    throw new DiagnosticError(Diagnostics.PostgresUnreachable, { role, url: settings.shownUrl, reason: reasonOf(error, settings) });
  }
  return {
    client,
    lost: () => lostWith,
    close: async () => {
      await client.end().catch(() => undefined);
    },
  };
}

/** SQLSTATE classes and codes the connectors tell apart. */
const SQLSTATE = {
  undefinedTable: '42P01',
  insufficientPrivilege: '42501',
  connectionClass: '08',
  operatorIntervention: '57',
} as const;

/**
 * A failed query as the error a user should see: permission denied (SLC9194), a missing table (SLC9192), a
 * connection lost (SLC9191), anything else as `otherwise`'s error. `action` says what was attempted ("INSERT",
 * "reading the columns of").
 */
export function queryFailure(
  error: unknown,
  connection: PostgresConnection,
  settings: PostgresSettings,
  where: { readonly role: string; readonly table: string; readonly action: string; readonly columns?: string },
  otherwise: (reason: string) => DiagnosticError,
): DiagnosticError {
  if (error instanceof DiagnosticError) return error;
  const lost = connection.lost();
  if (lost !== undefined) return lost;
  const code = (error as { code?: unknown }).code;
  const reason = reasonOf(error, settings);
  const { role, table, action } = where;
  const url = settings.shownUrl;
  if (code === SQLSTATE.insufficientPrivilege) return new DiagnosticError(Diagnostics.PostgresPermissionDenied, { role, url, table, action, reason });
  if (code === SQLSTATE.undefinedTable) return new DiagnosticError(Diagnostics.PostgresTableMissing, { role, url, table, columns: where.columns ?? '(see the declaration)' });
  // The server's errors (pg's DatabaseError) carry a severity and a SQLSTATE; socket errors a Node code (EPIPE).
  const sqlstate = typeof code === 'string' && (error as { severity?: unknown }).severity !== undefined ? code : undefined;
  const serverWentAway = sqlstate !== undefined && (sqlstate.startsWith(SQLSTATE.connectionClass) || sqlstate.startsWith(SQLSTATE.operatorIntervention));
  const socketBroke = sqlstate === undefined && (typeof code === 'string' || /connection|terminated|not queryable|socket/i.test(reason));
  if (serverWentAway || socketBroke) {
    // The server went away (57P01 admin shutdown, 08xxx) or the socket broke (ECONNRESET, "Connection terminated
    // unexpectedly", a client no longer queryable).
    return new DiagnosticError(Diagnostics.PostgresConnectionLost, { role, url, reason });
  }
  return otherwise(reason);
}

function reasonOf(error: unknown, settings: PostgresSettings): string {
  const e = error as { message?: unknown; code?: unknown; errors?: unknown };
  // Node's AggregateError (every address of 'localhost' refused) has an empty message; its parts say why.
  const parts = Array.isArray(e.errors) && e.errors.length > 0 ? e.errors.map((p) => String((p as Error).message)) : [];
  const message = parts.length > 0 ? [...new Set(parts)].join('; ') : typeof e.message === 'string' && e.message !== '' ? e.message : String(error);
  return hidePassword(message, settings);
}

/** Driver messages may echo what they were given. */
function hidePassword(text: string, settings: PostgresSettings): string {
  return settings.password === undefined || settings.password === '' ? text : text.split(settings.password).join(REDACTED);
}

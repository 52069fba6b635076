/**
 * The `url` option of the postgres connectors, parsed without any driver (the compiler checks it, the runtime
 * connects with it). Accepted: `postgres://` and `postgresql://` (libpq's URI form) and Flink's JDBC spelling
 * `jdbc:postgresql://`, with user and password either before the host or as query parameters (JDBC's way).
 */
export interface PostgresAddress {
  readonly host: string;
  readonly port: number;
  readonly database: string;
  /** From the URL; the runtime falls back to the options, then PGUSER/USER, then 'postgres' (connection.ts). */
  readonly user: string | undefined;
  readonly password: string | undefined;
  /** libpq's sslmode; 'disable', 'allow' and 'prefer' connect without TLS (the driver cannot negotiate). */
  readonly sslmode: SslMode;
  /** Whether it was written in the JDBC spelling. */
  readonly jdbc: boolean;
}

const SSL_MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'] as const;
export type SslMode = (typeof SSL_MODES)[number];

const QUERY_PARAMETERS = new Set(['user', 'password', 'sslmode']);
export const DEFAULT_PORT = 5432;

export type ParsedPostgresUrl = { readonly ok: true; readonly address: PostgresAddress } | { readonly ok: false; readonly problem: string };

export function parsePostgresUrl(text: string): ParsedPostgresUrl {
  const jdbc = /^jdbc:/i.test(text);
  const rest = jdbc ? text.slice('jdbc:'.length) : text;
  if (!/^postgres(ql)?:\/\//i.test(rest)) return { ok: false, problem: "it does not start with 'postgres://', 'postgresql://' or 'jdbc:postgresql://'" };
  let url: URL;
  try {
    url = new URL(rest);
  } catch {
    return { ok: false, problem: 'it cannot be parsed as a URL' };
  }
  if (url.hostname === '') return { ok: false, problem: 'it names no host' };
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (database === '' || database.includes('/')) return { ok: false, problem: 'it names no database (the path after the host, e.g. /test)' };
  for (const key of url.searchParams.keys()) {
    if (!QUERY_PARAMETERS.has(key)) return { ok: false, problem: `the query parameter '${key}' is not understood` };
  }
  const sslmode = url.searchParams.get('sslmode') ?? 'prefer';
  if (!(SSL_MODES as readonly string[]).includes(sslmode)) return { ok: false, problem: `sslmode '${sslmode}' is not one of ${SSL_MODES.join(', ')}` };
  const port = url.port === '' ? DEFAULT_PORT : Number(url.port);
  const user = url.username !== '' ? decodeURIComponent(url.username) : (url.searchParams.get('user') ?? undefined);
  const password = url.password !== '' ? decodeURIComponent(url.password) : (url.searchParams.get('password') ?? undefined);
  return {
    ok: true,
    address: { host: url.hostname.replace(/^\[(.*)\]$/, '$1'), port, database, user, password, sslmode: sslmode as SslMode, jdbc },
  };
}

/** The address as messages show it: never a password. */
export function shownAddress(address: Pick<PostgresAddress, 'host' | 'port' | 'database'>, user: string | undefined): string {
  const host = address.host.includes(':') ? `[${address.host}]` : address.host;
  return `postgres://${user === undefined ? '' : `${encodeURIComponent(user)}@`}${host}:${address.port}/${encodeURIComponent(address.database)}`;
}

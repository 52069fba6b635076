import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectPostgres, postgresSettings } from '../../connectors/postgres/connection.js';
import { parsePostgresUrl } from '../../connectors/postgres/url.js';
import { LOCAL_POSTGRES, postgresUnavailableReason, testClient, uniqueTableName } from '../../connectors/postgres/test-helpers.js';
import { REDACTED, redactUrlPasswords } from '../../connectors/secrets.js';
import { ConnectorOptions } from '../../runtime/connectors/options.js';
import { DiagnosticError } from '../../runtime/diagnostic-error.js';

/** The postgres connectors' shared connection module: URL forms, default user, hidden passwords, clear errors. */
let skipReason: string | undefined;
beforeAll(async () => {
  skipReason = await postgresUnavailableReason();
  if (skipReason !== undefined) console.warn(`skipping the postgres connection tests that need a server: ${skipReason}`);
});

const settingsOf = (options: Record<string, string>, env: NodeJS.ProcessEnv = {}) => postgresSettings(new ConnectorOptions('postgres', options), env);

describe('postgres url', () => {
  it('reads the libpq and the JDBC spellings alike', () => {
    expect(parsePostgresUrl('postgres://app:s%40cret@db.example:6543/shop?sslmode=require')).toEqual({
      ok: true,
      address: { host: 'db.example', port: 6543, database: 'shop', user: 'app', password: 's@cret', sslmode: 'require', jdbc: false },
    });
    expect(parsePostgresUrl('jdbc:postgresql://127.0.0.1/test?user=app&password=x')).toEqual({
      ok: true,
      address: { host: '127.0.0.1', port: 5432, database: 'test', user: 'app', password: 'x', sslmode: 'prefer', jdbc: true },
    });
    expect(parsePostgresUrl('postgresql://[::1]:5433/test')).toMatchObject({ ok: true, address: { host: '::1', port: 5433 } });
  });

  it('says what is wrong with a URL it cannot use', () => {
    expect(parsePostgresUrl('mysql://h/db')).toMatchObject({ ok: false, problem: expect.stringContaining("does not start with 'postgres://'") });
    expect(parsePostgresUrl('postgres://h')).toMatchObject({ ok: false, problem: expect.stringContaining('no database') });
    expect(parsePostgresUrl('postgres:///test')).toMatchObject({ ok: false, problem: 'it names no host' });
    expect(parsePostgresUrl('postgres://h/db?ssl=true')).toMatchObject({ ok: false, problem: "the query parameter 'ssl' is not understood" });
  });

  it('takes the user from the options, the URL, PGUSER, USER, else postgres; never shows a password', () => {
    expect(settingsOf({ url: 'postgres://h/db' }).user).toBe('postgres');
    expect(settingsOf({ url: 'postgres://h/db' }, { USER: 'me' }).user).toBe('me');
    expect(settingsOf({ url: 'postgres://h/db' }, { USER: 'me', PGUSER: 'pgme' }).user).toBe('pgme');
    expect(settingsOf({ url: 'postgres://app@h/db' }, { PGUSER: 'pgme' }).user).toBe('app');
    const given = settingsOf({ url: 'postgres://app:s3cr3t@h/db', username: 'owner', password: 'other' }, { PGPASSWORD: 'env' });
    expect(given).toMatchObject({ user: 'owner', password: 'other', shownUrl: 'postgres://owner@h:5432/db' });
    expect(settingsOf({ url: 'postgres://h/db' }, { PGPASSWORD: 'env' }).password).toBe('env');
    expect(redactUrlPasswords('jdbc:postgresql://h/db?user=u&password=s3cr3t&sslmode=require')).toBe(`jdbc:postgresql://h/db?user=u&password=${REDACTED}&sslmode=require`);
    expect(redactUrlPasswords('jdbc:postgresql://h/db?password=s3cr3t')).toBe(`jdbc:postgresql://h/db?password=${REDACTED}`);
  });
});

describe('postgres connection', () => {
  it('a server that does not answer is SLC9190 naming the URL without its password', async () => {
    // Port 1 on the loopback: nothing listens there.
    const settings = settingsOf({ url: 'postgres://app:s3cr3t@127.0.0.1:1/test' });
    const error = await connectPostgres(settings, "postgres sink 'out'").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DiagnosticError);
    expect((error as DiagnosticError).code).toBe('SLC9190');
    expect((error as Error).message).toContain("postgres sink 'out': cannot connect to PostgreSQL at postgres://app@127.0.0.1:1/test: connect ECONNREFUSED");
    expect((error as Error).message).not.toContain('s3cr3t');
  });

  it('a database that does not exist is SLC9190 with the server\'s reason', async (context) => {
    if (skipReason !== undefined) return context.skip();
    const error = await connectPostgres(settingsOf({ url: 'postgres://127.0.0.1:5432/no_such_db_sluice' }), 'postgres-cdc source \'o\'').catch((e: unknown) => e);
    expect((error as DiagnosticError).code).toBe('SLC9190');
    expect((error as Error).message).toContain('database "no_such_db_sluice" does not exist');
  });

  it("reads values as Sluice holds them: bigint and numeric as numbers, timestamp as UTC epoch milliseconds", async (context) => {
    if (skipReason !== undefined) return context.skip();
    const table = uniqueTableName('conn_types');
    const admin = await testClient();
    const connection = await connectPostgres(settingsOf({ url: LOCAL_POSTGRES }), 'test');
    try {
      await admin.query(`CREATE TABLE ${table} (b bigint, n numeric(10, 2), t timestamp(3), tz timestamptz, f boolean, s text)`);
      await admin.query(`INSERT INTO ${table} VALUES (9007199254740991, 12.34, '2015-07-15 10:20:30.456', '2015-07-15 10:20:30.456+02', true, 'x')`);
      const { rows } = await connection.client.query(`SELECT * FROM ${table}`);
      expect(rows).toEqual([{ b: 9007199254740991, n: 12.34, t: Date.UTC(2015, 6, 15, 10, 20, 30, 456), tz: Date.UTC(2015, 6, 15, 8, 20, 30, 456), f: true, s: 'x' }]);
    } finally {
      await admin.query(`DROP TABLE IF EXISTS ${table}`);
      await admin.end();
      await connection.close();
    }
  });

  it('a connection the server ends mid-run is SLC9191, not a crash of the process', async (context) => {
    if (skipReason !== undefined) return context.skip();
    const admin = await testClient();
    const connection = await connectPostgres(settingsOf({ url: LOCAL_POSTGRES }), "postgres sink 'out'");
    try {
      const { rows } = await connection.client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      await admin.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid]);
      await expect.poll(() => connection.lost()?.code, { timeout: 5000 }).toBe('SLC9191');
      expect(connection.lost()!.message).toContain("postgres sink 'out': the connection to PostgreSQL at postgres://postgres@127.0.0.1:5432/test was lost");
    } finally {
      await admin.end();
      await connection.close();
    }
  });
});

import { randomUUID } from 'node:crypto';
import type { Client } from 'pg';

/**
 * For the tests of the postgres connectors: whether the local server answers (the one `.ci/run` starts:
 * 127.0.0.1:5432, database `test`, trust authentication), a client for the test's own checks, and unique table
 * names that the test drops.
 */
export const LOCAL_POSTGRES = 'postgres://postgres@127.0.0.1:5432/test';

/** Undefined when the local server accepts a connection to `test`, else why not (for the skip message). */
export async function postgresUnavailableReason(url = LOCAL_POSTGRES): Promise<string | undefined> {
  const { Client } = await import('pg');
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (error) {
    const message = (error as Error).message || String((error as { errors?: unknown[] }).errors?.[0] ?? error);
    return `no PostgreSQL to use at ${url} (${message}); start it with .ci/run's pg_ctlcluster line`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export function uniqueTableName(prefix: string): string {
  return `${prefix}_${randomUUID().slice(0, 8)}`.toLowerCase().replace(/-/g, '_');
}

/** A plain client on the local server, numbers and timestamps as pg parses them by default. */
export async function testClient(url = LOCAL_POSTGRES): Promise<Client> {
  const { Client } = await import('pg');
  const client = new Client({ connectionString: url });
  await client.connect();
  return client;
}

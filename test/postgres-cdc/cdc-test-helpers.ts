import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Client } from 'pg';
import { afterAll, beforeAll } from 'vitest';
import type { StreamSchema } from '../../compiler/graph/job-graph.js';
import { BIGINT, BOOLEAN, STRING, TIMESTAMP3, type Field } from '../../compiler/types/sql-type.js';
import { runtime } from '../../connectors/postgres-cdc/runtime.js';
import { createPostgresCdcSource } from '../../connectors/postgres-cdc/source.js';
import { LOCAL_POSTGRES, postgresUnavailableReason, testClient } from '../../connectors/postgres/test-helpers.js';
import { ConnectorOptions } from '../../runtime/connectors/options.js';
import type { SourceConnector, SplitReader } from '../../runtime/connectors/source-connector.js';
import { ROW_KIND_SHORT } from '../../runtime/connectors/sink-connector.js';

/** The orders table of the postgres-cdc tests and the flagship example: id, customer, amount, paid, updated_at. */
export const ORDER_FIELDS: Field[] = [
  { name: 'id', type: BIGINT, nullable: false },
  { name: 'customer', type: STRING, nullable: true },
  { name: 'amount', type: { name: 'DECIMAL', precision: 10, scale: 2 }, nullable: true },
  { name: 'paid', type: BOOLEAN, nullable: true },
  { name: 'updated_at', type: TIMESTAMP3, nullable: true },
];
export const ORDER_SCHEMA: StreamSchema = { fields: ORDER_FIELDS, changelog: 'upsert', upsertKey: [0] };

export async function createOrdersTable(client: Client, table: string): Promise<void> {
  await client.query(`CREATE TABLE ${table} (id bigint PRIMARY KEY, customer text, amount numeric(10, 2), paid boolean, updated_at timestamp(3))`);
}

/** The source on `table` after the start-up checks a job runs (which create the publication). */
export function cdcOptions(table: string, slot: string, options: Record<string, string> = {}): ConnectorOptions {
  return new ConnectorOptions('postgres-cdc', { url: LOCAL_POSTGRES, 'table-name': `public.${table}`, 'slot.name': slot, ...options });
}

export async function cdcSource(table: string, slot: string, options: Record<string, string> = {}, schema = ORDER_SCHEMA): Promise<SourceConnector> {
  const connectorOptions = cdcOptions(table, slot, options);
  await runtime.prepare!({ role: 'source', jobId: 'test', uid: 'orders-cdc', options: connectorOptions, schema, parallelism: 1 });
  return createPostgresCdcSource(connectorOptions, schema, { parallelism: 1 });
}

/** Reads until `count` rows came (kinds as '+I' … per row), failing after `timeoutMs`. */
export async function readChanges(reader: SplitReader, count: number, maxRows = 1000, timeoutMs = 15_000): Promise<[string, unknown[]][]> {
  const out: [string, unknown[]][] = [];
  const deadline = Date.now() + timeoutMs;
  while (out.length < count) {
    if (Date.now() > deadline) throw new Error(`read ${out.length} of ${count} changes in ${timeoutMs} ms: ${JSON.stringify(out)}`);
    const result = await reader.read(Math.min(maxRows, count - out.length));
    result.rows.forEach((row, i) => out.push([ROW_KIND_SHORT[result.kinds?.[i] ?? 0]!, row]));
    if (result.status === 'idle') await new Promise((resolve) => setTimeout(resolve, result.retryAfterMs ?? 10));
  }
  return out;
}

/** Reads for `ms` and returns what came: for checking that nothing more comes. */
export async function readFor(reader: SplitReader, ms: number): Promise<[string, unknown[]][]> {
  const out: [string, unknown[]][] = [];
  const until = Date.now() + ms;
  while (Date.now() < until) {
    const result = await reader.read(1000);
    result.rows.forEach((row, i) => out.push([ROW_KIND_SHORT[result.kinds?.[i] ?? 0]!, row]));
    if (result.rows.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return out;
}

/** A CDC test file's connection to the local server, and what it drops when the file's tests are done. */
export class CdcTestServer {
  client!: Client;
  /** Why the file's tests skip: no server, or `wal_level` is not `logical`. */
  skipReason: string | undefined;
  readonly slots: string[] = [];
  readonly cleanup: (() => Promise<unknown>)[] = [];
}

/**
 * Connects before the file's tests when the local server can serve logical replication, else records why not and
 * says so (`tests` names them); afterwards drops the slots the tests listed and runs their clean-up steps.
 */
export function useCdcTestServer(tests: string): CdcTestServer {
  const server = new CdcTestServer();
  beforeAll(async () => {
    server.skipReason = await postgresUnavailableReason();
    if (server.skipReason === undefined) {
      server.client = await testClient();
      const level = (await server.client.query<{ wal_level: string }>('SHOW wal_level')).rows[0]!.wal_level;
      if (level !== 'logical') server.skipReason = `wal_level is '${level}', not 'logical' (.ci/run turns it on)`;
    }
    if (server.skipReason !== undefined) console.warn(`skipping ${tests}: ${server.skipReason}`);
  });
  afterAll(async () => {
    if (server.client === undefined) return;
    for (const slot of server.slots) await dropSlot(server.client, slot);
    for (const step of server.cleanup) await step();
    await server.client.end();
  });
  return server;
}

/** Drops a test's slot (a leftover slot keeps WAL forever), first ending a reader a failed test left open. */
export async function dropSlot(client: Client, slot: string): Promise<void> {
  await client.query('SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name = $1 AND active', [slot]);
  for (let attempt = 0; attempt < 50; attempt++) {
    const dropped = await client.query('SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1 AND NOT active', [slot]);
    const left = await client.query('SELECT 1 FROM pg_replication_slots WHERE slot_name = $1', [slot]);
    if (dropped.rowCount !== 0 || left.rowCount === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export async function confirmedFlush(client: Client, slot: string): Promise<string | undefined> {
  const result = await client.query<{ lsn: string }>('SELECT confirmed_flush_lsn::text AS lsn FROM pg_replication_slots WHERE slot_name = $1', [slot]);
  return result.rows[0]?.lsn;
}

const RUNNER = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'checkpoint', 'fixtures', 'run-pipe-process.ts');

/** Starts the job in a child process (checkpoint/fixtures/run-pipe-process.ts) with --resume. */
export function startChild(graphFile: string): { child: ChildProcess; started: Promise<unknown>; exited: Promise<number | null>; stderr: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', RUNNER, graphFile, '--resume'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  // Resolves with where the run's state came from (the job's restoreInfo).
  const started = new Promise<unknown>((resolve) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      const line = stdout.split('\n').find((l) => l.startsWith('{"event":"started"') && l.endsWith('}'));
      if (line !== undefined) resolve((JSON.parse(line) as { restore: unknown }).restore);
    });
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, started, exited, stderr: () => stderr };
}


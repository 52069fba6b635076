import type { ConnectorOpening, ConnectorRuntime } from '../../runtime/connectors/connector-runtime.js';
import { connectPostgres } from '../postgres/connection.js';
import { cdcSettings } from './cdc-settings.js';
import { waitUntilSlotFree } from './slots.js';
import { createPostgresCdcSource } from './source.js';
import { checkAndPrepare, quoteIdent } from './table-setup.js';

/**
 * What the runtime registry loads for the `postgres-cdc` connector. `pg` and `pg-logical-replication` are
 * imported from here down only.
 */
export const runtime: ConnectorRuntime = {
  createSource: (options, schema, context) => createPostgresCdcSource(options, schema, context),
  prepare,
  cleanup,
};

/**
 * At job start, before any task: the server, table, columns, key, privileges and publication (table-setup.ts), and
 * that no other connection reads the slot (SLC9204).
 */
async function prepare(opening: ConnectorOpening): Promise<void> {
  const settings = cdcSettings(opening.options, opening.schema, opening.uid);
  const connection = await connectPostgres(settings.connection, settings.role);
  try {
    await checkAndPrepare(connection.client, settings);
    await waitUntilSlotFree(connection.client, settings);
  } finally {
    await connection.close();
  }
}

/**
 * Drops the source's replication slot (refused while a job reads it: SLC9204) and its publication, so the server
 * stops keeping WAL for it. A later start of the job (without --resume) creates both again and snapshots the table.
 */
async function cleanup(opening: ConnectorOpening): Promise<string[]> {
  const settings = cdcSettings(opening.options, opening.schema, opening.uid);
  const connection = await connectPostgres(settings.connection, settings.role);
  const done: string[] = [];
  try {
    const { client } = connection;
    await waitUntilSlotFree(client, settings, { waitMs: 0 });
    const dropped = await client.query('SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1', [settings.slot]);
    done.push(dropped.rowCount === 0 ? `replication slot '${settings.slot}': none at ${settings.shownUrl}` : `dropped replication slot '${settings.slot}' at ${settings.shownUrl}`);
    const publication = await client.query('SELECT 1 FROM pg_publication WHERE pubname = $1', [settings.publication]);
    if (publication.rowCount !== 0) {
      await client.query(`DROP PUBLICATION ${quoteIdent(settings.publication)}`);
      done.push(`dropped publication '${settings.publication}'`);
    }
  } finally {
    await connection.close();
  }
  return done;
}

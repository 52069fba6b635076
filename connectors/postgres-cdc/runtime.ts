import type { ConnectorOpening, ConnectorRuntime } from '../../runtime/connectors/connector-runtime.js';
import { connectPostgres } from '../postgres/connection.js';
import { cdcSettings } from './cdc-settings.js';
import { waitUntilSlotFree } from './slots.js';
import { createPostgresCdcSource } from './source.js';
import { checkAndPrepare } from './table-setup.js';

/**
 * What the runtime registry loads for the `postgres-cdc` connector. `pg` and `pg-logical-replication` are
 * imported from here down only.
 */
export const runtime: ConnectorRuntime = {
  createSource: (options, schema, context) => createPostgresCdcSource(options, schema, context),
  prepare,
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

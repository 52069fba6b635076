import type { ConnectorOpening, ConnectorRuntime } from '../../runtime/connectors/connector-runtime.js';
import { createPostgresSinkWriter } from './sink.js';
import { prepareSinkTable } from './prepare-table.js';

/**
 * What the runtime registry loads for the `postgres` connector. The driver (`pg`) itself is imported when a
 * writer first connects, or by `prepare` (connection.ts).
 */
export const runtime: ConnectorRuntime = {
  createSinkWriter: (options, schema, context) => createPostgresSinkWriter(options, schema, context),
  prepare: (opening: ConnectorOpening) => prepareSinkTable(opening),
};

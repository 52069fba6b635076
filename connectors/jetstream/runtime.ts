import type { ConnectorOpening, ConnectorRuntime } from '../../runtime/connectors/connector-runtime.js';
import { connectJetStream, jetStreamSettings, streamInfo } from './connection.js';
import { capturingStream, createJetStreamSinkWriter } from './sink.js';
import { createJetStreamSource } from './source.js';

/**
 * What the runtime registry loads for the `jetstream` connector. The NATS driver itself is imported when a reader
 * or writer first connects, or by `prepare` (connection.ts).
 */
export const runtime: ConnectorRuntime = {
  createSource: (options, schema) => createJetStreamSource(options, schema),
  createSinkWriter: (options, schema, context) => createJetStreamSinkWriter(options, schema, context),
  prepare,
};

/**
 * At job start, before any task, with a clear error naming servers and stream (SLC9180, SLC9181, SLC9183): a
 * source's stream must exist, and a stream must capture a sink's subject. (The sink checks the duplicate window
 * when it first publishes, where job warnings can be given.)
 */
async function prepare(opening: ConnectorOpening): Promise<void> {
  const { options, role: kind, uid } = opening;
  const settings = jetStreamSettings(options);
  const stream = options.has('stream') ? options.string('stream') : undefined;
  const role = `jetstream ${kind} '${uid}'`;
  const connection = await connectJetStream(settings, role, stream ?? '(found from the subject)');
  try {
    if (kind === 'source') await streamInfo(connection, settings, role, stream!);
    else await capturingStream(connection, settings, role, options.string('subject'), stream);
  } finally {
    await connection.close();
  }
}

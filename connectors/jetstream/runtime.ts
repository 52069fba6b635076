/**
 * What the runtime registry loads for the `jetstream` connector. The NATS driver itself is imported later still,
 * when a reader or writer first connects (connection.ts).
 */
export { createJetStreamSource as createSource } from './source.js';
export { createJetStreamSinkWriter as createSinkWriter } from './sink.js';

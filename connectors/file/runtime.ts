import type { ConnectorRuntime } from '../../runtime/connectors/connector-runtime.js';
import { createFileSinkWriter } from './sink.js';
import { createFileSource } from './source.js';

export const runtime: ConnectorRuntime = {
  createSource: (options, schema, context) => createFileSource(options, schema, context),
  createSinkWriter: createFileSinkWriter,
};

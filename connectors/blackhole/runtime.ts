import type { ConnectorRuntime } from '../../runtime/connectors/connector-runtime.js';
import { BlackholeSinkWriter } from './sink.js';

export const runtime: ConnectorRuntime = { createSinkWriter: () => new BlackholeSinkWriter() };

import type { ConnectorRuntime } from '../../runtime/connectors/connector-runtime.js';
import { createPrintSinkWriter } from './sink.js';

export const runtime: ConnectorRuntime = { createSinkWriter: createPrintSinkWriter };

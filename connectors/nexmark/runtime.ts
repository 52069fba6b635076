import type { ConnectorRuntime } from '../../runtime/connectors/connector-runtime.js';
import { createNexmarkSource } from './source.js';

export const runtime: ConnectorRuntime = { createSource: createNexmarkSource };

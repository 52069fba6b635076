import type { ConnectorRuntime } from '../../runtime/connectors/connector-runtime.js';
import { createDatagenSource } from './source.js';

export const runtime: ConnectorRuntime = { createSource: createDatagenSource };

import type { ConnectorDefinition } from '../../compiler/connectors/connector-definition.js';

export const blackholeSink: ConnectorDefinition = {
  name: 'blackhole',
  description: 'Discards every row; for benchmarks and for pipelines run only for their side effects.',
  options: [],
};

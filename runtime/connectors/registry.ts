import type { OperatorSpec, StreamSchema } from '../../compiler/graph/job-graph.js';
import { BlackholeSinkWriter } from './blackhole.js';
import { createDatagenSource } from './datagen/source.js';
import { createFileSinkWriter } from './file/sink.js';
import { createFileSource } from './file/source.js';
import { createNexmarkSource } from './nexmark/source.js';
import { ConnectorOptions } from './options.js';
import { createPrintSinkWriter } from './print.js';
import type { SinkContext, SinkEnvironment, SinkWriter } from './sink-connector.js';
import type { SourceConnector, SourceContext } from './source-connector.js';

/** The parts of a source/sink operator spec (job-graph.ts) a connector needs. */
export type SourceSpec = Pick<Extract<OperatorSpec, { kind: 'source' }>, 'connector' | 'options'>;
export type SinkSpec = Pick<Extract<OperatorSpec, { kind: 'sink' }>, 'connector' | 'options'>;

/**
 * The source connector of a source operator; `schema` is its output schema. Throws an Error for options the
 * compiler would have rejected (a hand-built graph), naming the connector and option.
 */
export function createSourceConnector(spec: SourceSpec, schema: StreamSchema, context: SourceContext = { parallelism: 1 }): SourceConnector {
  const options = new ConnectorOptions(spec.connector, spec.options);
  switch (spec.connector) {
    case 'file':
      return createFileSource(options, schema, context);
    case 'datagen':
      return createDatagenSource(options, schema, context);
    case 'nexmark':
      return createNexmarkSource(options, schema, context);
  }
}

/** The writer of one sink subtask; `schema` is the sink's input schema. */
export function createSinkWriter(spec: SinkSpec, schema: StreamSchema, context: SinkContext, environment: SinkEnvironment = {}): SinkWriter {
  const options = new ConnectorOptions(spec.connector, spec.options);
  switch (spec.connector) {
    case 'file':
      return createFileSinkWriter(options, schema, context, environment);
    case 'print':
      return createPrintSinkWriter(options, schema, context, environment);
    case 'blackhole':
      return new BlackholeSinkWriter();
  }
}

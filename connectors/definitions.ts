import type { ConnectorDefinition } from '../compiler/connectors/connector-definition.js';
import { blackholeSink } from './blackhole/definition.js';
import { datagenSource } from './datagen/definition.js';
import { fileSink, fileSource } from './file/definition.js';
import { nexmarkSource } from './nexmark/definition.js';
import { jetStreamSink, jetStreamSource } from './jetstream/definition.js';
import { postgresSink } from './postgres/definition.js';
import { printSink } from './print/definition.js';
import { postgresCdcSource } from './postgres-cdc/definition.js';

/**
 * Every connector's compile-side definition: what the compiler validates WITH clauses against and docs/connectors.md
 * is generated from. Compiler-side data only: importing this never loads a connector's runtime or client driver
 * (runtime-registry.ts does that, lazily). Adding a connector is one line here and one in runtime-registry.ts.
 */
export const sourceDefinitions: readonly ConnectorDefinition[] = [fileSource, datagenSource, nexmarkSource, jetStreamSource, postgresCdcSource];
export const sinkDefinitions: readonly ConnectorDefinition[] = [fileSink, printSink, blackholeSink, jetStreamSink, postgresSink];

/** The definition named `name` (canonical name, as the job graph holds it), if any. */
export function connectorDefinition(role: 'source' | 'sink', name: string): ConnectorDefinition | undefined {
  return (role === 'source' ? sourceDefinitions : sinkDefinitions).find((d) => d.name === name);
}

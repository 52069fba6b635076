import type { CreateSink } from '../../grammar/ast/statements.js';
import type { DiagnosticBag } from '../diagnostics/diagnostic.js';
import { blackholeSink } from './blackhole.js';
import type { ConnectorDefinition } from './connector-definition.js';
import { fileSink } from './file.js';
import { printSink } from './print.js';
import { validateOptions } from './validate-options.js';

export type SinkConnector = 'file' | 'print' | 'blackhole';

/** Every sink connector's option table, for the README. */
export const sinkConnectors: Readonly<Record<SinkConnector, ConnectorDefinition>> = {
  file: fileSink,
  print: printSink,
  blackhole: blackholeSink,
};

/**
 * Checks a CREATE SINK's WITH clause against its connector and returns the normalised options. Undefined when
 * the connector is missing or unknown; option errors are reported to `bag` and the options still returned.
 */
export function validateSink(
  stmt: CreateSink,
  bag: DiagnosticBag,
): { connector: SinkConnector; options: Record<string, string> } | undefined {
  return validateOptions({ role: 'sink', name: stmt.name, entries: stmt.options, columns: [], columnDefs: [] }, sinkConnectors, bag);
}

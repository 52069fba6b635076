import type { CreateSink } from '../../grammar/ast/statements.js';
import { sinkDefinitions } from '../../connectors/definitions.js';
import type { DiagnosticBag } from '../diagnostics/diagnostic.js';
import { validateOptions, type ValidatedConnector } from './validate-options.js';

/**
 * Checks a CREATE SINK's WITH clause against its connector and returns the normalised options. Undefined when
 * the connector is missing or unknown; option errors are reported to `bag` and the options still returned.
 */
export function validateSink(stmt: CreateSink, bag: DiagnosticBag): ValidatedConnector | undefined {
  return validateOptions({ role: 'sink', name: stmt.name, entries: stmt.options, columns: [], columnDefs: stmt.columns ?? [] }, sinkDefinitions, bag);
}

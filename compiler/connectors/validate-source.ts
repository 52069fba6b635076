import type { CreateSource } from '../../grammar/ast/statements.js';
import { sourceDefinitions } from '../../connectors/definitions.js';
import type { DiagnosticBag } from '../diagnostics/diagnostic.js';
import type { Field } from '../types/sql-type.js';
import { validateOptions, type ValidatedConnector } from './validate-options.js';

/**
 * Checks a CREATE SOURCE's WITH clause against its connector (`columns`: the resolved declared columns) and
 * returns the normalised options: canonical keys and values, defaults filled. Undefined when the connector is
 * missing or unknown; option errors are reported to `bag` and the options still returned.
 */
export function validateSource(stmt: CreateSource, columns: readonly Field[], bag: DiagnosticBag): ValidatedConnector | undefined {
  return validateOptions({ role: 'source', name: stmt.name, entries: stmt.options, columns, columnDefs: stmt.columns }, sourceDefinitions, bag);
}

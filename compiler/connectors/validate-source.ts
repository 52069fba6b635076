import type { CreateSource } from '../../grammar/ast/statements.js';
import type { DiagnosticBag } from '../diagnostics/diagnostic.js';
import type { Field } from '../types/sql-type.js';
import type { ConnectorDefinition } from './connector-definition.js';
import { datagenSource } from './datagen.js';
import { fileSource } from './file.js';
import { nexmarkSource } from './nexmark.js';
import { validateOptions } from './validate-options.js';

export type SourceConnector = 'file' | 'datagen' | 'nexmark';

/** Every source connector's option table, for the README. */
export const sourceConnectors: Readonly<Record<SourceConnector, ConnectorDefinition>> = {
  file: fileSource,
  datagen: datagenSource,
  nexmark: nexmarkSource,
};

/**
 * Checks a CREATE SOURCE's WITH clause against its connector (`columns`: the resolved declared columns) and
 * returns the normalised options: canonical keys and values, defaults filled. Undefined when the connector is
 * missing or unknown; option errors are reported to `bag` and the options still returned.
 */
export function validateSource(
  stmt: CreateSource,
  columns: readonly Field[],
  bag: DiagnosticBag,
): { connector: SourceConnector; options: Record<string, string> } | undefined {
  return validateOptions(
    { role: 'source', name: stmt.name, entries: stmt.options, columns, columnDefs: stmt.columns },
    sourceConnectors,
    bag,
  );
}

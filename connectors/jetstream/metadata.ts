import type { Field } from '../../compiler/types/sql-type.js';
import type { ConnectorOptions } from '../../runtime/connectors/options.js';
import { JETSTREAM_METADATA, type MetadataKey } from './definition.js';

export type { MetadataKey };

/**
 * Per field of the source schema, the metadata key it holds (undefined: a payload field). The compiler records
 * the METADATA columns as the derived option 'metadata', a JSON object column → key (validate-options.ts).
 */
export function metadataColumns(options: ConnectorOptions, fields: readonly Field[]): (MetadataKey | undefined)[] {
  if (!options.has('metadata')) return fields.map(() => undefined);
  const columns = JSON.parse(options.string('metadata')) as Record<string, string>;
  return fields.map((f) => {
    const key = columns[f.name];
    if (key === undefined) return undefined;
    if (!JETSTREAM_METADATA.some((m) => m.key === key)) throw new Error(`jetstream connector: option 'metadata': unknown key '${key}' for column '${f.name}'`);
    return key as MetadataKey;
  });
}

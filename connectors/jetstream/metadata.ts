import type { Field } from '../../compiler/types/sql-type.js';
import type { ConnectorOptions } from '../../runtime/connectors/options.js';

/** What a `METADATA FROM '<key>'` column of a jetstream source can hold, and its SQL type. */
export const METADATA_KEYS = {
  subject: { type: 'STRING', description: 'the subject the message was published to' },
  sequence: { type: 'BIGINT', description: 'its stream sequence' },
  timestamp: { type: 'TIMESTAMP(3)', description: 'when the server stored it (its publish time)' },
} as const;
export type MetadataKey = keyof typeof METADATA_KEYS;

/**
 * Per field of the source schema, the metadata key it holds (undefined: a payload field). The compiler records
 * the METADATA columns as the derived option 'metadata', a JSON object column → key.
 */
export function metadataColumns(options: ConnectorOptions, fields: readonly Field[]): (MetadataKey | undefined)[] {
  if (!options.has('metadata')) return fields.map(() => undefined);
  const columns = JSON.parse(options.string('metadata')) as Record<string, string>;
  return fields.map((f) => {
    const key = columns[f.name];
    if (key === undefined) return undefined;
    if (!(key in METADATA_KEYS)) throw new Error(`jetstream connector: option 'metadata': unknown key '${key}' for column '${f.name}'`);
    return key as MetadataKey;
  });
}

import type { Field } from '../../compiler/types/sql-type.js';
import { valueDecoder } from '../../runtime/connectors/formats/values.js';

/**
 * A column's value from PostgreSQL's text output — what the replication stream carries, and what the snapshot
 * reads (`col::text`), so both give the same value — in Sluice's runtime representation. The shared decoders
 * (formats/values.ts) read numbers and timestamps ('2024-01-01 12:00:00.123+00') as PostgreSQL prints them;
 * PostgreSQL spells booleans 't' and 'f'. Throws a ValueProblem for text the declared type cannot hold.
 */
export type TextDecoder = (text: string) => unknown;

export function pgTextDecoder(field: Field): TextDecoder {
  const decode = valueDecoder(field.type);
  if (field.type.name !== 'BOOLEAN') return decode;
  return (text) => (text === 't' ? true : text === 'f' ? false : decode(text));
}

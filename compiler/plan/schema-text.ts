import { typeToString, type Field } from '../types/sql-type.js';

/** `(auction BIGINT NOT NULL, price BIGINT)`: columns as written in a CREATE statement, for messages. */
export function formatColumns(fields: readonly Field[]): string {
  return `(${fields.map((f) => `${f.name} ${typeToString(f.type)}${f.nullable ? '' : ' NOT NULL'}`).join(', ')})`;
}

/**
 * A 'table-name' option as PostgreSQL reads a name: `table` or `schema.table`, each part lower-cased unless
 * double-quoted (`"Orders"`), and its SQL spelling, every part quoted.
 */
export interface TableName {
  readonly schema: string | undefined;
  readonly table: string;
  /** `"schema"."table"` or `"table"`: safe to put into SQL text. */
  readonly sql: string;
  /** As messages show it. */
  readonly shown: string;
}

export function parseTableName(text: string): TableName {
  const parts = [...text.trim().matchAll(/"((?:[^"]|"")*)"|([^."]+)/g)].map((m) => (m[1] !== undefined ? m[1].replace(/""/g, '"') : m[2]!.trim().toLowerCase()));
  const table = parts.at(-1) ?? text;
  const schema = parts.length > 1 ? parts.at(-2) : undefined;
  return { schema, table, sql: schema === undefined ? quoteIdentifier(table) : `${quoteIdentifier(schema)}.${quoteIdentifier(table)}`, shown: text.trim() };
}

/** `name` as a quoted SQL identifier. */
export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Another table in the same schema as `table` (the commit table lives next to the table it commits for). */
export function siblingTable(table: TableName, name: string): TableName {
  return { schema: table.schema, table: name, sql: table.schema === undefined ? quoteIdentifier(name) : `${quoteIdentifier(table.schema)}.${quoteIdentifier(name)}`, shown: table.schema === undefined ? name : `${table.schema}.${name}` };
}

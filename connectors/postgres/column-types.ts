import type { SqlType, SqlTypeName } from '../../compiler/types/sql-type.js';

/**
 * Sluice column types and the PostgreSQL types that hold them, both ways (the sink creates and checks tables with
 * them; the CDC source reads them back). `accepts` lists the `format_type()` spellings a table column may have;
 * numeric and timestamp precisions are compared as written.
 */
interface PostgresColumnType {
  /** The type the sink creates. */
  readonly create: (type: SqlType) => string;
  /** Whether a table column of `formatted` (pg's format_type) holds this type's values. */
  readonly accepts: (formatted: string, type: SqlType) => boolean;
}

export const POSTGRES_COLUMN_TYPES: Readonly<Partial<Record<SqlTypeName, PostgresColumnType>>> = {
  BOOLEAN: { create: () => 'boolean', accepts: (f) => f === 'boolean' },
  INT: { create: () => 'integer', accepts: (f) => f === 'integer' },
  BIGINT: { create: () => 'bigint', accepts: (f) => f === 'bigint' },
  DOUBLE: { create: () => 'double precision', accepts: (f) => f === 'double precision' },
  DECIMAL: {
    create: (t) => (t.name === 'DECIMAL' ? `numeric(${t.precision},${t.scale})` : 'numeric'),
    accepts: (f, t) => t.name === 'DECIMAL' && f === `numeric(${t.precision},${t.scale})`,
  },
  STRING: { create: () => 'text', accepts: (f) => f === 'text' || /^character varying(\(\d+\))?$/.test(f) },
  TIMESTAMP: { create: () => 'timestamp(3)', accepts: (f) => f === 'timestamp(3) without time zone' || f === 'timestamp without time zone' },
};

/** The PostgreSQL type the sink creates for a column of `type`; undefined for types it cannot write (checked at compile time). */
export function postgresTypeOf(type: SqlType): string | undefined {
  return POSTGRES_COLUMN_TYPES[type.name]?.create(type);
}

export function postgresTypeAccepts(formatted: string, type: SqlType): boolean {
  return POSTGRES_COLUMN_TYPES[type.name]?.accepts(formatted, type) ?? false;
}

import * as z from 'zod';

/**
 * The SQL types of the language. Runtime representation (one JS value per type, chosen for speed):
 * BOOLEAN → boolean; INT, BIGINT, DOUBLE, DECIMAL → number (BIGINT is exact within ±2^53; DECIMAL(p, s) is a
 * double rounded to `s` fractional digits by arithmetic and casts); STRING → string; TIMESTAMP(3) → epoch
 * milliseconds (UTC) as a number; INTERVAL → milliseconds as a number; NULL → null.
 */
export const SqlTypeSchema = z.discriminatedUnion('name', [
  z.object({ name: z.literal('BOOLEAN') }),
  z.object({ name: z.literal('INT') }),
  z.object({ name: z.literal('BIGINT') }),
  z.object({ name: z.literal('DOUBLE') }),
  z.object({ name: z.literal('DECIMAL'), precision: z.number().int().min(1).max(38), scale: z.number().int().min(0) }),
  z.object({ name: z.literal('STRING') }),
  z.object({ name: z.literal('TIMESTAMP'), precision: z.literal(3) }),
  /** A day-time interval; only literals and differences of timestamps have it. */
  z.object({ name: z.literal('INTERVAL') }),
  /** The type of the bare `NULL` literal before it is unified with a context. */
  z.object({ name: z.literal('NULL') }),
]);
export type SqlType = z.infer<typeof SqlTypeSchema>;
export type SqlTypeName = SqlType['name'];

/** A named column of a row. */
export const FieldSchema = z.object({
  name: z.string(),
  type: SqlTypeSchema,
  nullable: z.boolean(),
});
export type Field = z.infer<typeof FieldSchema>;

export const BOOLEAN: SqlType = { name: 'BOOLEAN' };
export const INT: SqlType = { name: 'INT' };
export const BIGINT: SqlType = { name: 'BIGINT' };
export const DOUBLE: SqlType = { name: 'DOUBLE' };
export const STRING: SqlType = { name: 'STRING' };
export const TIMESTAMP3: SqlType = { name: 'TIMESTAMP', precision: 3 };
export const INTERVAL: SqlType = { name: 'INTERVAL' };
export const NULL_TYPE: SqlType = { name: 'NULL' };

export function decimal(precision: number, scale: number): SqlType {
  return { name: 'DECIMAL', precision, scale };
}

/** `DECIMAL(10, 2)`, `TIMESTAMP(3)`, `BIGINT`: the spelling used in messages and summaries. */
export function typeToString(type: SqlType): string {
  switch (type.name) {
    case 'DECIMAL':
      return `DECIMAL(${type.precision}, ${type.scale})`;
    case 'TIMESTAMP':
      return `TIMESTAMP(${type.precision})`;
    default:
      return type.name;
  }
}

export function sameType(a: SqlType, b: SqlType): boolean {
  return typeToString(a) === typeToString(b);
}

export function isNumeric(type: SqlType): boolean {
  return type.name === 'INT' || type.name === 'BIGINT' || type.name === 'DOUBLE' || type.name === 'DECIMAL';
}

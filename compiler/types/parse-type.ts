import type { SqlType } from './sql-type.js';

const SIMPLE_TYPES: Readonly<Record<string, SqlType>> = {
  BOOLEAN: { name: 'BOOLEAN' },
  INT: { name: 'INT' },
  INTEGER: { name: 'INT' },
  BIGINT: { name: 'BIGINT' },
  DOUBLE: { name: 'DOUBLE' },
  STRING: { name: 'STRING' },
  VARCHAR: { name: 'STRING' },
  DECIMAL: { name: 'DECIMAL', precision: 10, scale: 0 },
  TIMESTAMP: { name: 'TIMESTAMP', precision: 3 },
  'TIMESTAMP(3)': { name: 'TIMESTAMP', precision: 3 },
};

const DECIMAL = /^DECIMAL\s*\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\)$/;
const VARCHAR_N = /^VARCHAR\s*\(\s*\d+\s*\)$/;

/** What `parseType` accepts, for messages. */
export const TYPE_SPELLINGS = 'BOOLEAN, INT, BIGINT, DOUBLE, DECIMAL(p, s) with 1 <= p <= 38 and s <= p, STRING or TIMESTAMP(3)';

/**
 * A type as a JavaScript author spells it in a function's signature, `'BIGINT'`, `'decimal(10, 2)'`,
 * `'VARCHAR(20)'` (case-insensitive, the language's type names); undefined for anything else.
 */
export function parseType(text: string): SqlType | undefined {
  const spelled = text.trim().toUpperCase();
  if (VARCHAR_N.test(spelled)) return SIMPLE_TYPES['STRING'];
  const decimal = DECIMAL.exec(spelled);
  if (decimal === null) return SIMPLE_TYPES[spelled];
  const precision = Number(decimal[1]);
  const scale = Number(decimal[2] ?? 0);
  return precision >= 1 && precision <= 38 && scale <= precision ? { name: 'DECIMAL', precision, scale } : undefined;
}

import type { SqlType } from '../../compiler/types/sql-type.js';
import { typeToString } from '../../compiler/types/sql-type.js';
import { ValueProblem } from '../connectors/formats/row-error.js';
import { valueDecoder, type ValueDecoder } from '../connectors/formats/values.js';
import { describeJsValue } from '../describe-js-value.js';

/**
 * JavaScript values given through the Node API, into the runtime value of a SQL type (sql-type.ts). A converter
 * takes a value that is neither null nor undefined and returns the runtime value, or throws a ValueProblem whose
 * message says what was expected. Two policies, one per place values come from:
 *
 * - `castJsValue`, for rows fed to a source: what SQL's CAST turns into the type without a guess. Text is read as
 *   the file formats read it (values.ts: '42' is an INT or BIGINT, 'true' a BOOLEAN, ISO-8601 a TIMESTAMP);
 *   numbers, booleans and bigints become text for STRING; a bigint within ±2^53 is a number; a Date or epoch
 *   milliseconds is a TIMESTAMP. Refused: whatever would lose or invent information — a fraction for an integer
 *   column, a number for BOOLEAN, a Date, object or array for STRING.
 * - `exactJsValue`, for rows a process function emits: the value must already have the type (a Date passes for a
 *   TIMESTAMP), since a wrong type there is a bug in the function, not data to convert.
 */
export type JsValueConverter = (value: unknown) => unknown;

/** What `castJsValue` accepts per type, for help lines. */
export const CAST_ACCEPTS: Readonly<Record<SqlType['name'], string>> = {
  BOOLEAN: "true or false (or the text 'true' / 'false')",
  INT: "an integer number within ±2^31 (a bigint or integer text like '42' is converted)",
  BIGINT: "an integer number within ±2^53 (a bigint or integer text like '42' is converted)",
  DOUBLE: "a number (numeric text like '4.2' or a bigint within ±2^53 is converted)",
  DECIMAL: 'a finite number or numeric text that fits the precision; it is rounded to the scale',
  INTERVAL: 'an integer number of milliseconds',
  STRING: 'a string (numbers, booleans and bigints are converted to their text)',
  TIMESTAMP: "a Date, epoch milliseconds, or ISO-8601 text like '2024-01-01T12:00:00Z'",
  NULL: 'null',
};

function expected(type: SqlType, value: unknown): ValueProblem {
  const name = typeToString(type);
  return new ValueProblem(`expected ${/^[AEIOU]/.test(name) ? 'an' : 'a'} ${name}, got ${describeJsValue(value)}`);
}

const MAX_EXACT = BigInt(Number.MAX_SAFE_INTEGER);

function castBigint(value: bigint, type: SqlType, decode: ValueDecoder): unknown {
  if (type.name === 'STRING') return String(value);
  if (type.name === 'BOOLEAN' || type.name === 'NULL') throw expected(type, value);
  if (value > MAX_EXACT || value < -MAX_EXACT) throw new ValueProblem(`${value}n is beyond ±2^53, where ${typeToString(type)} is not exact`);
  return decode(Number(value));
}

export function castJsValue(type: SqlType): JsValueConverter {
  const decode = valueDecoder(type);
  const timestamp = type.name === 'TIMESTAMP';
  const cast: JsValueConverter = (value) => {
    switch (typeof value) {
      case 'number':
        // NaN and ±Infinity are no value of the other numeric types, nor a timestamp.
        if (!Number.isFinite(value)) throw expected(type, value);
        return decode(value);
      case 'string':
      case 'boolean':
        return decode(value);
      case 'bigint':
        return castBigint(value, type, decode);
      default:
        if (timestamp && value instanceof Date && !Number.isNaN(value.getTime())) return value.getTime();
        throw expected(type, value);
    }
  };
  // Values that already have the type pass first, without the calls of a conversion.
  switch (type.name) {
    case 'BOOLEAN':
      return (value) => (typeof value === 'boolean' ? value : cast(value));
    case 'INT':
      return (value) => (typeof value === 'number' && (value | 0) === value ? value : cast(value));
    case 'BIGINT':
      return (value) => (Number.isSafeInteger(value) ? value : cast(value));
    case 'DOUBLE':
      // A JS number is a DOUBLE, NaN and ±Infinity included.
      return (value) => (typeof value === 'number' ? value : cast(value));
    case 'STRING':
      return (value) => (typeof value === 'string' ? value : cast(value));
    default:
      return cast;
  }
}

/** What `exactJsValue` wants per type, for messages. */
const EXACT_WANTS: Readonly<Record<SqlType['name'], string>> = {
  BOOLEAN: 'a boolean',
  INT: 'an integer number within ±2^31',
  BIGINT: 'an integer number',
  DOUBLE: 'a number',
  DECIMAL: 'a finite number',
  INTERVAL: 'a number of milliseconds',
  STRING: 'a string',
  TIMESTAMP: 'epoch milliseconds or a Date',
  NULL: 'null',
};

function exactCheck(type: SqlType): (value: unknown) => boolean {
  switch (type.name) {
    case 'BOOLEAN':
      return (v) => typeof v === 'boolean';
    case 'INT':
      return (v) => Number.isInteger(v) && (v as number) >= -2147483648 && (v as number) <= 2147483647;
    case 'BIGINT':
      return (v) => Number.isInteger(v);
    case 'DOUBLE':
      return (v) => typeof v === 'number';
    case 'DECIMAL':
    case 'INTERVAL':
      return (v) => typeof v === 'number' && Number.isFinite(v);
    case 'STRING':
      return (v) => typeof v === 'string';
    case 'TIMESTAMP':
      return (v) => (typeof v === 'number' && Number.isFinite(v)) || (v instanceof Date && !Number.isNaN(v.getTime()));
    case 'NULL':
      return () => false;
  }
}

export function exactJsValue(type: SqlType): JsValueConverter {
  const check = exactCheck(type);
  const problem = `not a ${typeToString(type)}: give ${EXACT_WANTS[type.name]}`;
  return (value) => {
    if (!check(value)) throw new ValueProblem(problem);
    return value instanceof Date ? value.getTime() : value;
  };
}

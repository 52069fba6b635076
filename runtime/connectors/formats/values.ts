import type { Field, SqlType } from '../../../compiler/types/sql-type.js';
import { typeToString } from '../../../compiler/types/sql-type.js';
import { ValueProblem } from './row-error.js';
import { formatTimestamp, parseTimestamp } from './timestamp.js';

/**
 * Conversions between the values found in files and the runtime representation of each SQL type (sql-type.ts),
 * one function per type chosen once per schema. Decoding accepts what JSON.parse yields and csv text alike: a
 * string is parsed as text (`"42"` is a fine INT), so the csv and jsonl decoders share these.
 */
export type ValueDecoder = (value: unknown) => unknown;

const INTEGER_TEXT = /^\s*[+-]?\d+\s*$/;
const INT_MIN = -2147483648;
const INT_MAX = 2147483647;

function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function expected(what: string, value: unknown): ValueProblem {
  return new ValueProblem(`expected ${what}, got ${show(value)}`);
}

/**
 * A JSON number beyond a double's range (`1e400`) reaches us as Infinity, which JSON cannot spell otherwise; csv
 * text may spell `Infinity` and `NaN` on purpose, but `1e400` there is out of range too.
 */
function outOfDoubleRange(what: string): ValueProblem {
  return new ValueProblem(`a number beyond ±1.8e308 is out of the range of ${what}`);
}

function toNumber(value: unknown, what: string): number {
  if (typeof value === 'number') {
    if (Number.isFinite(value)) return value;
    throw outOfDoubleRange(what);
  }
  if (typeof value === 'string' && value.trim() !== '') {
    const n = Number(value);
    if (Number.isFinite(n)) return n;
    const word = value.trim();
    if (Number.isNaN(n) ? word === 'NaN' : /^[+-]?Infinity$/.test(word)) return n;
    if (!Number.isNaN(n)) throw outOfDoubleRange(what);
  }
  throw expected(what, value);
}

function toInteger(value: unknown, what: string): number {
  if (typeof value === 'number') {
    if (Number.isInteger(value)) return value;
    if (!Number.isFinite(value)) throw outOfDoubleRange(what);
  } else if (typeof value === 'string' && INTEGER_TEXT.test(value)) {
    return Number(value);
  }
  throw expected(what, value);
}

function decodeBoolean(value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    const t = value.trim().toLowerCase();
    if (t === 'true') return true;
    if (t === 'false') return false;
  }
  throw expected('true or false', value);
}

function decodeInt(value: unknown): number {
  const n = toInteger(value, 'an INT');
  if (n < INT_MIN || n > INT_MAX) throw new ValueProblem(`${show(value)} is out of the range of INT (32 bits)`);
  return n;
}

function decodeBigint(value: unknown): number {
  const n = toInteger(value, 'a BIGINT');
  if (!Number.isSafeInteger(n)) {
    throw new ValueProblem(`${show(value)} is beyond ±2^53, where Sluice's BIGINT is not exact`);
  }
  return n;
}

function decodeDouble(value: unknown): number {
  return toNumber(value, 'a DOUBLE');
}

function decimalDecoder(precision: number, scale: number): ValueDecoder {
  const factor = 10 ** scale;
  const limit = 10 ** (precision - scale);
  const name = `a DECIMAL(${precision}, ${scale})`;
  return (value) => {
    const n = toNumber(value, name);
    const rounded = Math.round(n * factor) / factor;
    if (!(Math.abs(rounded) < limit)) throw new ValueProblem(`${show(value)} does not fit ${name.slice(2)}`);
    return rounded;
  };
}

function decodeString(value: unknown): string {
  if (typeof value === 'string') return value;
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** JavaScript's Date range, ±100,000,000 days around 1970: a TIMESTAMP beyond it could not be formatted or windowed. */
const TIMESTAMP_LIMIT_MS = 8.64e15;

function decodeTimestamp(value: unknown): number {
  let ms: number | undefined;
  if (typeof value === 'number') ms = Math.trunc(value);
  else if (typeof value === 'string') ms = INTEGER_TEXT.test(value) ? Number(value) : parseTimestamp(value);
  if (ms === undefined || Number.isNaN(ms)) {
    throw expected(`a TIMESTAMP (ISO-8601 like '2015-07-15 00:00:00.000' or '2015-07-15T00:00:00Z', or epoch milliseconds)`, value);
  }
  if (!(Math.abs(ms) <= TIMESTAMP_LIMIT_MS)) {
    const shown = typeof value === 'number' && !Number.isFinite(value) ? 'a number beyond ±1.8e308' : show(value);
    throw new ValueProblem(`${shown} is out of the range of TIMESTAMP (epoch milliseconds within ±8.64e15, years -271821 to 275760)`);
  }
  return ms;
}

function decodeInterval(value: unknown): number {
  return toInteger(value, 'an INTERVAL in milliseconds');
}

function decodeNull(value: unknown): null {
  if (value === null) return null;
  throw expected('NULL', value);
}

export function valueDecoder(type: SqlType): ValueDecoder {
  switch (type.name) {
    case 'BOOLEAN':
      return decodeBoolean;
    case 'INT':
      return decodeInt;
    case 'BIGINT':
      return decodeBigint;
    case 'DOUBLE':
      return decodeDouble;
    case 'DECIMAL':
      return decimalDecoder(type.precision, type.scale);
    case 'STRING':
      return decodeString;
    case 'TIMESTAMP':
      return decodeTimestamp;
    case 'INTERVAL':
      return decodeInterval;
    case 'NULL':
      return decodeNull;
  }
}

/** A non-null value as text for csv and print: timestamps ISO-8601 UTC, everything else as JavaScript spells it. */
export type ValueFormatter = (value: unknown) => string;

export function valueFormatter(type: SqlType): ValueFormatter {
  return type.name === 'TIMESTAMP' ? (v) => formatTimestamp(v as number) : String;
}

/** `price BIGINT NOT NULL`, for messages. */
export function describeField(field: Field): string {
  return `${field.name} ${typeToString(field.type)}${field.nullable ? '' : ' NOT NULL'}`;
}

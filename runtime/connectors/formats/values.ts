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

function toNumber(value: unknown, what: string): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '') {
    const n = Number(value);
    if (!Number.isNaN(n) || value.trim() === 'NaN') return n;
  }
  throw expected(what, value);
}

function toInteger(value: unknown, what: string): number {
  if (typeof value === 'number') {
    if (Number.isInteger(value)) return value;
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

function decodeTimestamp(value: unknown): number {
  if (typeof value === 'number') {
    if (Number.isFinite(value)) return Math.trunc(value);
  } else if (typeof value === 'string') {
    const ms = INTEGER_TEXT.test(value) ? Number(value) : parseTimestamp(value);
    if (ms !== undefined) return ms;
  }
  throw expected(`a TIMESTAMP (ISO-8601 like '2015-07-15 00:00:00.000' or '2015-07-15T00:00:00Z', or epoch milliseconds)`, value);
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

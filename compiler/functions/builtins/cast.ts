import { isNumeric, sameType, typeToString, type SqlType } from '../../types/sql-type.js';
import { widensTo } from '../../expressions/coercion.js';
import { formatSqlTimestamp, parseSqlTimestamp } from './datetime-pattern.js';
import { decimalRounder } from './math.js';
import type { Builtin, CallExpr, CodeGen } from './builtin.js';

/**
 * CAST and TRY_CAST. A conversion is a function returning `undefined` when the value does not fit the target
 * (text that is not a number, a number out of range): CAST then fails the job with the value in the message,
 * as Flink does, and TRY_CAST gives NULL.
 */

type Conversion = (value: never) => unknown;

const INT_MIN = -(2 ** 31);
const INT_MAX = 2 ** 31 - 1;
const BIGINT_LIMIT = 2 ** 63;

const INTEGER_TEXT = /^[+-]?\d+$/;
const DECIMAL_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const TRUE_TEXTS = new Set(['true', 't', 'yes', 'y', '1']);
const FALSE_TEXTS = new Set(['false', 'f', 'no', 'n', '0']);

function toInt(x: number): number | undefined {
  const t = Math.trunc(x);
  return t >= INT_MIN && t <= INT_MAX ? t + 0 : undefined;
}

function toBigint(x: number): number | undefined {
  const t = Math.trunc(x);
  return t > -BIGINT_LIMIT && t < BIGINT_LIMIT ? t + 0 : undefined;
}

function toDecimal(precision: number, scale: number): (x: number) => number | undefined {
  const round = decimalRounder(scale);
  const limit = 10 ** (precision - scale);
  return (x) => {
    const r = round(x);
    return Math.abs(r) < limit ? r : undefined;
  };
}

/** Java's Double.toString, which Flink uses for DOUBLE → STRING: `1.0`, `0.001`, `1.0E7`, `1.5E-4`. */
export function doubleToString(x: number): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? 'NaN' : x > 0 ? 'Infinity' : '-Infinity';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const abs = Math.abs(x);
  if (abs >= 1e-3 && abs < 1e7) {
    const text = String(x);
    return text.includes('.') ? text : `${text}.0`;
  }
  const [mantissa, exponent] = x.toExponential().split('e') as [string, string];
  return `${mantissa.includes('.') ? mantissa : `${mantissa}.0`}E${Number(exponent)}`;
}

/** How a number reads as text: decimals keep their scale (`1.50`), as Flink prints DECIMAL(p, 2). */
function numberToString(type: SqlType): (x: number) => string {
  switch (type.name) {
    case 'DOUBLE':
      return doubleToString;
    case 'DECIMAL':
      return (x) => x.toFixed(type.scale);
    default:
      return String;
  }
}

function parseNumber(text: string): number | undefined {
  const trimmed = text.trim();
  return DECIMAL_TEXT.test(trimmed) ? Number(trimmed) : undefined;
}

/** The conversion from `from` to `to`, or undefined when no CAST between them exists. Null means "the identity". */
function conversion(from: SqlType, to: SqlType): Conversion | null | undefined {
  if (from.name === 'NULL' || sameType(from, to)) return null;
  if (to.name === 'STRING') {
    if (isNumeric(from)) return numberToString(from);
    if (from.name === 'BOOLEAN') return (b: boolean) => (b ? 'TRUE' : 'FALSE');
    if (from.name === 'TIMESTAMP') return formatSqlTimestamp;
    return undefined;
  }
  if (from.name === 'STRING') {
    switch (to.name) {
      case 'INT':
      case 'BIGINT': {
        const fit = to.name === 'INT' ? toInt : toBigint;
        return (s: string) => {
          const t = s.trim();
          return INTEGER_TEXT.test(t) ? fit(Number(t)) : undefined;
        };
      }
      case 'DECIMAL': {
        const fit = toDecimal(to.precision, to.scale);
        return (s: string) => {
          const n = parseNumber(s);
          return n === undefined ? undefined : fit(n);
        };
      }
      case 'DOUBLE':
        return (s: string) => {
          const t = s.trim();
          return t === 'NaN' || t === 'Infinity' || t === '-Infinity' ? Number(t) : parseNumber(t);
        };
      case 'BOOLEAN':
        return (s: string) => {
          const t = s.trim().toLowerCase();
          return TRUE_TEXTS.has(t) ? true : FALSE_TEXTS.has(t) ? false : undefined;
        };
      case 'TIMESTAMP':
        return parseSqlTimestamp;
      default:
        return undefined;
    }
  }
  if (from.name === 'BOOLEAN' && isNumeric(to)) return (b: boolean) => (b ? 1 : 0);
  if (isNumeric(from) && to.name === 'BOOLEAN') return (x: number) => x !== 0;
  if (isNumeric(from) && isNumeric(to)) {
    if (widensTo(from, to)) return null;
    switch (to.name) {
      case 'INT':
        return toInt;
      case 'BIGINT':
        return toBigint;
      case 'DECIMAL':
        return toDecimal(to.precision, to.scale);
      default:
        return null;
    }
  }
  return undefined;
}

/** Why CAST from `from` to `to` is refused, as help text; undefined when the cast is allowed. */
export function castProblem(from: SqlType, to: SqlType): string | undefined {
  if (conversion(from, to) !== undefined) return undefined;
  if ((from.name === 'TIMESTAMP' && isNumeric(to)) || (isNumeric(from) && to.name === 'TIMESTAMP')) {
    return 'convert between timestamps and epoch numbers with UNIX_TIMESTAMP(…) and TO_TIMESTAMP_LTZ(millis, 3)';
  }
  if (from.name === 'INTERVAL' || to.name === 'INTERVAL') return 'intervals cannot be converted; write an INTERVAL literal';
  return 'convert through STRING where that makes sense, or compute the value with a function';
}

/** Whether the cast can meet a value that does not fit, so TRY_CAST's result is nullable. */
export function castCanFail(from: SqlType, to: SqlType): boolean {
  if (from.name === 'NULL' || to.name === 'STRING' || widensTo(from, to)) return false;
  return !(isNumeric(to) && from.name === 'BOOLEAN') && !(isNumeric(from) && to.name === 'BOOLEAN');
}

function castFunction(name: 'CAST' | 'TRY_CAST'): Builtin {
  return {
    name,
    signature: `${name}(value AS type)`,
    minArgs: 1,
    maxArgs: 1,
    runtime: {
      nulls: 'propagate',
      emit: ([value], call: CallExpr, g: CodeGen) => {
        const from = call.args[0]!.type;
        const convert = conversion(from, call.type);
        if (convert === undefined) throw new Error(`internal error: no conversion from ${from.name} to ${call.type.name}`);
        if (convert === null) return value!;
        const converted = `${g.constant(convert)}(${value})`;
        if (!castCanFail(from, call.type)) return converted;
        if (name === 'TRY_CAST') return `(${converted} ?? null)`;
        const fail = g.failure(`cannot convert the value to ${typeToString(call.type)}`);
        const orFail = (result: unknown, input: unknown): unknown => (result === undefined ? fail(input) : result);
        return `${g.constant(orFail)}(${converted}, ${value})`;
      },
    },
  };
}

export const castFunctions: readonly Builtin[] = [castFunction('CAST'), castFunction('TRY_CAST')];

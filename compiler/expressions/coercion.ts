import { BIGINT, DOUBLE, INT, decimal, isNumeric, sameType, typeToString, type SqlType } from '../types/sql-type.js';

/**
 * Implicit conversions and the result types of arithmetic, following Flink (and Calcite) where the value
 * representation allows: INT → BIGINT → DECIMAL → DOUBLE widen implicitly; an untyped NULL takes any type.
 * Widening never changes the runtime value (every numeric type is a JS number), so no conversion is inserted.
 */

export const MAX_DECIMAL_PRECISION = 38;
/** The smallest scale a DECIMAL division or an adjusted result keeps (Flink's MINIMUM_ADJUSTED_SCALE). */
const MIN_ADJUSTED_SCALE = 6;

/** INT and BIGINT seen as decimals: the digits they can hold. */
function asDecimal(type: SqlType): { precision: number; scale: number } | undefined {
  switch (type.name) {
    case 'INT':
      return { precision: 10, scale: 0 };
    case 'BIGINT':
      return { precision: 19, scale: 0 };
    case 'DECIMAL':
      return { precision: type.precision, scale: type.scale };
    default:
      return undefined;
  }
}

export function isIntegral(type: SqlType): boolean {
  return type.name === 'INT' || type.name === 'BIGINT';
}

/**
 * A DECIMAL result whose precision exceeds 38 loses fractional digits first, keeping at least 6 of them
 * (Flink's `LogicalTypeMerging.adjustPrecisionScale`).
 */
export function adjustedDecimal(precision: number, scale: number): SqlType {
  if (precision <= MAX_DECIMAL_PRECISION) return decimal(Math.max(precision, 1), scale);
  const integralDigits = precision - scale;
  const adjustedScale = Math.max(MAX_DECIMAL_PRECISION - integralDigits, Math.min(scale, MIN_ADJUSTED_SCALE));
  return decimal(MAX_DECIMAL_PRECISION, adjustedScale);
}

/** Whether a value of type `from` may be used where `to` is expected without an explicit CAST. */
export function widensTo(from: SqlType, to: SqlType): boolean {
  if (from.name === 'NULL' || sameType(from, to)) return true;
  if (!isNumeric(from) || !isNumeric(to)) return false;
  if (to.name === 'DOUBLE') return true;
  if (from.name === 'DOUBLE') return false;
  if (to.name === 'BIGINT') return from.name === 'INT';
  if (to.name !== 'DECIMAL') return false;
  const source = asDecimal(from)!;
  return source.scale <= to.scale && source.precision - source.scale <= to.precision - to.scale;
}

/**
 * The type both `a` and `b` widen to, for comparisons, CASE branches, COALESCE, IN lists; undefined when they
 * are of different kinds (a STRING and an INT, say). Two untyped NULLs stay NULL.
 */
export function commonType(a: SqlType, b: SqlType): SqlType | undefined {
  if (a.name === 'NULL') return b;
  if (b.name === 'NULL' || sameType(a, b)) return a;
  if (!isNumeric(a) || !isNumeric(b)) return undefined;
  if (a.name === 'DOUBLE' || b.name === 'DOUBLE') return DOUBLE;
  if (a.name === 'DECIMAL' || b.name === 'DECIMAL') {
    const x = asDecimal(a)!;
    const y = asDecimal(b)!;
    const scale = Math.max(x.scale, y.scale);
    return adjustedDecimal(Math.max(x.precision - x.scale, y.precision - y.scale) + scale, scale);
  }
  return a.name === 'BIGINT' || b.name === 'BIGINT' ? BIGINT : INT;
}

/** The common type of several types, or undefined at the first pair without one. */
export function commonTypeOf(types: readonly SqlType[]): SqlType | undefined {
  let result: SqlType | undefined = types[0];
  for (const type of types.slice(1)) {
    if (result === undefined) return undefined;
    result = commonType(result, type);
  }
  return result;
}

export type ArithmeticOperator = '+' | '-' | '*' | '/' | '%';

/**
 * The result type of numeric arithmetic. INT op INT stays INT (division truncates, as in Flink); DOUBLE
 * anywhere gives DOUBLE; DECIMAL precision and scale follow Flink's rules (`LogicalTypeMerging`).
 */
export function numericResultType(op: ArithmeticOperator, a: SqlType, b: SqlType): SqlType | undefined {
  if (!isNumeric(a) || !isNumeric(b)) return undefined;
  if (a.name === 'DOUBLE' || b.name === 'DOUBLE') return DOUBLE;
  if (isIntegral(a) && isIntegral(b)) return a.name === 'BIGINT' || b.name === 'BIGINT' ? BIGINT : INT;
  const x = asDecimal(a)!;
  const y = asDecimal(b)!;
  switch (op) {
    case '+':
    case '-': {
      const scale = Math.max(x.scale, y.scale);
      return adjustedDecimal(Math.max(x.precision - x.scale, y.precision - y.scale) + scale + 1, scale);
    }
    case '*':
      return adjustedDecimal(x.precision + y.precision, x.scale + y.scale);
    case '/': {
      const scale = Math.max(MIN_ADJUSTED_SCALE, x.scale + y.precision + 1);
      return adjustedDecimal(x.precision - x.scale + y.scale + scale, scale);
    }
    case '%': {
      const scale = Math.max(x.scale, y.scale);
      return adjustedDecimal(Math.min(x.precision - x.scale, y.precision - y.scale) + scale, scale);
    }
  }
}

/** Types that `<`, `=`, MIN/MAX, GREATEST and ORDER-like operations accept. */
export function isComparable(type: SqlType): boolean {
  return type.name !== 'NULL';
}

/** `INT, BIGINT and STRING` for messages. */
export function listTypes(types: readonly SqlType[]): string {
  const names = [...new Set(types.map(typeToString))];
  return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}

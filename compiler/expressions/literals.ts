import type { IntervalLiteral, NumberLiteral, TimestampLiteral } from '../../grammar/ast/expressions.js';
import { Diagnostics } from '../diagnostics/catalogue.js';
import type { DiagnosticBag } from '../diagnostics/diagnostic.js';
import { SQL_TIMESTAMP, parseSqlTimestamp } from '../functions/builtins/datetime-pattern.js';
import { BIGINT, DOUBLE, INT, INTERVAL, TIMESTAMP3, decimal } from '../types/sql-type.js';
import { MAX_DECIMAL_PRECISION } from './coercion.js';
import type { TypedExpr } from './typed-expr.js';

const INT_MIN = -(2 ** 31);
const INT_MAX = 2 ** 31 - 1;

/**
 * A number literal typed as Flink types it: digits only → INT when it fits, else BIGINT; with a dot →
 * DECIMAL(p, s) of exactly the digits written; with an exponent → DOUBLE. BIGINT literals beyond 2^53 are
 * refused because the runtime holds BIGINT in a double and would silently change them. `text` may start with
 * `-` (a negated literal is folded into one, so that -2147483648 is an INT as in Flink).
 */
export function numberLiteral(node: NumberLiteral, bag: DiagnosticBag): TypedExpr | undefined {
  const text = node.text;
  const outOfRange = (type: string, help: string): undefined => {
    bag.report(Diagnostics.NumberLiteralOutOfRange, node.span, { text, type, help });
    return undefined;
  };
  if (/[eE]/.test(text)) {
    const value = Number(text);
    if (!Number.isFinite(value)) return outOfRange('DOUBLE', 'DOUBLE values stop at about 1.8e308');
    return { op: 'literal', value, type: DOUBLE, nullable: false };
  }
  const dot = text.indexOf('.');
  if (dot < 0) {
    const value = Number(text);
    if (value >= INT_MIN && value <= INT_MAX) return { op: 'literal', value: value + 0, type: INT, nullable: false };
    if (Number.isSafeInteger(value)) return { op: 'literal', value, type: BIGINT, nullable: false };
    return outOfRange('BIGINT', 'BIGINT values are exact up to 9007199254740991 (2^53 - 1); write a DOUBLE such as 1.5e19 if an approximation will do');
  }
  const integral = text.slice(0, dot).replace(/^-?0*/, '');
  const scale = text.length - dot - 1;
  const precision = Math.max(integral.length + scale, 1);
  if (precision > MAX_DECIMAL_PRECISION) {
    return outOfRange(`DECIMAL(${precision}, ${scale})`, `a DECIMAL has at most ${MAX_DECIMAL_PRECISION} digits; write a DOUBLE with an exponent, e.g. 1.5e40`);
  }
  return { op: 'literal', value: Number(text) + 0, type: decimal(precision, scale), nullable: false };
}

export const INTERVAL_UNIT_MS: Readonly<Record<IntervalLiteral['unit'], number>> = {
  MILLISECOND: 1,
  SECOND: 1_000,
  MINUTE: 60_000,
  HOUR: 3_600_000,
  DAY: 86_400_000,
};

/** `INTERVAL '1.5' SECOND` → 1500 milliseconds. */
export function intervalLiteral(node: IntervalLiteral, bag: DiagnosticBag): TypedExpr | undefined {
  const trimmed = node.value.trim();
  const ms = /^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(trimmed) ? Number(trimmed) * INTERVAL_UNIT_MS[node.unit] : NaN;
  // Tolerates the binary noise of decimal fractions (0.1 * 1000) but not sub-millisecond intervals.
  const rounded = Math.round(ms);
  if (!Number.isSafeInteger(rounded) || Math.abs(ms - rounded) > 1e-6) {
    bag.report(Diagnostics.BadIntervalLiteral, node.span, { value: node.value, unit: node.unit });
    return undefined;
  }
  return { op: 'literal', value: rounded, type: INTERVAL, nullable: false };
}

/** `TIMESTAMP '2024-01-31 12:00:00'` → epoch milliseconds, UTC. */
export function timestampLiteral(node: TimestampLiteral, bag: DiagnosticBag): TypedExpr | undefined {
  const value = parseSqlTimestamp(node.value);
  if (value === undefined) {
    const reason = SQL_TIMESTAMP.test(node.value.trim()) ? ': a field is out of range' : '';
    bag.report(Diagnostics.BadTimestampLiteral, node.span, { value: node.value, reason });
    return undefined;
  }
  return { op: 'literal', value, type: TIMESTAMP3, nullable: false };
}

import { DOUBLE, decimal, type SqlType } from '../../types/sql-type.js';
import { MAX_DECIMAL_PRECISION } from '../../expressions/coercion.js';
import { Diagnostics } from '../../diagnostics/catalogue.js';
import { anyNullable, callHelper, checkParams, literalValue, simpleFunction, type Builtin } from './builtin.js';

/** Keeps values that are within a few ulps below a .5 boundary (1.005 * 100 = 100.49999999999999) rounding up. */
const ROUNDING_NUDGE = 1 + 4 * Number.EPSILON;

/**
 * Rounds half away from zero (Java's HALF_UP, which Flink uses for ROUND and DECIMAL) to `digits` fractional
 * digits; negative `digits` round to tens, hundreds, ….
 */
export function roundHalfUp(x: number, digits: number): number {
  if (!Number.isFinite(x)) return x;
  const scale = 10 ** Math.abs(digits);
  const magnitude = digits >= 0 ? Math.round(Math.abs(x) * scale * ROUNDING_NUDGE) / scale : Math.round((Math.abs(x) / scale) * ROUNDING_NUDGE) * scale;
  return magnitude === 0 ? 0 : x < 0 ? -magnitude : magnitude;
}

const rounders = new Map<number, (x: number) => number>();

/** The rounding of DECIMAL(p, s) results to `s` digits, one shared closure per scale. */
export function decimalRounder(scale: number): (x: number) => number {
  let rounder = rounders.get(scale);
  if (rounder === undefined) {
    const factor = 10 ** scale;
    rounder = (x) => {
      const magnitude = Math.round(Math.abs(x) * factor * ROUNDING_NUDGE) / factor;
      return magnitude === 0 ? 0 : x < 0 ? -magnitude : magnitude;
    };
    rounders.set(scale, rounder);
  }
  return rounder;
}

function sameTypeAsFirst(args: readonly { readonly type: SqlType }[]): SqlType {
  return args[0]!.type;
}

/** CEIL and FLOOR of DECIMAL(p, s) drop the fraction: DECIMAL(p - s + 1, 0) (Flink). */
function integralResult(args: readonly { readonly type: SqlType }[]): SqlType {
  const type = args[0]!.type;
  return type.name === 'DECIMAL' ? decimal(Math.min(MAX_DECIMAL_PRECISION, type.precision - type.scale + 1), 0) : type;
}

function ceilOrFloor(name: 'CEIL' | 'FLOOR'): Builtin {
  const method = name === 'CEIL' ? 'Math.ceil' : 'Math.floor';
  return simpleFunction({
    name,
    signature: `${name}(x NUMERIC) → the type of x (DECIMAL(p, s) gives DECIMAL(p - s + 1, 0))`,
    params: ['NUMERIC'],
    returns: integralResult,
    emit: ([x], call) => (call.type.name === 'INT' || call.type.name === 'BIGINT' ? x! : `(${method}(${x}) + 0)`),
  });
}

function doubleFunction(name: string, params: 1 | 2, body: (args: readonly string[]) => string, signature: string): Builtin {
  return simpleFunction({
    name,
    signature,
    params: params === 1 ? ['NUMERIC'] : ['NUMERIC', 'NUMERIC'],
    returns: DOUBLE,
    emit: (args) => body(args),
  });
}

/** The result type of ROUND(DECIMAL(p, s), r), Flink's `findRoundDecimalType`. */
function roundedDecimal(precision: number, scale: number, digits: number): SqlType {
  if (digits >= scale) return decimal(precision, scale);
  if (digits < 0) return decimal(Math.min(MAX_DECIMAL_PRECISION, 1 + precision - scale), 0);
  return decimal(Math.min(MAX_DECIMAL_PRECISION, 1 + precision - scale + digits), digits);
}

const round: Builtin = {
  name: 'ROUND',
  signature: 'ROUND(x NUMERIC[, digits INT]) → the type of x, rounded half away from zero',
  minArgs: 1,
  maxArgs: 2,
  check: (args, ctx) => {
    if (!checkParams(args, ['NUMERIC', 'INTEGER'], ctx)) return undefined;
    const x = args[0]!.type;
    if (x.name !== 'DECIMAL') return { type: x, nullable: anyNullable(args) };
    // A DECIMAL's result scale depends on the digits, so they must be known when compiling.
    const digits = args.length < 2 ? 0 : literalValue(args[1]);
    if (typeof digits !== 'number') {
      return ctx.report(Diagnostics.ConstantArgumentRequired, 1, {
        position: 2,
        name: 'ROUND',
        signature: 'ROUND(x DECIMAL(p, s), digits INT literal)',
        example: 'ROUND(price, 2)',
      });
    }
    return { type: roundedDecimal(x.precision, x.scale, digits), nullable: anyNullable(args) };
  },
  runtime: {
    nulls: 'propagate',
    emit: ([x, digits], call, g) => {
      const rounded = callHelper(g, roundHalfUp, [x!, digits ?? '0']);
      return call.type.name === 'INT' ? `(${rounded} | 0)` : rounded;
    },
  },
};

export const mathFunctions: readonly Builtin[] = [
  simpleFunction({
    name: 'ABS',
    signature: 'ABS(x NUMERIC) → the type of x',
    params: ['NUMERIC'],
    returns: sameTypeAsFirst,
    emit: ([x], call) => (call.type.name === 'INT' ? `(Math.abs(${x}) | 0)` : `Math.abs(${x})`),
  }),
  ceilOrFloor('CEIL'),
  ceilOrFloor('FLOOR'),
  round,
  simpleFunction({
    name: 'SIGN',
    signature: 'SIGN(x NUMERIC) → the type of x: -1, 0 or 1',
    params: ['NUMERIC'],
    returns: sameTypeAsFirst,
    emit: ([x]) => `(Math.sign(${x}) + 0)`,
  }),
  doubleFunction('POWER', 2, ([x, y]) => `Math.pow(${x}, ${y})`, 'POWER(x NUMERIC, y NUMERIC) → DOUBLE'),
  doubleFunction('SQRT', 1, ([x]) => `Math.sqrt(${x})`, 'SQRT(x NUMERIC) → DOUBLE (NaN below zero)'),
  doubleFunction('LN', 1, ([x]) => `Math.log(${x})`, 'LN(x NUMERIC) → DOUBLE'),
  doubleFunction('LOG10', 1, ([x]) => `Math.log10(${x})`, 'LOG10(x NUMERIC) → DOUBLE'),
  doubleFunction('LOG2', 1, ([x]) => `Math.log2(${x})`, 'LOG2(x NUMERIC) → DOUBLE'),
  simpleFunction({
    name: 'LOG',
    signature: 'LOG(x NUMERIC) → DOUBLE (natural logarithm), LOG(base NUMERIC, x NUMERIC) → DOUBLE',
    params: ['NUMERIC', 'NUMERIC'],
    required: 1,
    returns: DOUBLE,
    emit: ([a, b]) => (b === undefined ? `Math.log(${a})` : `(Math.log(${b}) / Math.log(${a}))`),
  }),
  doubleFunction('EXP', 1, ([x]) => `Math.exp(${x})`, 'EXP(x NUMERIC) → DOUBLE'),
  simpleFunction({ name: 'PI', signature: 'PI() → DOUBLE', params: [], returns: DOUBLE, emit: () => 'Math.PI' }),
];

/** Other names for the same functions, as Flink accepts them. */
export const mathAliases: ReadonlyMap<string, string> = new Map([
  ['CEILING', 'CEIL'],
  ['POW', 'POWER'],
]);

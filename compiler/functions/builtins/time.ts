import { Diagnostics } from '../../diagnostics/catalogue.js';
import type { TypedExpr } from '../../expressions/typed-expr.js';
import { BIGINT, STRING, TIMESTAMP3 } from '../../types/sql-type.js';
import { callHelper, literalValue, simpleFunction, type Builtin, type CodeGen, type TypeCheckContext } from './builtin.js';
import { compileDateTimePattern, parseSqlTimestamp, patternCache, type DateTimePattern } from './datetime-pattern.js';

/**
 * Date-time functions over TIMESTAMP(3) values (epoch milliseconds, UTC). Field extraction is arithmetic on
 * the epoch value, allocation-free; formatting and parsing go through patterns compiled once.
 */

const MS_PER_DAY = 86_400_000;

function floorMod(x: number, m: number): number {
  return ((x % m) + m) % m;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** The (year, month, day) of an epoch-millisecond value, packed as year * 10000 + month * 100 + day (`civil_from_days`). */
function civil(epochMs: number): number {
  const z = Math.floor(epochMs / MS_PER_DAY) + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  return year * 10000 + month * 100 + day;
}

export const yearOf = (ms: number): number => Math.floor(civil(ms) / 10000);
export const monthOf = (ms: number): number => Math.floor(civil(ms) / 100) % 100;
export const dayOf = (ms: number): number => civil(ms) % 100;
const quarterOf = (ms: number): number => Math.floor((monthOf(ms) - 1) / 3) + 1;
const dayOfYear = (ms: number): number => Math.floor(ms / MS_PER_DAY) - daysFromCivil(yearOf(ms), 1, 1) + 1;
/** 1 = Sunday … 7 = Saturday, as Flink's DAYOFWEEK; 1970-01-01 was a Thursday. */
const dayOfWeek = (ms: number): number => floorMod(Math.floor(ms / MS_PER_DAY) + 4, 7) + 1;
const hourOf = (ms: number): number => Math.floor(floorMod(ms, MS_PER_DAY) / 3_600_000);
const minuteOf = (ms: number): number => Math.floor(floorMod(ms, 3_600_000) / 60_000);
const secondOf = (ms: number): number => Math.floor(floorMod(ms, 60_000) / 1000);

function extraction(name: string, field: (ms: number) => number, what: string): Builtin {
  return simpleFunction({
    name,
    signature: `${name}(ts TIMESTAMP(3)) → BIGINT (${what})`,
    params: ['TIMESTAMP'],
    returns: BIGINT,
    emit: ([ts], _call, g) => callHelper(g, field, [ts!]),
  });
}

/** A literal format must be a valid pattern; the error points at it before the job runs. */
function validatePattern(index: number): (args: readonly TypedExpr[], ctx: TypeCheckContext) => boolean {
  return (args, ctx) => {
    const pattern = literalValue(args[index]);
    if (typeof pattern !== 'string') return true;
    const compiled = compileDateTimePattern(pattern);
    if (typeof compiled !== 'string') return true;
    ctx.report(Diagnostics.InvalidDateTimePattern, index, { pattern, reason: compiled });
    return false;
  };
}

/**
 * The JS for "the compiled pattern of argument `index`": a constant when the format is a literal, else a
 * cached lookup that may give undefined for an invalid pattern. Without the argument, `fallback` is used.
 */
function patternArgument(g: CodeGen, args: readonly TypedExpr[], values: readonly string[], index: number, fallback: string): string {
  const literal = args.length > index ? literalValue(args[index]) : fallback;
  if (typeof literal === 'string') return g.constant(compileDateTimePattern(literal));
  return `${g.constant(patternCache())}(${values[index]})`;
}

const formatNotLiteral = (index: number) => (args: readonly TypedExpr[]) => args.length > index && literalValue(args[index]) === undefined;

const DEFAULT_FORMAT = 'yyyy-MM-dd HH:mm:ss';

function format(epochMs: number | string, pattern: DateTimePattern | undefined): string | null {
  const ms = typeof epochMs === 'string' ? parseSqlTimestamp(epochMs) : epochMs;
  return ms === undefined || pattern === undefined ? null : pattern.format(ms);
}

function parse(text: string, pattern: DateTimePattern | undefined): number | null {
  return pattern?.parse(text) ?? null;
}

/** TO_TIMESTAMP(s) without a format accepts any SQL timestamp text (with or without fraction or time). */
function parseDefault(text: string): number | null {
  return parseSqlTimestamp(text) ?? null;
}

function toSeconds(ms: number | null): number | null {
  return ms === null ? null : Math.floor(ms / 1000);
}

export const timeFunctions: readonly Builtin[] = [
  simpleFunction({
    name: 'DATE_FORMAT',
    signature: "DATE_FORMAT(ts TIMESTAMP(3) or STRING, format STRING) → STRING, e.g. DATE_FORMAT(ts, 'yyyy-MM-dd HH:mm')",
    params: ['ANY', 'STRING'],
    returns: STRING,
    mayReturnNull: (args) => args[0]!.type.name === 'STRING' || formatNotLiteral(1)(args),
    validate: (args, ctx) => {
      const type = args[0]!.type.name;
      if (type === 'TIMESTAMP' || type === 'STRING' || type === 'NULL') return validatePattern(1)(args, ctx);
      ctx.badArgument(0, 'TIMESTAMP(3) or STRING');
      return false;
    },
    emit: (values, call, g) => callHelper(g, format, [values[0]!, patternArgument(g, call.args, values, 1, DEFAULT_FORMAT)]),
  }),
  simpleFunction({
    name: 'TO_TIMESTAMP',
    signature: "TO_TIMESTAMP(s STRING[, format STRING]) → TIMESTAMP(3) (UTC; NULL when s does not match), e.g. TO_TIMESTAMP(s, 'dd/MM/yyyy HH:mm')",
    params: ['STRING', 'STRING'],
    required: 1,
    returns: TIMESTAMP3,
    mayReturnNull: true,
    validate: validatePattern(1),
    emit: (values, call, g) =>
      values.length === 1 ? callHelper(g, parseDefault, values) : callHelper(g, parse, [values[0]!, patternArgument(g, call.args, values, 1, DEFAULT_FORMAT)]),
  }),
  simpleFunction({
    name: 'UNIX_TIMESTAMP',
    signature: "UNIX_TIMESTAMP(s STRING[, format STRING]) → BIGINT (seconds since the epoch; NULL when s does not match; format 'yyyy-MM-dd HH:mm:ss' by default)",
    params: ['STRING', 'STRING'],
    required: 1,
    returns: BIGINT,
    mayReturnNull: true,
    validate: validatePattern(1),
    emit: (values, call, g) => callHelper(g, toSeconds, [callHelper(g, parse, [values[0]!, patternArgument(g, call.args, values, 1, DEFAULT_FORMAT)])]),
  }),
  simpleFunction({
    name: 'FROM_UNIXTIME',
    signature: "FROM_UNIXTIME(seconds BIGINT[, format STRING]) → STRING (format 'yyyy-MM-dd HH:mm:ss' by default)",
    params: ['INTEGER', 'STRING'],
    required: 1,
    returns: STRING,
    mayReturnNull: formatNotLiteral(1),
    validate: validatePattern(1),
    emit: (values, call, g) => callHelper(g, format, [`${values[0]} * 1000`, patternArgument(g, call.args, values, 1, DEFAULT_FORMAT)]),
  }),
  simpleFunction({
    name: 'TO_TIMESTAMP_LTZ',
    signature: 'TO_TIMESTAMP_LTZ(epoch NUMERIC, precision INT) → TIMESTAMP(3); precision 3 reads milliseconds, 0 seconds',
    params: ['NUMERIC', 'INTEGER'],
    returns: TIMESTAMP3,
    validate: (args, ctx) => {
      const precision = literalValue(args[1]);
      if (precision === 0 || precision === 3) return true;
      ctx.report(Diagnostics.ConstantArgumentRequired, 1, {
        position: 2,
        name: 'TO_TIMESTAMP_LTZ',
        signature: 'TO_TIMESTAMP_LTZ(epoch NUMERIC, precision 0 or 3)',
        example: 'TO_TIMESTAMP_LTZ(ts_millis, 3)',
      });
      return false;
    },
    emit: ([epoch], call) => (literalValue(call.args[1]) === 0 ? `Math.floor(${epoch} * 1000)` : `Math.floor(${epoch})`),
  }),
  extraction('YEAR', yearOf, 'the year'),
  extraction('QUARTER', quarterOf, '1 to 4'),
  extraction('MONTH', monthOf, '1 to 12'),
  extraction('DAYOFMONTH', dayOf, '1 to 31'),
  extraction('DAYOFYEAR', dayOfYear, '1 to 366'),
  extraction('DAYOFWEEK', dayOfWeek, '1 = Sunday to 7 = Saturday'),
  extraction('HOUR', hourOf, '0 to 23'),
  extraction('MINUTE', minuteOf, '0 to 59'),
  extraction('SECOND', secondOf, '0 to 59'),
];

export const timeAliases: ReadonlyMap<string, string> = new Map([['DAY', 'DAYOFMONTH']]);

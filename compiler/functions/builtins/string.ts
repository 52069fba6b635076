import { Diagnostics } from '../../diagnostics/catalogue.js';
import type { TypedExpr } from '../../expressions/typed-expr.js';
import { BOOLEAN, INT, STRING } from '../../types/sql-type.js';
import { callHelper, literalValue, simpleFunction, type Builtin, type CodeGen, type TypeCheckContext } from './builtin.js';

/**
 * String functions with Flink's semantics. Lengths and positions count code points (Flink works on UTF-8), so
 * the helpers take a fast path when a string has no surrogate pairs.
 */

const SURROGATE = /[\uD800-\uDFFF]/;

export function charLength(s: string): number {
  return SURROGATE.test(s) ? [...s].length : s.length;
}

/** SQL TRIM removes spaces only, not all whitespace. */
function trimSpaces(s: string, left: boolean, right: boolean): string {
  let start = 0;
  let end = s.length;
  if (left) while (start < end && s.charCodeAt(start) === 32) start++;
  if (right) while (end > start && s.charCodeAt(end - 1) === 32) end--;
  return start === 0 && end === s.length ? s : s.slice(start, end);
}

/** SUBSTRING(s, start[, length]), 1-based; a negative start counts from the end (Flink's `substringSQL`). */
export function substring(s: string, position: number, length?: number): string {
  const chars = SURROGATE.test(s) ? [...s] : undefined;
  const size = chars?.length ?? s.length;
  let start = position > 0 ? position - 1 : position < 0 ? size + position : 0;
  const end = Math.min(length === undefined ? size : start + length, size);
  start = Math.max(start, 0);
  if (start >= end) return '';
  return chars === undefined ? s.slice(start, end) : chars.slice(start, end).join('');
}

/** The `index`-th (0-based) piece of `s` split at `separator`; NULL when there is no such piece. */
function splitIndex(s: string, separator: string, index: number): string | null {
  if (index < 0 || separator === '') return null;
  return s.split(separator)[index] ?? null;
}

/** REPLACE leaves the string unchanged for an empty search string, as Flink does. */
function replaceAll(s: string, search: string, replacement: string): string {
  return search === '' ? s : s.split(search).join(replacement);
}

function initcap(s: string): string {
  return s.toLowerCase().replace(/[\p{L}\p{N}]+/gu, (word) => word.charAt(0).toUpperCase() + word.slice(1));
}

/** LPAD/RPAD to `length` code points; a shorter target truncates; NULL for a negative length or an empty pad. */
function pad(left: boolean): (s: string, length: number, fill: string) => string | null {
  return (s, length, fill) => {
    if (length < 0) return null;
    const size = charLength(s);
    if (length <= size) return substring(s, 1, length);
    if (fill === '') return null;
    const padding = substring(fill.repeat(Math.ceil((length - size) / charLength(fill))), 1, length - size);
    return left ? padding + s : s + padding;
  };
}

function reverse(s: string): string {
  return SURROGATE.test(s) ? [...s].reverse().join('') : s.split('').reverse().join('');
}

/** LOCATE(needle, haystack[, from]): the 1-based code-point position of the first match at or after `from`, 0 if none. */
function locate(needle: string, haystack: string, from = 1): number {
  if (from < 1) return 0;
  if (!SURROGATE.test(haystack)) return haystack.indexOf(needle, from - 1) + 1;
  const chars = [...haystack];
  const offset = chars.slice(0, from - 1).join('').length;
  const at = haystack.indexOf(needle, offset);
  return at < 0 ? 0 : charLength(haystack.slice(0, at)) + 1;
}

function repeat(s: string, times: number): string {
  return times <= 0 ? '' : s.repeat(times);
}

/** Compiles a regex given as text, or returns the reason it is invalid. */
function compileRegex(pattern: string, flags: string): RegExp | string {
  try {
    return new RegExp(pattern, flags);
  } catch (error) {
    return (error as Error).message.replace(/^Invalid regular expression: /, '');
  }
}

/** A literal regex argument must compile; the error points at it before the job runs. */
function validateRegex(index: number): (args: readonly TypedExpr[], ctx: TypeCheckContext) => boolean {
  return (args, ctx) => {
    const pattern = literalValue(args[index]);
    if (typeof pattern !== 'string') return true;
    const compiled = compileRegex(pattern, '');
    if (typeof compiled !== 'string') return true;
    ctx.report(Diagnostics.InvalidRegex, index, { pattern, reason: compiled });
    return false;
  };
}

/**
 * A regex argument: compiled once when it is a literal, else through a per-expression cache of compiled
 * patterns (an invalid one gives null, and the function NULL, as in Flink).
 */
function regexArgument(g: CodeGen, arg: TypedExpr, code: string, flags: string): string {
  const pattern = literalValue(arg);
  if (typeof pattern === 'string') return g.constant(compileRegex(pattern, flags));
  const cache = new Map<string, RegExp | null>();
  const lookup = (text: string): RegExp | null => {
    let re = cache.get(text);
    if (re === undefined) {
      const compiled = compileRegex(text, flags);
      re = typeof compiled === 'string' ? null : compiled;
      if (cache.size < 1000) cache.set(text, re);
    }
    return re;
  };
  return `${g.constant(lookup)}(${code})`;
}

const regexNotLiteral = (index: number) => (args: readonly TypedExpr[]) => literalValue(args[index]) === undefined;

function regexpExtract(s: string, re: RegExp | null, group = 0): string | null {
  if (re === null) return null;
  const m = re.exec(s);
  return m === null ? null : (m[group] ?? null);
}

function regexpReplace(s: string, re: RegExp | null, replacement: string): string | null {
  return re === null ? null : s.replace(re, replacement);
}

function regexpMatches(s: string, re: RegExp | null): boolean | null {
  return re === null ? null : re.test(s);
}

/**
 * A matcher for a SQL LIKE pattern (`%` any run, `_` one character, no escape character). Common shapes
 * become plain string tests; the rest a RegExp.
 */
export function likeMatcher(pattern: string): (s: string) => boolean {
  if (!/[%_]/.test(pattern)) return (s) => s === pattern;
  const inner = pattern.slice(1, -1);
  const plainInner = !/[%_]/.test(inner);
  if (pattern.length >= 2 && pattern.startsWith('%') && pattern.endsWith('%') && plainInner) return (s) => s.includes(inner);
  if (pattern.endsWith('%') && !/[%_]/.test(pattern.slice(0, -1))) return (s) => s.startsWith(pattern.slice(0, -1));
  if (pattern.startsWith('%') && !/[%_]/.test(pattern.slice(1))) return (s) => s.endsWith(pattern.slice(1));
  const source = pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/%/g, '.*').replace(/_/g, '.');
  const re = new RegExp(`^${source}$`, 'su');
  return (s) => re.test(s);
}

/** LIKE with a pattern that is not a literal: matchers cached per pattern. */
function likeWithPattern(): (s: string, pattern: string) => boolean {
  const cache = new Map<string, (s: string) => boolean>();
  return (s, pattern) => {
    let matcher = cache.get(pattern);
    if (matcher === undefined) {
      matcher = likeMatcher(pattern);
      if (cache.size < 1000) cache.set(pattern, matcher);
    }
    return matcher(s);
  };
}

function like(negated: boolean): Builtin {
  const name = negated ? 'NOT_LIKE' : 'LIKE';
  return simpleFunction({
    name,
    signature: `s ${negated ? 'NOT ' : ''}LIKE pattern (STRING; % matches any run of characters, _ one character)`,
    params: ['STRING', 'STRING'],
    returns: BOOLEAN,
    emit: ([s, pattern], call, g) => {
      const literal = literalValue(call.args[1]);
      const test = typeof literal === 'string' ? `${g.constant(likeMatcher(literal))}(${s})` : `${g.constant(likeWithPattern())}(${s}, ${pattern})`;
      return negated ? `!${test}` : test;
    },
  });
}

function trimFunction(name: string, left: boolean, right: boolean): Builtin {
  return simpleFunction({
    name,
    signature: `${name}(s STRING) → STRING`,
    params: ['STRING'],
    returns: STRING,
    emit: ([s], _call, g) => callHelper(g, trimSpaces, [s!, String(left), String(right)]),
  });
}

function padFunction(name: 'LPAD' | 'RPAD'): Builtin {
  return simpleFunction({
    name,
    signature: `${name}(s STRING, length INT, pad STRING) → STRING (NULL for a negative length or an empty pad)`,
    params: ['STRING', 'INTEGER', 'STRING'],
    returns: STRING,
    mayReturnNull: true,
    emit: (args, _call, g) => callHelper(g, pad(name === 'LPAD'), args),
  });
}

/** LIKE is an operator, not callable by name. */
export const likeOperators: readonly Builtin[] = [like(false), like(true)];

export const stringFunctions: readonly Builtin[] = [
  simpleFunction({ name: 'UPPER', signature: 'UPPER(s STRING) → STRING', params: ['STRING'], returns: STRING, emit: ([s]) => `${s}.toUpperCase()` }),
  simpleFunction({ name: 'LOWER', signature: 'LOWER(s STRING) → STRING', params: ['STRING'], returns: STRING, emit: ([s]) => `${s}.toLowerCase()` }),
  trimFunction('TRIM', true, true),
  trimFunction('LTRIM', true, false),
  trimFunction('RTRIM', false, true),
  simpleFunction({
    name: 'CHAR_LENGTH',
    signature: 'CHAR_LENGTH(s STRING) → INT (code points)',
    params: ['STRING'],
    returns: INT,
    emit: ([s], _call, g) => callHelper(g, charLength, [s!]),
  }),
  simpleFunction({
    name: 'SUBSTRING',
    signature: 'SUBSTRING(s STRING, start INT[, length INT]) → STRING (1-based; a negative start counts from the end)',
    params: ['STRING', 'INTEGER', 'INTEGER'],
    required: 2,
    returns: STRING,
    emit: (args, _call, g) => callHelper(g, substring, args),
  }),
  simpleFunction({
    name: 'CONCAT',
    signature: 'CONCAT(s STRING, …) → STRING (NULL if any argument is NULL)',
    params: ['STRING'],
    variadic: true,
    required: 1,
    returns: STRING,
    emit: (args) => `(${['""', ...args].join(' + ')})`,
  }),
  {
    // Not NULL-propagating: NULL arguments after the separator are skipped.
    name: 'CONCAT_WS',
    signature: 'CONCAT_WS(separator STRING, s STRING, …) → STRING (NULL arguments are skipped)',
    minArgs: 2,
    maxArgs: Infinity,
    check: (args, ctx) => {
      const bad = args.findIndex((a) => a.type.name !== 'STRING' && a.type.name !== 'NULL');
      return bad >= 0 ? ctx.badArgument(bad, 'STRING') : { type: STRING, nullable: args[0]!.nullable };
    },
    runtime: {
      nulls: 'custom',
      emit: (call, g) => {
        const [separator, ...parts] = call.args.map((a) => g.value(a));
        const joined = `${g.constant(concatWs)}(${separator}, [${parts.join(', ')}])`;
        return call.args[0]!.nullable ? `(${separator} == null ? null : ${joined})` : joined;
      },
    },
  },
  simpleFunction({
    name: 'REPLACE',
    signature: 'REPLACE(s STRING, search STRING, replacement STRING) → STRING (every occurrence)',
    params: ['STRING', 'STRING', 'STRING'],
    returns: STRING,
    emit: (args, _call, g) => callHelper(g, replaceAll, args),
  }),
  simpleFunction({
    name: 'LOCATE',
    signature: 'LOCATE(needle STRING, haystack STRING[, from INT]) → INT (1-based, 0 when absent)',
    params: ['STRING', 'STRING', 'INTEGER'],
    required: 2,
    returns: INT,
    emit: (args, _call, g) => callHelper(g, locate, args),
  }),
  simpleFunction({
    name: 'SPLIT_INDEX',
    signature: 'SPLIT_INDEX(s STRING, separator STRING, index INT) → STRING (0-based; NULL past the end)',
    params: ['STRING', 'STRING', 'INTEGER'],
    returns: STRING,
    mayReturnNull: true,
    emit: (args, _call, g) => callHelper(g, splitIndex, args),
  }),
  simpleFunction({
    name: 'REGEXP_EXTRACT',
    signature: 'REGEXP_EXTRACT(s STRING, regex STRING[, group INT]) → STRING (group 0, the whole match, by default; NULL without a match)',
    params: ['STRING', 'STRING', 'INTEGER'],
    required: 2,
    returns: STRING,
    mayReturnNull: true,
    validate: validateRegex(1),
    emit: ([s, regex, group], call, g) => callHelper(g, regexpExtract, [s!, regexArgument(g, call.args[1]!, regex!, ''), ...(group === undefined ? [] : [group])]),
  }),
  simpleFunction({
    name: 'REGEXP_REPLACE',
    signature: 'REGEXP_REPLACE(s STRING, regex STRING, replacement STRING) → STRING (every match; $1 refers to a group)',
    params: ['STRING', 'STRING', 'STRING'],
    returns: STRING,
    mayReturnNull: regexNotLiteral(1),
    validate: validateRegex(1),
    emit: ([s, regex, replacement], call, g) => callHelper(g, regexpReplace, [s!, regexArgument(g, call.args[1]!, regex!, 'g'), replacement!]),
  }),
  simpleFunction({
    name: 'REGEXP',
    signature: 'REGEXP(s STRING, regex STRING) → BOOLEAN (whether some part of s matches)',
    params: ['STRING', 'STRING'],
    returns: BOOLEAN,
    mayReturnNull: regexNotLiteral(1),
    validate: validateRegex(1),
    emit: ([s, regex], call, g) => callHelper(g, regexpMatches, [s!, regexArgument(g, call.args[1]!, regex!, '')]),
  }),
  simpleFunction({
    name: 'INITCAP',
    signature: 'INITCAP(s STRING) → STRING (each word capitalised)',
    params: ['STRING'],
    returns: STRING,
    emit: ([s], _call, g) => callHelper(g, initcap, [s!]),
  }),
  padFunction('LPAD'),
  padFunction('RPAD'),
  simpleFunction({
    name: 'REVERSE',
    signature: 'REVERSE(s STRING) → STRING',
    params: ['STRING'],
    returns: STRING,
    emit: ([s], _call, g) => callHelper(g, reverse, [s!]),
  }),
  simpleFunction({
    name: 'REPEAT',
    signature: 'REPEAT(s STRING, times INT) → STRING',
    params: ['STRING', 'INTEGER'],
    returns: STRING,
    emit: (args, _call, g) => callHelper(g, repeat, args),
  }),
];

function concatWs(separator: string, parts: readonly (string | null)[]): string {
  return parts.filter((p) => p != null).join(separator);
}

export const stringAliases: ReadonlyMap<string, string> = new Map([
  ['LENGTH', 'CHAR_LENGTH'],
  ['CHARACTER_LENGTH', 'CHAR_LENGTH'],
  ['SUBSTR', 'SUBSTRING'],
  ['POSITION', 'LOCATE'],
]);


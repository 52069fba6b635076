/**
 * Timestamps are epoch milliseconds in UTC. This module turns them into text and back: the fixed SQL form
 * (`2024-01-31 12:00:00.000`, used by literals and CAST) and Java-style patterns (DATE_FORMAT, TO_TIMESTAMP),
 * each pattern compiled once into a formatter and a parser.
 */

const MS_PER_DAY = 86_400_000;
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

/** Epoch milliseconds of a UTC date-time, or undefined when a field is out of range (Feb 30, hour 24, …). */
export function utcMillis(year: number, month: number, day: number, hour = 0, minute = 0, second = 0, millis = 0): number | undefined {
  if (year < 0 || year > 9999 || month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return undefined;
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, millis);
  return date.getUTCDate() === day ? date.getTime() : undefined;
}

/** The shape of a SQL timestamp text (fields not yet range-checked). */
export const SQL_TIMESTAMP = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?$/;

/**
 * `yyyy-MM-dd[ HH:mm[:ss[.fraction]]]` (also with `T`), read as UTC; digits beyond milliseconds are dropped
 * as TIMESTAMP(3) does. Undefined when the text is not such a timestamp.
 */
export function parseSqlTimestamp(text: string): number | undefined {
  const m = SQL_TIMESTAMP.exec(text.trim());
  if (m === null) return undefined;
  const millis = m[7] === undefined ? 0 : Number(m[7].slice(0, 3).padEnd(3, '0'));
  return utcMillis(Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0), millis);
}

/** `2024-01-31 12:00:00.000`: how TIMESTAMP(3) values print (CAST to STRING, sinks). */
export function formatSqlTimestamp(epochMs: number): string {
  const d = new Date(epochMs);
  return (
    `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)} ` +
    `${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}.${pad(d.getUTCMilliseconds(), 3)}`
  );
}

export interface DateTimePattern {
  readonly format: (epochMs: number) => string;
  /** Undefined when the text does not match the pattern or names an impossible date. */
  readonly parse: (text: string) => number | undefined;
}

/** Fields a parsed text can set; unset fields default to 1970-01-01 00:00:00.000. */
interface Parsed {
  year: number;
  month: number;
  day: number;
  hour: number;
  hour12: number | undefined;
  pm: boolean | undefined;
  minute: number;
  second: number;
  millis: number;
}

/** One element of a compiled pattern: how it prints, and the regex group and setter that read it back. */
interface Element {
  readonly print: (d: Date) => string;
  readonly regex: string;
  readonly read?: (text: string, into: Parsed) => void;
}

function literal(text: string): Element {
  return { print: () => text, regex: text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') };
}

function numeric(get: (d: Date) => number, count: number, set: (value: number, into: Parsed) => void): Element {
  return { print: (d) => pad(get(d), count), regex: count === 1 ? '(\\d{1,2})' : `(\\d{${count}})`, read: (t, into) => set(Number(t), into) };
}

function names(list: readonly string[], get: (d: Date) => number, count: number, set?: (index: number, into: Parsed) => void): Element {
  const shown = count >= 4 ? list : list.map((n) => n.slice(0, 3));
  const lower = shown.map((n) => n.toLowerCase());
  return {
    print: (d) => shown[get(d)]!,
    regex: `(${shown.join('|')})`,
    ...(set === undefined ? {} : { read: (t: string, into: Parsed) => set(lower.indexOf(t.toLowerCase()), into) }),
  };
}

function dayOfYear(d: Date): number {
  return Math.floor((d.getTime() - Date.UTC(d.getUTCFullYear(), 0, 1)) / MS_PER_DAY) + 1;
}

function element(letter: string, count: number): Element | string {
  switch (letter) {
    case 'y':
      return count === 2
        ? { print: (d) => pad(d.getUTCFullYear() % 100, 2), regex: '(\\d{2})', read: (t, into) => void (into.year = 2000 + Number(t)) }
        : { print: (d) => pad(d.getUTCFullYear(), count), regex: `(\\d{${Math.max(count, 4)}})`, read: (t, into) => void (into.year = Number(t)) };
    case 'M':
      return count >= 3
        ? names(MONTHS, (d) => d.getUTCMonth(), count, (i, into) => void (into.month = i + 1))
        : numeric((d) => d.getUTCMonth() + 1, count, (v, into) => void (into.month = v));
    case 'd':
      return numeric((d) => d.getUTCDate(), count, (v, into) => void (into.day = v));
    case 'H':
      return numeric((d) => d.getUTCHours(), count, (v, into) => void (into.hour = v));
    case 'h':
      return numeric((d) => d.getUTCHours() % 12 || 12, count, (v, into) => void (into.hour12 = v));
    case 'm':
      return numeric((d) => d.getUTCMinutes(), count, (v, into) => void (into.minute = v));
    case 's':
      return numeric((d) => d.getUTCSeconds(), count, (v, into) => void (into.second = v));
    case 'S':
      return {
        print: (d) => pad(d.getUTCMilliseconds(), 3).padEnd(count, '0').slice(0, count),
        regex: `(\\d{${count}})`,
        read: (t, into) => void (into.millis = Number(t.slice(0, 3).padEnd(3, '0'))),
      };
    case 'a':
      return { print: (d) => (d.getUTCHours() < 12 ? 'AM' : 'PM'), regex: '(AM|PM|am|pm)', read: (t, into) => void (into.pm = t.toUpperCase() === 'PM') };
    case 'E':
      return names(WEEKDAYS, (d) => d.getUTCDay(), count, () => undefined);
    case 'D':
      return { print: (d) => pad(dayOfYear(d), count), regex: '(\\d{1,3})' };
    default:
      return `pattern letter '${letter}' is not supported`;
  }
}

/** Splits a Java-style pattern into elements: runs of one letter, `'quoted text'` (`''` is a quote), other characters. */
function tokenize(pattern: string): Element[] | string {
  const elements: Element[] = [];
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i]!;
    if (c === "'") {
      const close = pattern.indexOf("'", i + 1);
      if (close === i + 1) {
        elements.push(literal("'"));
        i += 2;
        continue;
      }
      if (close < 0) return 'an opening quote is not closed';
      elements.push(literal(pattern.slice(i + 1, close)));
      i = close + 1;
    } else if (/[A-Za-z]/.test(c)) {
      let j = i;
      while (pattern[j] === c) j++;
      const e = element(c, j - i);
      if (typeof e === 'string') return e;
      elements.push(e);
      i = j;
    } else {
      elements.push(literal(c));
      i++;
    }
  }
  return elements;
}

/** Compiles a Java-style date-time pattern once; a string result says why the pattern is invalid. */
export function compileDateTimePattern(pattern: string): DateTimePattern | string {
  const elements = tokenize(pattern);
  if (typeof elements === 'string') return elements;
  const regex = new RegExp(`^${elements.map((e) => e.regex).join('')}$`);
  const readers = elements.filter((e) => e.regex.startsWith('('));
  return {
    format: (epochMs) => {
      const d = new Date(epochMs);
      let out = '';
      for (const e of elements) out += e.print(d);
      return out;
    },
    parse: (text) => {
      const m = regex.exec(text.trim());
      if (m === null) return undefined;
      const p: Parsed = { year: 1970, month: 1, day: 1, hour: 0, hour12: undefined, pm: undefined, minute: 0, second: 0, millis: 0 };
      readers.forEach((e, i) => e.read?.(m[i + 1]!, p));
      if (p.hour12 !== undefined) {
        if (p.hour12 < 1 || p.hour12 > 12) return undefined;
        p.hour = (p.hour12 % 12) + (p.pm === true ? 12 : 0);
      }
      return utcMillis(p.year, p.month, p.day, p.hour, p.minute, p.second, p.millis);
    },
  };
}

/**
 * A cache of compiled patterns for formats that are not literals: formats are usually few, so compiling each
 * once and reusing it keeps the per-row cost at a map lookup. Invalid patterns are cached as undefined.
 */
export function patternCache(): (pattern: string) => DateTimePattern | undefined {
  const cache = new Map<string, DateTimePattern | undefined>();
  return (pattern) => {
    let compiled = cache.get(pattern);
    if (compiled === undefined && !cache.has(pattern)) {
      const result = compileDateTimePattern(pattern);
      compiled = typeof result === 'string' ? undefined : result;
      if (cache.size < 1000) cache.set(pattern, compiled);
    }
    return compiled;
  };
}

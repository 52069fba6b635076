import { formatDuration, parseDuration } from './durations.js';
import { parseMemorySize } from './memory-size.js';

/**
 * How one configuration value (a `SET` value or a connector option) is read. Settings keep the parsed value;
 * connector options keep its `canonical` text, so that the runtime reads one spelling only.
 */
export interface ValueType<T> {
  /** What is accepted, completing "'key' accepts …" in messages and the docs. */
  readonly accepted: string;
  parse(text: string): T | undefined;
  /** The normalised text stored in the job graph (durations in ms, sizes in bytes, enums in canonical case). */
  canonical(value: T): string;
  /** The spelling for people (docs, summaries): '10 min', not '600000'. */
  display(value: T): string;
}

const asText = (value: unknown): string => String(value);

/** ' from 0 to 1', ' ≥ 1', ' ≤ 5' or '' where the bound is the type's own. */
function describeRange(min: number, max: number, lowest: number, highest: number): string {
  if (min !== lowest && max !== highest) return ` from ${min} to ${max}`;
  if (min !== lowest) return ` ≥ ${min}`;
  return max !== highest ? ` ≤ ${max}` : '';
}

export function integerType(min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER): ValueType<number> {
  return {
    accepted: `a whole number${describeRange(min, max, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER)}`,
    parse: (text) => {
      if (!/^\s*-?\d+\s*$/.test(text)) return undefined;
      const value = Number(text);
      return Number.isSafeInteger(value) && value >= min && value <= max ? value : undefined;
    },
    canonical: asText,
    display: asText,
  };
}

/** A decimal number within [min, max]. */
export function numberType(min = -Infinity, max = Infinity): ValueType<number> {
  return {
    accepted: `a number${describeRange(min, max, -Infinity, Infinity)}`,
    parse: (text) => {
      if (!/^\s*-?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*$/.test(text)) return undefined;
      const value = Number(text);
      return Number.isFinite(value) && value >= min && value <= max ? value : undefined;
    },
    canonical: asText,
    display: asText,
  };
}

export function durationType(minMs = 0): ValueType<number> {
  const floor = minMs === 0 ? '' : ` of at least ${formatDuration(minMs)}`;
  return {
    accepted: `a duration${floor} such as '500 ms', '10 s', '1 min', '2 h' or '1 d' (a plain number is milliseconds)`,
    parse: (text) => {
      const ms = parseDuration(text);
      return ms !== undefined && ms >= minMs ? ms : undefined;
    },
    canonical: asText,
    display: formatDuration,
  };
}

export const memorySizeType: ValueType<number> = {
  accepted: "a size such as '128MB', '64 kb' or '1g' (a plain number is bytes)",
  parse: (text) => {
    const bytes = parseMemorySize(text);
    return bytes !== undefined && bytes > 0 ? bytes : undefined;
  },
  canonical: asText,
  display: asText,
};

/**
 * One of `values`, case-insensitively; `aliases` maps other accepted spellings (lower case) to a value, as Flink
 * accepts 'hashmap' for the heap backend.
 */
export function enumType<const V extends string>(
  values: readonly V[],
  aliases: Readonly<Record<string, V>> = {},
): ValueType<V> {
  const byLowerCase = new Map<string, V>(values.map((v) => [v.toLowerCase(), v]));
  for (const [alias, value] of Object.entries(aliases)) byLowerCase.set(alias, value);
  return {
    accepted: `one of ${values.map((v) => `'${v}'`).join(', ')}`,
    parse: (text) => byLowerCase.get(text.trim().toLowerCase()),
    canonical: asText,
    display: asText,
  };
}

export const booleanType: ValueType<boolean> = {
  accepted: "'true' or 'false'",
  parse: (text) => {
    const lower = text.trim().toLowerCase();
    return lower === 'true' ? true : lower === 'false' ? false : undefined;
  },
  canonical: asText,
  display: asText,
};

export const nonEmptyStringType: ValueType<string> = {
  accepted: 'a non-empty string',
  parse: (text) => (text.trim() === '' ? undefined : text),
  canonical: asText,
  display: asText,
};

/** A directory or file path; Flink's `file://` URIs are accepted and reduced to the path. */
export const pathType: ValueType<string> = {
  accepted: "a non-empty path (a 'file://' URI is accepted)",
  parse: (text) => {
    const path = text.startsWith('file://') ? text.slice('file://'.length) : text;
    return path.trim() === '' ? undefined : path;
  },
  canonical: asText,
  display: asText,
};

/** One character; `'\t'` written as backslash-t means a tab, as in Flink's csv format. */
export const characterType: ValueType<string> = {
  accepted: "a single character (write '\\t' for a tab)",
  parse: (text) => (text === '\\t' ? '\t' : [...text].length === 1 ? text : undefined),
  canonical: asText,
  display: (value) => (value === '\t' ? '\\t' : value),
};

const TIMESTAMP = /^\s*(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?)?Z?\s*$/;

/** A UTC timestamp, 'yyyy-MM-dd[ HH:mm[:ss[.SSS]]]' (a 'T' and a trailing 'Z' are accepted), or epoch milliseconds. */
export const timestampType: ValueType<number> = {
  accepted: "a UTC timestamp such as '2024-01-31 12:00:00' or '2024-01-31T12:00:00.000Z', or epoch milliseconds",
  parse: (text) => {
    if (/^\s*-?\d+\s*$/.test(text)) return Number.isSafeInteger(Number(text)) ? Number(text) : undefined;
    const match = TIMESTAMP.exec(text);
    if (match === null) return undefined;
    const [year, month, day, hour, minute, second] = match.slice(1, 7).map((part) => Number(part ?? 0)) as [number, number, number, number, number, number];
    const ms = Date.UTC(year, month - 1, day, hour, minute, second, Number((match[7] ?? '0').padEnd(3, '0')));
    // Date.UTC rolls over out-of-range fields (Feb 30 → Mar 2); a real timestamp reads back the same.
    const back = new Date(ms);
    const valid = back.getUTCFullYear() === year && back.getUTCMonth() === month - 1 && back.getUTCDate() === day && hour < 24 && minute < 60 && second < 60;
    return valid ? ms : undefined;
  },
  canonical: asText,
  display: (ms) => new Date(ms).toISOString(),
};

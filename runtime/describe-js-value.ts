/**
 * A JavaScript value as messages show it: text quoted (and cut when long), numbers and booleans as written, `12n`,
 * a Date as its ISO time, and containers and functions by what they are (their contents may be huge or cyclic).
 */
export function describeJsValue(value: unknown): string {
  switch (typeof value) {
    case 'string': {
      const text = JSON.stringify(value);
      return text.length > 60 ? `${text.slice(0, 56)}..."` : text;
    }
    case 'bigint':
      return `${value}n`;
    case 'function':
      return 'a function';
    case 'symbol':
      return 'a symbol';
    case 'object':
      if (value === null) return 'null';
      if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'an invalid Date' : `a Date (${value.toISOString()})`;
      if (Array.isArray(value)) return 'an array';
      return value.constructor === Object || Object.getPrototypeOf(value) === null ? 'an object' : `a ${value.constructor?.name ?? 'object'}`;
    default:
      return String(value);
  }
}

/**
 * TIMESTAMP(3) text in and out. Input: ISO-8601 with `T` or a space between date and time, seconds and fraction
 * optional, zone `Z`, `±hh:mm`, `±hhmm` or `±hh` optional (UTC when absent); a date alone is its midnight UTC.
 * Fraction digits beyond milliseconds are truncated, as TIMESTAMP(3) keeps milliseconds. Output: ISO-8601 UTC with
 * milliseconds, `2015-07-15T00:00:00.000Z`. Hand-written rather than `Date.parse`, which accepts many other
 * spellings, treats zone-less date-times as local time, and is slower.
 */

const DIGIT_0 = 48;

function digits(text: string, at: number, count: number): number {
  let value = 0;
  for (let i = at; i < at + count; i++) {
    const d = text.charCodeAt(i) - DIGIT_0;
    if (d < 0 || d > 9) return -1;
    value = value * 10 + d;
  }
  return value;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Epoch milliseconds, or undefined when `text` is not a timestamp of the accepted forms. */
export function parseTimestamp(text: string): number | undefined {
  const s = text.trim();
  const n = s.length;
  if (n < 10 || s.charCodeAt(4) !== 45 /* - */ || s.charCodeAt(7) !== 45) return undefined;
  const year = digits(s, 0, 4);
  const month = digits(s, 5, 2);
  const day = digits(s, 8, 2);
  if (year < 0 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  let hour = 0;
  let minute = 0;
  let second = 0;
  let millis = 0;
  let offsetMinutes = 0;
  let i = 10;
  if (i < n) {
    const sep = s.charCodeAt(i);
    if (sep !== 84 /* T */ && sep !== 116 /* t */ && sep !== 32 /* space */) return undefined;
    if (n < i + 6 || s.charCodeAt(i + 3) !== 58 /* : */) return undefined;
    hour = digits(s, i + 1, 2);
    minute = digits(s, i + 4, 2);
    if (hour < 0 || hour > 23 || minute < 0 || minute > 59) return undefined;
    i += 6;
    if (i < n && s.charCodeAt(i) === 58) {
      second = digits(s, i + 1, 2);
      if (second < 0 || second > 59 || n < i + 3) return undefined;
      i += 3;
      if (i < n && s.charCodeAt(i) === 46 /* . */) {
        i++;
        const start = i;
        while (i < n && s.charCodeAt(i) >= DIGIT_0 && s.charCodeAt(i) <= DIGIT_0 + 9) {
          if (i - start < 3) millis = millis * 10 + (s.charCodeAt(i) - DIGIT_0);
          i++;
        }
        const fractionDigits = i - start;
        if (fractionDigits === 0) return undefined;
        for (let k = fractionDigits; k < 3; k++) millis *= 10;
      }
    }
    if (i < n) {
      const zone = s.charCodeAt(i);
      if ((zone === 90 /* Z */ || zone === 122 /* z */) && i + 1 === n) {
        i = n;
      } else if (zone === 43 /* + */ || zone === 45 /* - */) {
        const rest = n - i - 1;
        const zh = digits(s, i + 1, 2);
        let zm = 0;
        if (rest === 5 && s.charCodeAt(i + 3) === 58) zm = digits(s, i + 4, 2);
        else if (rest === 4) zm = digits(s, i + 3, 2);
        else if (rest !== 2) return undefined;
        if (zh < 0 || zh > 18 || zm < 0 || zm > 59) return undefined;
        offsetMinutes = (zone === 43 ? 1 : -1) * (zh * 60 + zm);
        i = n;
      } else {
        return undefined;
      }
    }
  }
  const seconds = daysFromCivil(year, month, day) * 86_400 + hour * 3600 + (minute - offsetMinutes) * 60 + second;
  return seconds * 1000 + millis;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm), without a Date object. */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/** `2015-07-15T00:00:00.000Z`. */
export function formatTimestamp(epochMs: number): string {
  return new Date(epochMs).toISOString();
}

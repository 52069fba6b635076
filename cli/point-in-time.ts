/**
 * A point in time as `--before` takes it: relative to now (`4 hours ago`, `90 min ago`, `1 day 2 h ago`, `30m`)
 * or an ISO 8601 date or date-time (`2026-12-06T01:00:00Z`; without an offset a date-time is local time and a
 * bare date is midnight UTC, as JavaScript's Date reads them). A small parser of its own: a library for these
 * few forms would not be shorter.
 */

const UNIT_MS: Readonly<Record<string, number>> = {
  s: 1000,
  sec: 1000,
  secs: 1000,
  second: 1000,
  seconds: 1000,
  m: 60_000,
  min: 60_000,
  mins: 60_000,
  minute: 60_000,
  minutes: 60_000,
  h: 3_600_000,
  hr: 3_600_000,
  hrs: 3_600_000,
  hour: 3_600_000,
  hours: 3_600_000,
  d: 86_400_000,
  day: 86_400_000,
  days: 86_400_000,
  w: 604_800_000,
  week: 604_800_000,
  weeks: 604_800_000,
};

export const POINT_IN_TIME_FORMS = "a time ago ('4 hours ago', '90 min ago', '1 day 2 h ago') or an ISO 8601 time ('2026-12-06T01:00:00Z')";

/** The time `text` names, in ms since the epoch; undefined when it is neither form. */
export function parsePointInTime(text: string, now: number): number | undefined {
  const trimmed = text.trim().toLowerCase();
  if (/^\d{4}-\d{2}-\d{2}/.test(trimmed)) {
    const at = Date.parse(text.trim());
    return Number.isNaN(at) ? undefined : at;
  }
  const spans = trimmed.replace(/\s+ago$/, '');
  const part = /\s*(\d+(?:\.\d+)?)\s*([a-z]+)\s*/y;
  let total = 0;
  let parts = 0;
  while (part.lastIndex < spans.length) {
    const match = part.exec(spans);
    const unit = match === null ? undefined : UNIT_MS[match[2]!];
    if (match === null || unit === undefined) return undefined;
    total += Number(match[1]) * unit;
    parts++;
  }
  return parts === 0 ? undefined : now - total;
}

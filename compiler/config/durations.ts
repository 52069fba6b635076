/**
 * Durations as Flink writes them: `'10 s'`, `'10s'`, `'500 ms'`, `'1 min'`, `'2 h'`, `'1 d'`; a plain number is
 * milliseconds. Values are whole milliseconds.
 */
const MS_PER_UNIT: ReadonlyMap<string, number> = new Map([
  ...['ms', 'milli', 'millis', 'millisecond', 'milliseconds'].map((u) => [u, 1] as const),
  ...['s', 'sec', 'secs', 'second', 'seconds'].map((u) => [u, 1_000] as const),
  ...['min', 'mins', 'minute', 'minutes'].map((u) => [u, 60_000] as const),
  ...['h', 'hour', 'hours'].map((u) => [u, 3_600_000] as const),
  ...['d', 'day', 'days'].map((u) => [u, 86_400_000] as const),
]);

const DURATION = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i;

/** Milliseconds, or undefined when `text` is not a duration (or not a whole number of milliseconds). */
export function parseDuration(text: string): number | undefined {
  const match = DURATION.exec(text);
  if (match === null) return undefined;
  const unit = match[2]!.toLowerCase();
  const factor = unit === '' ? 1 : MS_PER_UNIT.get(unit);
  if (factor === undefined) return undefined;
  const ms = Number(match[1]) * factor;
  return Number.isSafeInteger(ms) ? ms : undefined;
}

const LARGEST_FIRST: readonly (readonly [string, number])[] = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['min', 60_000],
  ['s', 1_000],
];

/** The shortest exact spelling: 600000 → '10 min', 1500 → '1500 ms'. */
export function formatDuration(ms: number): string {
  for (const [unit, factor] of LARGEST_FIRST) {
    if (ms !== 0 && ms % factor === 0) return `${ms / factor} ${unit}`;
  }
  return `${ms} ms`;
}

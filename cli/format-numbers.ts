/** Number and time formats shared by the status line and the run summary (fixed English style, like the rest). */

/** Built on first use: an Intl formatter costs milliseconds, which commands that print no count should not pay. */
let grouped: Intl.NumberFormat | undefined;

/** `1234567` → `1,234,567`. */
export function formatCount(n: number): string {
  grouped ??= new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
  return grouped.format(n);
}

const UNITS: readonly [number, string][] = [
  [1e9, 'G'],
  [1e6, 'M'],
  [1e3, 'k'],
];

/** A rate in three significant figures: `950`, `12.3k`, `1.20M`. */
export function formatRate(perSecond: number): string {
  for (const [size, unit] of UNITS) {
    if (perSecond >= size * 0.9995) return `${(perSecond / size).toPrecision(3)}${unit}`;
  }
  return perSecond >= 100 || perSecond === 0 ? perSecond.toFixed(0) : perSecond.toPrecision(2);
}

/** A span of time for people: `850 ms`, `4.2 s`, `3 min 05 s`, `2 h 03 min`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const seconds = Math.floor(ms / 1000);
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${String(seconds % 60).padStart(2, '0')} s`;
  return `${Math.floor(seconds / 3600)} h ${String(Math.floor(seconds / 60) % 60).padStart(2, '0')} min`;
}

/** A running clock: `0:07`, `12:34`, `1:02:03`. */
export function formatElapsed(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  const mm = String(Math.floor(seconds / 60) % 60);
  const ss = String(seconds % 60).padStart(2, '0');
  return seconds < 3600 ? `${mm}:${ss}` : `${Math.floor(seconds / 3600)}:${mm.padStart(2, '0')}:${ss}`;
}

/** An event time (epoch ms) as UTC, to the second: `2024-03-01 10:00:05`. */
export function formatEventTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

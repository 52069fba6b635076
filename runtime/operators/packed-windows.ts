import { windowTimerOfEntry } from '../time/window-timer-states.js';

/**
 * A window aggregate keeps the open aligned windows (TUMBLE, HOP, carried bounds) of a key in ONE entry of its
 * `windows` map state rather than one entry per window: under the map key `[]` (no window's bounds), the value
 *
 *     [width, start0, end0, fields0…, start1, end1, fields1…, …]
 *
 * with `width` accumulator fields per window (laid out as `accumulatorFields` declares them: a stride of 2 + width),
 * in the order the windows were opened. Per key that is one array, changed in place, instead of a map entry, its
 * pair and an accumulator array per window (the objects a scavenge copied and promoted in Nexmark q5), and one
 * snapshot entry instead of one per window. The declared state is unchanged (a map from window bounds to
 * accumulators, compiler/plan/state-declarations.ts): this is how its entries of one key are stored.
 *
 * Entries of the layout before (map key `[start, end]`, value the window's accumulators), which savepoints and
 * checkpoints taken before this layout hold, and which SESSION windows keep using, are read alike: their timers by
 * `windowsOfEntry`, their values by `migratePackedWindows`'s callers as they are; the window aggregate packs them
 * when it opens (window-aggregate.ts).
 */
export const PACKED_WINDOWS_KEY: readonly [] = Object.freeze([]) as readonly [];

export function isPackedWindowsKey(mapKey: unknown): boolean {
  return Array.isArray(mapKey) && mapKey.length === 0;
}

/** A new packed value, without windows, for accumulators of `width` fields. */
export function emptyPackedWindows(width: number): unknown[] {
  return [width];
}

/**
 * Where window (start, end)'s fields start in `packed`, or -1 when it holds no such window. `hint`: where they are
 * likely to start (checked first; any number): a HOP row's windows, latest first, are usually the key's last
 * windows in reverse, which keeps a key with many open windows (a long HOP with a short slide) from a scan per window.
 */
export function findPackedWindow(packed: readonly unknown[], start: number, end: number, hint = -1): number {
  const stride = 2 + (packed[0] as number);
  if (hint >= 3 && hint < packed.length && packed[hint - 2] === start && packed[hint - 1] === end) return hint;
  for (let at = 1; at < packed.length; at += stride) if (packed[at] === start && packed[at + 1] === end) return at + 2;
  return -1;
}

/** Removes the window whose fields start at `fields` (from `findPackedWindow`), keeping the others' order. */
export function removePackedWindow(packed: unknown[], fields: number): void {
  const stride = 2 + (packed[0] as number);
  const at = fields - 2;
  packed.copyWithin(at, at + stride);
  packed.length -= stride;
}

/** How many windows `packed` holds. */
export function packedWindowCount(packed: readonly unknown[]): number {
  return (packed.length - 1) / (2 + (packed[0] as number));
}

/**
 * The windows of an entry of a window state, in either layout: `visit(start, end)` for each (the window timer
 * convention's decoder for the window aggregate, window-timer-states.ts). An entry of another shape has none.
 */
export function windowsOfEntry(mapKey: unknown, value: unknown, visit: (start: number, end: number) => void): void {
  if (!isPackedWindowsKey(mapKey)) {
    const timer = windowTimerOfEntry(mapKey);
    if (timer !== undefined) visit((mapKey as number[])[0]!, (mapKey as number[])[1]!);
    return;
  }
  if (!Array.isArray(value) || typeof value[0] !== 'number') return;
  const stride = 2 + value[0];
  for (let at = 1; at + 1 < value.length; at += stride) {
    const start = value[at] as unknown;
    const end = value[at + 1] as unknown;
    if (typeof start === 'number' && typeof end === 'number') visit(start, end);
  }
}

/**
 * A packed value with each window's fields replaced by `migrate(fields)` (a value migration of the declared
 * accumulators, runtime/checkpoint/restore/state-migration.ts), its width the migrated fields'.
 */
export function migratePackedWindows(value: unknown, migrate: (fields: unknown[]) => unknown): unknown {
  if (!Array.isArray(value) || typeof value[0] !== 'number') return value;
  const stride = 2 + value[0];
  const windows: unknown[][] = [];
  for (let at = 1; at + 1 < value.length; at += stride) {
    const fields = migrate(value.slice(at + 2, at + stride));
    windows.push([value[at], value[at + 1], ...(Array.isArray(fields) ? fields : [fields])]);
  }
  if (windows.length === 0) return value;
  return [windows[0]!.length - 2, ...windows.flat()];
}

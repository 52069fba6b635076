import { encodeMapKey } from '../../state/key-codec.js';
import { mapState, type MapState } from '../../state/keyed-state.js';
import type { OperatorContext } from '../operator.js';
import { PACKED_WINDOWS_KEY } from '../packed-windows.js';
import { WindowKeyCache, type WindowBounds } from '../window-keys.js';
import type { Accumulator, AccumulatorSet } from './accumulators.js';

type Bounds = WindowBounds;
type DistinctKey = readonly [start: number, end: number, value: unknown];

/** An open window of the current key, as kept in state. */
export interface OpenWindow {
  readonly start: number;
  readonly end: number;
  readonly acc: Accumulator;
}

const PACKED_ENCODED = encodeMapKey(PACKED_WINDOWS_KEY);

/**
 * The open windows of a window aggregate's current key, over the declared state: `windows` maps a window's
 * bounds to its accumulators, `distinct-<name>` maps (bounds, value) to how often a COUNT(DISTINCT) value was
 * seen in that window. Each open window has one event-time timer at its max timestamp (end - 1), namespaced by
 * its start so that windows sharing an end stay apart. Accumulators from `get` are shared with state: change
 * only those from `getForUpdate`.
 *
 * Aligned windows (TUMBLE, HOP, carried bounds) are stored packed, all of a key's in one entry (`packed…`,
 * operators/packed-windows.ts); SESSION windows one entry per session (`get`, `put`, `remove`, `all`), since
 * merging sessions moves their entries and distinct values as a whole.
 */
export class WindowState {
  /** The state of the windows' accumulators. */
  static readonly WINDOWS = 'windows';
  private readonly windows: MapState<Bounds | readonly [], Accumulator>;
  private readonly distinct: MapState<DistinctKey, number>[];
  private readonly keys = new WindowKeyCache();

  constructor(
    private readonly ctx: OperatorContext,
    private readonly accumulators: AccumulatorSet,
  ) {
    this.windows = ctx.getState(mapState<Bounds | readonly [], Accumulator>(WindowState.WINDOWS));
    this.distinct = accumulators.distinctCalls.map((d) => ctx.getState(mapState<DistinctKey, number>(d.state)));
  }

  get(start: number, end: number): Accumulator | undefined {
    const window = this.keys.of(start, end);
    return this.windows.get(window.bounds, window.encoded);
  }

  /** The current key's packed windows (packed-windows.ts), to change in place; undefined when it has none. */
  packedForUpdate(): unknown[] | undefined {
    return this.windows.getForUpdate(PACKED_WINDOWS_KEY, PACKED_ENCODED);
  }

  /** Stores `packed` as the current key's packed windows; returns the value to change in place from now on. */
  putPacked(packed: unknown[]): unknown[] {
    this.windows.put(PACKED_WINDOWS_KEY, packed, PACKED_ENCODED);
    return this.windows.getForUpdate(PACKED_WINDOWS_KEY, PACKED_ENCODED)!;
  }

  /** Forgets the current key's packed windows (the last one fired). */
  removePacked(): void {
    this.windows.remove(PACKED_WINDOWS_KEY, PACKED_ENCODED);
  }

  /**
   * Registers the timer of an aligned window (TUMBLE, HOP, carried bounds) new to state, which every key of the
   * window shares: the timer service keeps it in the window's group, without a dedup lookup.
   */
  registerNewTimer(start: number, end: number): void {
    this.ctx.timers.registerNewEventTimeTimer(end - 1, this.keys.of(start, end).namespace);
  }

  /** Every entry of the current key's `windows` state, in either layout (to pack those of the layout before). */
  entries(): (readonly [Bounds | readonly [], Accumulator])[] {
    return [...this.windows.entries()];
  }

  /** Removes the entry of a window stored in the layout before packing (map key `[start, end]`). */
  removeEntry(bounds: Bounds): void {
    this.windows.remove(bounds);
  }

  /** Stores the window's accumulators; `isNew`: the window was not in state, so its timer is registered. */
  put(start: number, end: number, acc: Accumulator, isNew: boolean): void {
    const window = this.keys.of(start, end);
    this.windows.put(window.bounds, acc, window.encoded);
    if (isNew) this.ctx.timers.registerEventTimeTimer(end - 1, window.namespace);
  }

  /** Every open window of the current key, ordered by start. */
  all(): OpenWindow[] {
    const open: OpenWindow[] = [];
    for (const [bounds, acc] of this.windows.entries()) if (bounds.length === 2) open.push({ start: bounds[0], end: bounds[1], acc });
    return open.sort((a, b) => a.start - b.start);
  }

  /**
   * Forgets a window's accumulators and timer (`deleteTimer` false when its timer is the one firing: the timer
   * service already removed it). Its distinct values stay until `removeDistinct` or `moveDistinct`.
   */
  remove(start: number, end: number, deleteTimer: boolean): void {
    const window = this.keys.of(start, end);
    this.windows.remove(window.bounds, window.encoded);
    if (deleteTimer) this.ctx.timers.deleteEventTimeTimer(end - 1, window.namespace);
  }

  removeDistinct(start: number, end: number): void {
    for (const values of this.distinct) {
      const gone: DistinctKey[] = [];
      for (const [key] of values.entries()) if (key[0] === start && key[1] === end) gone.push(key);
      for (const key of gone) values.remove(key);
    }
  }

  /**
   * Counts `row`'s COUNT(DISTINCT) values into window (start, end) and its accumulators in `acc` (from position
   * `base`: see AccumulatorSet.initAt).
   */
  addDistinct(start: number, end: number, row: readonly unknown[], acc: Accumulator, base = 0): void {
    const calls = this.accumulators.distinctCalls;
    for (let d = 0; d < calls.length; d++) {
      const value = calls[d]!.argument(row);
      if (value !== null) this.addDistinctValue(d, start, end, value, 1, acc, base);
    }
  }

  /** Counts `value` (seen `times` more) into window (start, end) for distinct call `d`. */
  addDistinctValue(d: number, start: number, end: number, value: unknown, times: number, acc: Accumulator, base = 0): void {
    const key: DistinctKey = [start, end, value];
    const encoded = encodeMapKey(key);
    const seen = this.distinct[d]!.get(key, encoded);
    this.distinct[d]!.put(key, (seen ?? 0) + times, encoded);
    if (seen === undefined) (acc[base + this.accumulators.distinctCalls[d]!.at] as number)++;
  }

  /**
   * Moves the distinct values of the windows `from` (merged sessions) to window (start, end), whose distinct
   * counts in `acc` become the size of their union. Call before `put`ting the merged window.
   */
  moveDistinct(from: readonly Bounds[], start: number, end: number, acc: Accumulator): void {
    const calls = this.accumulators.distinctCalls;
    for (let d = 0; d < calls.length; d++) {
      const values = this.distinct[d]!;
      const moved: (readonly [DistinctKey, number])[] = [];
      for (const [key, times] of values.entries()) {
        if (from.some((b) => b[0] === key[0] && b[1] === key[1])) moved.push([key, times]);
      }
      for (const [key] of moved) values.remove(key);
      acc[calls[d]!.at] = 0;
      for (const [key, times] of moved) this.addDistinctValue(d, start, end, key[2], times, acc);
    }
  }
}

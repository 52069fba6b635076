import type { OperatorSpec, StreamSchema, WindowSpec } from '../../../compiler/graph/job-graph.js';
import type { UdfImplementations } from '../../expressions/compile-expr.js';
import { RowKind, type RecordBatch } from '../../record-batch.js';
import type { Timer } from '../../time/timer-service.js';
import { windowEndOfTimer, windowStartOfTimer, type WindowTimerState } from '../../time/window-timer-states.js';
import { BaseOperator, type OperatorContext } from '../operator.js';
import { RowFailure } from '../row-failure.js';
import { windowStart } from '../window-assign.js';
import {
  emptyPackedWindows,
  findPackedWindow,
  isPackedWindowsKey,
  packedWindowCount,
  removePackedWindow,
  windowsOfEntry,
} from '../packed-windows.js';
import { AccumulatorSet } from './accumulators.js';
import { KeyGrouping } from './key-grouping.js';
import { SessionWindows } from './session-windows.js';
import { WindowState } from './window-state.js';

type Row = readonly unknown[];

/** How a row finds its fixed windows: by its time (TUMBLE is a HOP sliding by its size), or from the window columns it carries. */
type Assignment =
  | { readonly type: 'sliding'; readonly timeIndex: number; readonly sizeMs: number; readonly slideMs: number }
  | { readonly type: 'carried'; readonly startIndex: number; readonly endIndex: number };

function sameWindow(a: WindowSpec, b: WindowSpec): boolean {
  return JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort());
}

/**
 * Window propagation: when the input schema already marks window columns for this very window (rows after a
 * WINDOW step that was not folded into this aggregate, or the output of a window aggregate), rows are grouped
 * by the bounds they carry; otherwise windows are assigned here from the time column. SESSION windows are
 * merged per key instead (SessionWindows).
 */
function assignment(window: WindowSpec, input: StreamSchema, accumulators: AccumulatorSet): Assignment | SessionWindows {
  const carried = input.window;
  if (carried !== undefined && sameWindow(carried.spec, window)) return { type: 'carried', startIndex: carried.start, endIndex: carried.end };
  switch (window.type) {
    case 'tumble':
      return { type: 'sliding', timeIndex: window.timeIndex, sizeMs: window.sizeMs, slideMs: window.sizeMs };
    case 'hop':
      return { type: 'sliding', timeIndex: window.timeIndex, sizeMs: window.sizeMs, slideMs: window.slideMs };
    case 'session':
      return new SessionWindows(window.gapMs, window.timeIndex, accumulators);
  }
}

/**
 * AGGREGATE … GROUP BY keys, window_start, window_end over TUMBLE, HOP or SESSION windows, in event time, as
 * Flink's window aggregate: each window [start, end) of a key accumulates its rows and fires once, when the
 * watermark reaches end - 1 (its timer), emitting keys…, window_start, window_end, aggregates… (append-only)
 * and clearing its state. A row is late, dropped and counted, when every window it belongs to has fired
 * (for HOP, a row still goes to those of its windows that have not). Rows with a NULL time belong to no window
 * and are skipped. At the end of input the +∞ watermark fires every open window. Rows are grouped by key per
 * batch so state is read and written once per key, window and batch. Results of the timers a watermark fires
 * are emitted as one batch before that watermark is forwarded.
 */
export class WindowAggregateOperator extends BaseOperator {
  private readonly accumulators: AccumulatorSet;
  private readonly keyCount: number;
  /** Groups each batch's rows by key (reused). */
  private readonly grouping: KeyGrouping;
  private readonly assign: Assignment | SessionWindows;
  private state!: WindowState;
  /** The current key's packed windows while its rows of a batch are added (undefined: not read yet). */
  private packed: unknown[] | undefined = undefined;
  /** Rows of the windows fired by the current watermark, emitted in `onWatermark`. */
  private fired: unknown[][] = [];
  /**
   * Each stored window has its timer pending (sessions' too: a moved session deletes the old timer, registers the
   * new); an entry holds one window (sessions, the layout before packing) or a key's packed windows.
   */
  readonly windowTimerStates: readonly WindowTimerState[] = [
    {
      state: WindowState.WINDOWS,
      windowsOfEntry: (mapKey, value, visit) => {
        if (!isPackedWindowsKey(mapKey)) this.restoredUnpacked = true;
        windowsOfEntry(mapKey, value, visit);
      },
    },
  ];
  /**
   * Whether the restore held windows in the layout before packing: the restore hands every restored entry of
   * `windows` to the decoder above (to register its timers), so only then does `open` pay a pass over every key.
   */
  private restoredUnpacked = false;

  constructor(spec: Extract<OperatorSpec, { kind: 'window_aggregate' }>, input: StreamSchema, udfs: UdfImplementations) {
    super();
    this.accumulators = new AccumulatorSet(spec.aggregates, udfs);
    this.grouping = KeyGrouping.of(spec.keys, udfs);
    this.keyCount = spec.keys.length;
    this.assign = assignment(spec.window, input, this.accumulators);
  }

  override open(ctx: OperatorContext): void {
    super.open(ctx);
    this.state = new WindowState(ctx, this.accumulators);
    if (this.restoredUnpacked && !(this.assign instanceof SessionWindows)) this.packRestoredWindows();
  }

  /**
   * Packs the windows restored in the layout before (an entry per window: savepoints and checkpoints taken before
   * packing) into their key's packed value. Their timers stay as the restore registered them.
   */
  private packRestoredWindows(): void {
    const width = this.accumulators.width;
    this.ctx.forEachKey(WindowState.WINDOWS, () => {
      const entries = this.state.entries();
      if (entries.every(([bounds]) => isPackedWindowsKey(bounds))) return;
      let packed = this.state.packedForUpdate() ?? emptyPackedWindows(width);
      packed = packed.slice();
      for (const [bounds, acc] of entries) {
        if (bounds.length !== 2) continue;
        this.state.removeEntry(bounds);
        packed.push(bounds[0], bounds[1], ...acc);
      }
      this.state.putPacked(packed);
    });
  }

  processBatch(batch: RecordBatch): void {
    const { rows, kinds } = batch;
    if (kinds !== undefined && kinds.some((k) => k !== RowKind.INSERT)) {
      throw new Error('a window aggregate received updates: windowed streams are append-only, so this is a planning error');
    }
    const watermark = this.ctx.currentWatermark;
    let current = 0;
    let late = 0;
    this.packed = undefined;
    try {
      const grouping = this.grouping;
      const count = grouping.group(rows, batch.keyGroups);
      const { order, starts } = grouping;
      for (let g = 0; g < count; g++) {
        const from = starts[g]!;
        const to = starts[g + 1]!;
        current = order[from]!;
        this.ctx.setCurrentKey(grouping.keys[g]!, grouping.encodings[g], grouping.keyGroups[g]);
        const assign = this.assign;
        if (assign instanceof SessionWindows) {
          late += assign.addRows(rows, order, from, to, this.state, watermark);
          continue;
        }
        this.packed = undefined;
        for (let r = from; r < to; r++) {
          const i = order[r]!;
          current = i;
          if (!this.addToWindows(assign, rows[i]!, watermark)) late++;
        }
      }
    } catch (error) {
      throw new RowFailure(rows[current] ?? [], error);
    } finally {
      this.packed = undefined;
    }
    this.ctx.metrics.lateRowsDropped += late;
  }

  /** Adds a row to each of its windows that has not fired; false when it had windows but all had fired. */
  private addToWindows(assign: Assignment, row: Row, watermark: number): boolean {
    if (assign.type === 'carried') {
      const start = row[assign.startIndex];
      const end = row[assign.endIndex];
      if (typeof start !== 'number' || typeof end !== 'number') return true;
      if (end - 1 <= watermark) return false;
      this.addToWindow(row, start, end);
      return true;
    }
    const time = row[assign.timeIndex];
    if (typeof time !== 'number') return true;
    const { sizeMs, slideMs } = assign;
    let accepted = false;
    // The latest window is likely the key's last, each earlier one just before it.
    let hint = this.packed === undefined ? -1 : this.packed.length - this.accumulators.width;
    for (let start = windowStart(time, slideMs); start > time - sizeMs; start -= slideMs) {
      const end = start + sizeMs;
      if (end - 1 <= watermark) break; // earlier windows end earlier: fired too
      hint = this.addToWindow(row, start, end, hint) - 2 - this.accumulators.width;
      accepted = true;
    }
    return accepted;
  }

  /**
   * Adds `row` to window (start, end) of the current key's packed windows, opening it (and its timer) if new;
   * returns where the window's fields start (`hint`: where they likely do, findPackedWindow).
   */
  private addToWindow(row: Row, start: number, end: number, hint = -1): number {
    let packed = this.packed;
    if (packed === undefined) packed = this.packed = this.state.packedForUpdate() ?? this.state.putPacked(emptyPackedWindows(this.accumulators.width));
    let at = findPackedWindow(packed, start, end, hint);
    if (at < 0) {
      at = packed.length + 2;
      packed.push(start, end);
      this.accumulators.initAt(packed, at);
      this.state.registerNewTimer(start, end);
    }
    this.accumulators.addAt(packed, at, row);
    this.state.addDistinct(start, end, row, packed, at);
    return at;
  }

  override onTimer(timer: Timer): void {
    const start = windowStartOfTimer(timer.namespace);
    const end = windowEndOfTimer(timer.timestamp);
    if (this.assign instanceof SessionWindows) {
      const acc = this.state.get(start, end);
      if (acc === undefined) return;
      this.emit(timer.key, start, end, acc, 0);
      this.state.remove(start, end, false);
    } else {
      const packed = this.state.packedForUpdate();
      const at = packed === undefined ? -1 : findPackedWindow(packed, start, end);
      if (at < 0) return;
      this.emit(timer.key, start, end, packed!, at);
      if (packedWindowCount(packed!) === 1) this.state.removePacked();
      else removePackedWindow(packed!, at);
    }
    this.state.removeDistinct(start, end);
  }

  /** Adds window (start, end)'s result row, from its accumulators in `acc` at `base`, to the rows fired. */
  private emit(key: readonly unknown[], start: number, end: number, acc: unknown[], base: number): void {
    const out = new Array<unknown>(this.keyCount + 2 + this.accumulators.resultCount);
    for (let k = 0; k < this.keyCount; k++) out[k] = key[k];
    out[this.keyCount] = start;
    out[this.keyCount + 1] = end;
    this.accumulators.writeResults(acc, out, this.keyCount + 2, base);
    this.fired.push(out);
  }

  override onWatermark(): void {
    this.flush();
  }

  override endInput(): void {
    this.flush();
  }

  private flush(): void {
    if (this.fired.length === 0) return;
    const rows = this.fired;
    this.fired = [];
    this.ctx.output({ rows });
  }
}

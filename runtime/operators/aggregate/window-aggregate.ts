import type { OperatorSpec, StreamSchema, WindowSpec } from '../../../compiler/graph/job-graph.js';
import type { UdfImplementations } from '../../expressions/compile-expr.js';
import { RowKind, type RecordBatch } from '../../record-batch.js';
import type { Timer } from '../../time/timer-service.js';
import { windowEndOfTimer, windowStartOfTimer } from '../../time/window-timer-states.js';
import { BaseOperator, type OperatorContext } from '../operator.js';
import { RowFailure } from '../row-failure.js';
import { windowStart } from '../window-assign.js';
import { AccumulatorSet, type Accumulator } from './accumulators.js';
import { KeyGrouping } from './key-grouping.js';
import { SessionWindows } from './session-windows.js';
import { TouchedWindows } from './touched-windows.js';
import { WindowState } from './window-state.js';

type Row = readonly unknown[];

/** How a row finds its fixed windows: by its time (TUMBLE is a HOP sliding by its size), or from the window columns it carries. */
type Assignment =
  | { readonly type: 'sliding'; readonly timeIndex: number; readonly sizeMs: number; readonly slideMs: number }
  | { readonly type: 'carried'; readonly startIndex: number; readonly endIndex: number };

/** The distance between a window's starts (TUMBLE: its size), or 1 for SESSION windows, which have none. */
function slideOf(window: WindowSpec): number {
  switch (window.type) {
    case 'tumble':
      return window.sizeMs;
    case 'hop':
      return window.slideMs;
    case 'session':
      return 1;
  }
}

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
  /** Windows of the current key touched in this batch (reused across keys). */
  private readonly touched: TouchedWindows;
  /** Rows of the windows fired by the current watermark, emitted in `onWatermark`. */
  private fired: unknown[][] = [];
  /** Each stored window has its timer pending (sessions' too: a moved session deletes the old timer, registers the new). */
  readonly windowTimerStates = [WindowState.WINDOWS];

  constructor(spec: Extract<OperatorSpec, { kind: 'window_aggregate' }>, input: StreamSchema, udfs: UdfImplementations) {
    super();
    this.accumulators = new AccumulatorSet(spec.aggregates, udfs);
    this.grouping = KeyGrouping.of(spec.keys, udfs);
    this.keyCount = spec.keys.length;
    this.assign = assignment(spec.window, input, this.accumulators);
    this.touched = new TouchedWindows(
      slideOf(spec.window),
      (start, end) => this.state.getForUpdate(start, end),
      () => this.accumulators.create(),
      // Windows found in state were changed in place (getForUpdate): only new ones are stored.
      (start, end, acc, isNew) => {
        if (isNew) this.state.putNew(start, end, acc);
      },
    );
  }

  override open(ctx: OperatorContext): void {
    super.open(ctx);
    this.state = new WindowState(ctx, this.accumulators);
  }

  processBatch(batch: RecordBatch): void {
    const { rows, kinds } = batch;
    if (kinds !== undefined && kinds.some((k) => k !== RowKind.INSERT)) {
      throw new Error('a window aggregate received updates: windowed streams are append-only, so this is a planning error');
    }
    const watermark = this.ctx.currentWatermark;
    let current = 0;
    let late = 0;
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
        for (let r = from; r < to; r++) {
          const i = order[r]!;
          current = i;
          if (!this.addToWindows(assign, rows[i]!, watermark)) late++;
        }
        this.touched.flush();
      }
    } catch (error) {
      this.touched.clear();
      throw new RowFailure(rows[current] ?? [], error);
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
    for (let start = windowStart(time, slideMs); start > time - sizeMs; start -= slideMs) {
      const end = start + sizeMs;
      if (end - 1 <= watermark) break; // earlier windows end earlier: fired too
      this.addToWindow(row, start, end);
      accepted = true;
    }
    return accepted;
  }

  private addToWindow(row: Row, start: number, end: number): void {
    const acc = this.touched.get(start, end);
    this.accumulators.add(acc, row);
    this.state.addDistinct(start, end, row, acc);
  }

  override onTimer(timer: Timer): void {
    // No bounds array per window fired: the state's window cache holds them.
    const start = windowStartOfTimer(timer.namespace);
    const end = windowEndOfTimer(timer.timestamp);
    const acc = this.state.get(start, end);
    if (acc === undefined) return;
    const out = new Array<unknown>(this.keyCount + 2 + this.accumulators.resultCount);
    for (let k = 0; k < this.keyCount; k++) out[k] = timer.key[k];
    out[this.keyCount] = start;
    out[this.keyCount + 1] = end;
    this.accumulators.writeResults(acc, out, this.keyCount + 2);
    this.fired.push(out);
    this.state.remove(start, end, false);
    this.state.removeDistinct(start, end);
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

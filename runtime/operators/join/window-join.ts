import type { Operator, OperatorSpec } from '../../../compiler/graph/job-graph.js';
import type { UdfImplementations } from '../../expressions/compile-expr.js';
import type { RecordBatch } from '../../record-batch.js';
import { mapState, type MapState } from '../../state/keyed-state.js';
import type { Timer } from '../../time/timer-service.js';
import { windowEndOfTimer, windowStartOfTimer } from '../../time/window-timer-states.js';
import { BaseOperator, type OperatorContext } from '../operator.js';
import { WindowKeyCache, type WindowBounds } from '../window-keys.js';
import { assertInsertOnly, hasNull, JoinOutput, JoinRows, type Row } from './join-row.js';
import { isPackedRows, packRow, rowsOfStored, unpackRow } from './packed-rows.js';

/**
 * The state declared by compiler/plan/state-declarations.ts (`windowJoinState`): each side's rows per window, an
 * entry's only row packed as `[width, fields…]`, several rows as a list (packed-rows.ts).
 */
const LEFT_ROWS = mapState<WindowBounds, unknown[]>('left-rows');
const RIGHT_ROWS = mapState<WindowBounds, unknown[]>('right-rows');

/** Where a side's rows carry window_start and window_end. */
interface WindowColumns {
  readonly start: number;
  readonly end: number;
}

const NO_ROWS: readonly Row[] = [];

/**
 * The window join: both inputs carry their window (window_start, window_end: a WINDOW step or a window
 * aggregate's output), and rows of the same key and window meet when the watermark reaches the window's last
 * millisecond (window_end - 1), Flink's window-join semantics. Until then each side's rows wait in state under
 * the window's bounds (one row packed in one array, several in a list: packed-rows.ts); an event-time timer per
 * key and window (namespace: window_start) joins them, emits a LEFT join's unmatched left rows padded with NULLs,
 * and clears the window's state. A row whose window has already
 * fired is late: dropped and counted. Rows with a NULL key (or window) join nothing: a LEFT join emits its left
 * ones padded at once. Output: append-only.
 */
export class WindowJoinOperator extends BaseOperator {
  private readonly rows: JoinRows;
  private readonly out = new JoinOutput(false);
  private readonly windows: readonly [WindowColumns, WindowColumns];
  private leftRows!: MapState<WindowBounds, unknown[]>;
  private rightRows!: MapState<WindowBounds, unknown[]>;
  private readonly keys = new WindowKeyCache();
  /** A window's timer is pending exactly while either side holds rows of it. */
  readonly windowTimerStates = [LEFT_ROWS.name, RIGHT_ROWS.name];
  /**
   * The current key's windows touched by its rows of a batch (`arrive`), reused: bounds per window, and per row
   * (by its place in the key's rows) the window it goes to, -1 for none.
   */
  private addedStarts = new Float64Array(4);
  private addedEnds = new Float64Array(4);
  private rowWindows = new Int32Array(64);

  constructor(
    private readonly operator: Operator,
    spec: Extract<OperatorSpec, { kind: 'window_join' }>,
    udfs: UdfImplementations,
  ) {
    super();
    this.rows = new JoinRows(operator, spec, udfs);
    const windowOf = (input: number): WindowColumns => {
      const window = operator.inputs[input]?.window;
      if (window === undefined) throw new Error(`window join ${operator.uid ?? operator.id}: input ${input} carries no window_start/window_end`);
      return window;
    };
    this.windows = [windowOf(0), windowOf(1)];
  }

  override open(ctx: OperatorContext): void {
    super.open(ctx);
    this.leftRows = ctx.getState(LEFT_ROWS);
    this.rightRows = ctx.getState(RIGHT_ROWS);
  }

  processBatch(batch: RecordBatch, input: number): void {
    assertInsertOnly(batch, this.operator);
    const rows = this.rows;
    const watermark = this.ctx.currentWatermark;
    const { end } = this.windows[input]!;
    const batchRows = batch.rows;
    try {
      const grouping = rows.group(batch, input);
      const { order, starts, count } = grouping;
      // Rows with a NULL in their key first (a LEFT join pads its left ones at once), then each key's.
      for (let g = 0; g < count; g++) {
        if (!hasNull(grouping.keys[g]!)) continue;
        for (let r = starts[g]!; r < starts[g + 1]!; r++) {
          const row = batchRows[order[r]!]!;
          if (isLate(row[end], watermark)) this.ctx.metrics.lateRowsDropped++;
          else if (input === 0 && rows.outer) this.out.insert(rows.pad(row));
        }
      }
      for (let g = 0; g < count; g++) {
        const key = grouping.keys[g]!;
        if (hasNull(key)) continue;
        this.ctx.setCurrentKey(key, grouping.encodings[g], grouping.keyGroups[g]);
        this.arrive(batchRows, order, starts[g]!, starts[g + 1]!, input, watermark);
      }
    } catch (error) {
      throw rows.failure(error);
    }
    this.out.flush(this.ctx);
  }

  /** Stores the current key's rows `rows[order[from]]` … `rows[order[to - 1]]` of input `input` under their windows. */
  private arrive(batchRows: readonly Row[], order: Int32Array, from: number, to: number, input: number, watermark: number): void {
    const columns = this.windows[input]!;
    // A key's rows in one batch share one window (the join's key holds the window's bounds), or a few: a short scan
    // of reused columns beats a map (and an object per window) here.
    if (this.rowWindows.length < to - from) this.rowWindows = new Int32Array(Math.max(to - from, this.rowWindows.length * 2));
    const rowWindows = this.rowWindows;
    let windows = 0;
    for (let r = from; r < to; r++) {
      rowWindows[r - from] = -1;
      const row = batchRows[order[r]!]!;
      const start = row[columns.start];
      const end = row[columns.end];
      if (typeof start !== 'number' || typeof end !== 'number') {
        if (input === 0 && this.rows.outer) this.out.insert(this.rows.pad(row));
        continue;
      }
      if (isLate(end, watermark)) {
        this.ctx.metrics.lateRowsDropped++;
        continue;
      }
      let w = 0;
      while (w < windows && !(this.addedStarts[w] === start && this.addedEnds[w] === end)) w++;
      if (w === windows) {
        if (windows === this.addedStarts.length) this.growAdded();
        this.addedStarts[windows] = start;
        this.addedEnds[windows] = end;
        windows++;
      }
      rowWindows[r - from] = w;
    }
    const state = input === 0 ? this.leftRows : this.rightRows;
    const other = input === 0 ? this.rightRows : this.leftRows;
    const width = input === 0 ? this.rows.leftWidth : this.rows.rightWidth;
    for (let w = 0; w < windows; w++) {
      const end = this.addedEnds[w]!;
      const window = this.keys.of(this.addedStarts[w]!, end);
      const existing = state.get(window.bounds, window.encoded);
      let first = -1;
      let count = 0;
      for (let r = from; r < to; r++) {
        if (rowWindows[r - from] !== w) continue;
        if (first < 0) first = r;
        count++;
      }
      let stored: unknown[];
      if (existing === undefined && count === 1) {
        // The window's only row so far (a key of q8: one person, one seller): its fields, without a list around it.
        stored = packRow(batchRows[order[first]!]!, width);
      } else {
        // Several rows: a list of them, the rows kept as they came (copying many rows into one array cost more than
        // the objects it saved). A stored value is never changed in place: a checkpoint may still be reading it.
        const added: Row[] = [];
        for (let r = first; r < to; r++) if (rowWindows[r - from] === w) added.push(batchRows[order[r]!]!);
        stored = existing === undefined ? added : isPackedRows(existing) ? [unpackRow(existing), ...added] : existing.concat(added);
      }
      state.put(window.bounds, stored, window.encoded);
      // A window's timer is pending exactly while either side holds rows of it (its timer clears both, late rows
      // are dropped): a window new to both sides registers it in the window's group, without a dedup lookup.
      // `onTimer` reads only the key's state, so the timer keeps the key's encoding, not its array.
      if (existing === undefined && other.get(window.bounds, window.encoded) === undefined) {
        this.ctx.timers.registerNewEventTimeTimer(end - 1, window.namespace, false);
      }
    }
  }

  private growAdded(): void {
    const size = this.addedStarts.length * 2;
    const starts = new Float64Array(size);
    starts.set(this.addedStarts);
    const ends = new Float64Array(size);
    ends.set(this.addedEnds);
    this.addedStarts = starts;
    this.addedEnds = ends;
  }

  override onTimer(timer: Timer): void {
    const { bounds, encoded } = this.keys.of(windowStartOfTimer(timer.namespace), windowEndOfTimer(timer.timestamp));
    const rows = this.rows;
    const storedLefts = this.leftRows.get(bounds, encoded);
    const storedRights = this.rightRows.get(bounds, encoded);
    const lefts = storedLefts === undefined ? NO_ROWS : rowsOfStored(storedLefts);
    const rights = storedRights === undefined ? NO_ROWS : rowsOfStored(storedRights);
    try {
      for (const left of lefts) {
        let matched = false;
        for (const right of rights) {
          const joined = rows.join(left, right);
          if (joined === undefined) continue;
          this.out.insert(joined);
          matched = true;
        }
        if (!matched && rows.outer) this.out.insert(rows.pad(left));
      }
    } catch (error) {
      throw rows.failure(error);
    }
    this.leftRows.remove(bounds, encoded);
    this.rightRows.remove(bounds, encoded);
  }

  /** Rows of the windows fired by this watermark go out in one batch, before the watermark. */
  override onWatermark(): void {
    this.out.flush(this.ctx);
  }
}

/** A window [start, end) has fired once the watermark reached end - 1; a NULL end belongs to no window. */
function isLate(end: unknown, watermark: number): boolean {
  return typeof end === 'number' && end - 1 <= watermark;
}

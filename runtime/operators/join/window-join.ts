import type { Operator, OperatorSpec } from '../../../compiler/graph/job-graph.js';
import type { UdfImplementations } from '../../expressions/compile-expr.js';
import type { RecordBatch } from '../../record-batch.js';
import { mapState, type MapState } from '../../state/keyed-state.js';
import type { Timer } from '../../time/timer-service.js';
import { BaseOperator, type OperatorContext } from '../operator.js';
import { WindowKeyCache, type WindowBounds } from '../window-keys.js';
import { assertInsertOnly, JoinOutput, JoinRows, type Row } from './join-row.js';


// The state declared by compiler/plan/state-declarations.ts (`windowJoinState`): each side's rows per window.
const LEFT_ROWS = mapState<WindowBounds, readonly Row[]>('left-rows');
const RIGHT_ROWS = mapState<WindowBounds, readonly Row[]>('right-rows');

/** Where a side's rows carry window_start and window_end. */
interface WindowColumns {
  readonly start: number;
  readonly end: number;
}

/** Rows of one batch and key for one window, before they go to state. */
interface ArrivedWindow {
  readonly start: number;
  readonly end: number;
  readonly rows: Row[];
}

const NO_ROWS: readonly Row[] = [];

/**
 * The window join: both inputs carry their window (window_start, window_end: a WINDOW step or a window
 * aggregate's output), and rows of the same key and window meet when the watermark reaches the window's last
 * millisecond (window_end - 1), Flink's window-join semantics. Until then each side's rows wait in state under
 * the window's bounds; an event-time timer per key and window (namespace: window_start) joins them, emits a LEFT
 * join's unmatched left rows padded with NULLs, and clears the window's state. A row whose window has already
 * fired is late: dropped and counted. Rows with a NULL key (or window) join nothing: a LEFT join emits its left
 * ones padded at once. Output: append-only.
 */
export class WindowJoinOperator extends BaseOperator {
  private readonly rows: JoinRows;
  private readonly out = new JoinOutput(false);
  private readonly windows: readonly [WindowColumns, WindowColumns];
  private leftRows!: MapState<WindowBounds, readonly Row[]>;
  private rightRows!: MapState<WindowBounds, readonly Row[]>;
  private readonly keys = new WindowKeyCache();
  /** A window's timer is pending exactly while either side holds rows of it. */
  readonly windowTimerStates = [LEFT_ROWS.name, RIGHT_ROWS.name];

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
    try {
      const { groups, nullKeyed } = rows.byKey(batch, input);
      for (const row of nullKeyed) {
        if (isLate(row[end], watermark)) this.ctx.metrics.lateRowsDropped++;
        else if (input === 0 && rows.outer) this.out.insert(rows.pad(row));
      }
      for (const group of groups) {
        this.ctx.setCurrentKey(group.key, group.encoded, group.keyGroup);
        this.arrive(group.rows, input, watermark);
      }
    } catch (error) {
      throw rows.failure(error);
    }
    this.out.flush(this.ctx);
  }

  private arrive(arrived: readonly Row[], input: number, watermark: number): void {
    const columns = this.windows[input]!;
    // A key's rows in one batch mostly share one window or a few: a short array beats a map here.
    const added: ArrivedWindow[] = [];
    for (const row of arrived) {
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
      const window = findWindow(added, start, end);
      if (window === undefined) added.push({ start, end, rows: [row] });
      else window.rows.push(row);
    }
    const state = input === 0 ? this.leftRows : this.rightRows;
    const other = input === 0 ? this.rightRows : this.leftRows;
    for (const { start, end, rows } of added) {
      const window = this.keys.of(start, end);
      const existing = state.get(window.bounds, window.encoded);
      state.put(window.bounds, existing === undefined ? rows : existing.concat(rows), window.encoded);
      // A window's timer is pending exactly while either side holds rows of it (its timer clears both, late rows
      // are dropped): a window new to both sides registers it in the window's group, without a dedup lookup.
      if (existing === undefined && other.get(window.bounds, window.encoded) === undefined) {
        this.ctx.timers.registerNewEventTimeTimer(end - 1, window.namespace);
      }
    }
  }

  override onTimer(timer: Timer): void {
    const { bounds, encoded } = this.keys.of(Number(timer.namespace), timer.timestamp + 1);
    const rows = this.rows;
    const lefts = this.leftRows.get(bounds, encoded) ?? NO_ROWS;
    const rights = this.rightRows.get(bounds, encoded) ?? NO_ROWS;
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

function findWindow(windows: readonly ArrivedWindow[], start: number, end: number): ArrivedWindow | undefined {
  for (const window of windows) if (window.start === start && window.end === end) return window;
  return undefined;
}

/** A window [start, end) has fired once the watermark reached end - 1; a NULL end belongs to no window. */
function isLate(end: unknown, watermark: number): boolean {
  return typeof end === 'number' && end - 1 <= watermark;
}

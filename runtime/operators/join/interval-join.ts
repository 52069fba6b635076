import type { Operator, OperatorSpec } from '../../../compiler/graph/job-graph.js';
import type { UdfImplementations } from '../../expressions/compile-expr.js';
import type { RecordBatch } from '../../record-batch.js';
import { mapState, type MapState } from '../../state/keyed-state.js';
import type { Timer } from '../../time/timer-service.js';
import { BaseOperator, type OperatorContext } from '../operator.js';
import { assertInsertOnly, JoinOutput, JoinRows, type Row } from './join-row.js';

// The state declared by compiler/plan/state-declarations.ts (`intervalJoinState`): rows by event time, a list
// per time. A LEFT join's left rows carry one more value, whether they joined anything yet.
const LEFT_ROWS = mapState<number, readonly Row[]>('left-rows');
const RIGHT_ROWS = mapState<number, readonly Row[]>('right-rows');

/** Rows of one batch and key that share a time, before they go to state. */
interface ArrivedAt {
  readonly time: number;
  readonly rows: Row[];
}

/** Timer namespaces: which side's rows of the timer's time expire. */
const LEFT_EXPIRY = 'left';
const RIGHT_EXPIRY = 'right';

/**
 * The interval join: a left row at time l and a right row at time r of the same key join when
 * l + lowerMs <= r <= l + upperMs (and the residual holds). Output: append-only, as rows meet.
 *
 * Retention, on the watermark W (rows at times <= W are complete): a left row can still meet right rows while
 * W < l + upperMs and a right row left rows while W < r - lowerMs; an event-time timer at that bound removes
 * them from state, and there a LEFT join emits each left row that joined nothing, padded with NULLs. A row that
 * arrives already past its bound is late: dropped and counted. So two rows that are on time (later than the
 * watermark when they arrive) always meet, whichever side runs ahead, and the result does not depend on the
 * speed of the inputs. Rows with a NULL key or time can join nothing: a LEFT join emits its left ones padded at
 * once, other ones are dropped.
 *
 * Joined rows carry the left row's time (the output's rowtime), which can be up to max(upperMs, 0) behind the
 * input watermark, so the forwarded watermark is held back by that much (as Flink does): downstream event-time
 * operators would otherwise drop the joined rows as late.
 */
export class IntervalJoinOperator extends BaseOperator {
  private readonly rows: JoinRows;
  private readonly out = new JoinOutput(false);
  private readonly leftTime: number;
  private readonly rightTime: number;
  private readonly lowerMs: number;
  private readonly upperMs: number;
  readonly watermarkHoldbackMs: number;
  private leftRows!: MapState<number, readonly Row[]>;
  private rightRows!: MapState<number, readonly Row[]>;

  constructor(
    private readonly operator: Operator,
    spec: Extract<OperatorSpec, { kind: 'interval_join' }>,
    udfs: UdfImplementations,
  ) {
    super();
    this.rows = new JoinRows(operator, spec, udfs);
    this.leftTime = spec.leftTimeIndex;
    this.rightTime = spec.rightTimeIndex;
    this.lowerMs = spec.lowerMs;
    this.upperMs = spec.upperMs;
    this.watermarkHoldbackMs = Math.max(spec.upperMs, 0);
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
    try {
      const { groups, nullKeyed } = rows.byKey(batch.rows, input);
      for (const row of nullKeyed) {
        const expiry = this.expiryOf(row, input);
        if (expiry !== undefined && expiry <= watermark) this.ctx.metrics.lateRowsDropped++;
        else if (input === 0 && rows.outer) this.out.insert(rows.pad(row));
      }
      for (const group of groups) {
        this.ctx.setCurrentKey(group.key, group.encoded);
        if (input === 0) this.leftArrive(group.rows, watermark);
        else this.rightArrive(group.rows, watermark);
      }
    } catch (error) {
      throw rows.failure(error);
    }
    this.out.flush(this.ctx);
  }

  /** When the state of `row` expires: left rows at time + upperMs, right rows at time - lowerMs; undefined for a NULL time. */
  private expiryOf(row: Row, input: number): number | undefined {
    const time = row[input === 0 ? this.leftTime : this.rightTime];
    if (typeof time !== 'number') return undefined;
    return input === 0 ? time + this.upperMs : time - this.lowerMs;
  }

  private leftArrive(arrived: readonly Row[], watermark: number): void {
    const rows = this.rows;
    const { lowerMs, upperMs } = this;
    const added: ArrivedAt[] = [];
    let rights: (readonly [number, readonly Row[]])[] | undefined;
    for (const left of arrived) {
      const time = left[this.leftTime];
      if (typeof time !== 'number') {
        if (rows.outer) this.out.insert(rows.pad(left));
        continue;
      }
      if (time + upperMs <= watermark) {
        this.ctx.metrics.lateRowsDropped++;
        continue;
      }
      rights ??= [...this.rightRows.entries()];
      let matched = false;
      for (const [rightTime, candidates] of rights) {
        if (rightTime < time + lowerMs || rightTime > time + upperMs) continue;
        for (const right of candidates) {
          const joined = rows.join(left, right);
          if (joined === undefined) continue;
          this.out.insert(joined);
          matched = true;
        }
      }
      addTo(added, time, rows.outer ? withMatched(left, rows.leftWidth, matched) : left);
    }
    this.store(this.leftRows, added, upperMs, LEFT_EXPIRY);
  }

  private rightArrive(arrived: readonly Row[], watermark: number): void {
    const rows = this.rows;
    const { lowerMs, upperMs } = this;
    const lw = rows.leftWidth;
    const added: ArrivedAt[] = [];
    let lefts: [number, readonly Row[]][] | undefined;
    /** Indexes of `lefts` whose list was copied to flip `matched` flags, to write back. */
    const flipped = new Set<number>();
    for (const right of arrived) {
      const time = right[this.rightTime];
      if (typeof time !== 'number') continue;
      if (time - lowerMs <= watermark) {
        this.ctx.metrics.lateRowsDropped++;
        continue;
      }
      lefts ??= Array.from(this.leftRows.entries(), ([t, list]): [number, readonly Row[]] => [t, list]);
      for (let i = 0; i < lefts.length; i++) {
        const [leftTime, candidates] = lefts[i]!;
        if (time < leftTime + lowerMs || time > leftTime + upperMs) continue;
        for (let k = 0; k < candidates.length; k++) {
          const left = candidates[k]!;
          const joined = rows.join(left, right);
          if (joined === undefined) continue;
          this.out.insert(joined);
          if (!rows.outer || left[lw] === true) continue;
          // State values are not modified in place (snapshots may share them): flip the flag in a copy.
          const current = lefts[i]![1];
          const copy = flipped.has(i) ? (current as Row[]) : current.slice();
          copy[k] = withMatched(left, lw, true);
          lefts[i] = [leftTime, copy];
          flipped.add(i);
        }
      }
      addTo(added, time, right);
    }
    this.store(this.rightRows, added, -lowerMs, RIGHT_EXPIRY);
    for (const i of flipped) this.leftRows.put(lefts![i]![0], lefts![i]![1]);
  }

  /** Appends rows to state by time and registers the timer that expires them (once per time and key). */
  private store(state: MapState<number, readonly Row[]>, added: readonly ArrivedAt[], expiryOffset: number, namespace: string): void {
    for (const { time, rows } of added) {
      const existing = state.get(time);
      state.put(time, existing === undefined ? rows : existing.concat(rows));
      this.ctx.timers.registerEventTimeTimer(time + expiryOffset, namespace);
    }
  }

  override onTimer(timer: Timer): void {
    if (timer.namespace === RIGHT_EXPIRY) {
      this.rightRows.remove(timer.timestamp + this.lowerMs);
      return;
    }
    const time = timer.timestamp - this.upperMs;
    const rows = this.rows;
    if (rows.outer) {
      for (const left of this.leftRows.get(time) ?? []) if (left[rows.leftWidth] === false) this.out.insert(rows.pad(left));
    }
    this.leftRows.remove(time);
  }

  /** Rows padded by the timers of this watermark go out in one batch, before the watermark. */
  override onWatermark(): void {
    this.out.flush(this.ctx);
  }
}

/** Adds `row` to the rows arrived at `time`, times in order of first arrival (a key's rows in a batch share a few). */
function addTo(added: ArrivedAt[], time: number, row: Row): void {
  // Rows come roughly in time order: the latest time is the likeliest.
  for (let i = added.length - 1; i >= 0; i--) {
    if (added[i]!.time === time) {
      added[i]!.rows.push(row);
      return;
    }
  }
  added.push({ time, rows: [row] });
}

/** A LEFT join's stored left row: its columns, then whether it joined anything. */
function withMatched(left: Row, leftWidth: number, matched: boolean): Row {
  const stored = left.slice(0, leftWidth);
  stored.push(matched);
  return stored;
}

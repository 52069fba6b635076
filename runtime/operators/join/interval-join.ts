import type { Operator, OperatorSpec } from '../../../compiler/graph/job-graph.js';
import type { UdfImplementations } from '../../expressions/compile-expr.js';
import type { RecordBatch } from '../../record-batch.js';
import { encodeMapKey } from '../../state/key-codec.js';
import { mapState, type MapState } from '../../state/keyed-state.js';
import type { Timer } from '../../time/timer-service.js';
import { BaseOperator, type OperatorContext } from '../operator.js';
import { ExpiryQueue } from './expiry-queue.js';
import { assertInsertOnly, JoinOutput, JoinRows, type Row } from './join-row.js';

// The state declared by compiler/plan/state-declarations.ts (`intervalJoinState`): rows by event time, a list
// per time. A LEFT join's left rows carry one more value, whether they joined anything yet.
const LEFT_ROWS = mapState<number, readonly Row[]>('left-rows');
const RIGHT_ROWS = mapState<number, readonly Row[]>('right-rows');

/**
 * The rows of one batch and key by time, before they go to state: times in order of first arrival (a key's rows
 * in a batch share a few), each time's rows a list that state keeps. Reused for every key (its first `size`
 * slots): no object per key, and no shrinking of arrays, which costs more than the objects did.
 */
class ArrivedRows {
  readonly times: number[] = [];
  readonly rows: Row[][] = [];
  size = 0;

  add(time: number, row: Row): void {
    const times = this.times;
    // Rows come roughly in time order: the latest time is the likeliest.
    for (let i = this.size - 1; i >= 0; i--) {
      if (times[i] === time) {
        this.rows[i]!.push(row);
        return;
      }
    }
    times[this.size] = time;
    this.rows[this.size++] = [row];
  }
}

/** Which side's rows of a time expire (the namespaces of the expiry timers of earlier versions, too). */
const LEFT_EXPIRY = 'left';
const RIGHT_EXPIRY = 'right';

/**
 * The interval join: a left row at time l and a right row at time r of the same key join when
 * l + lowerMs <= r <= l + upperMs (and the residual holds). Output: append-only, as rows meet.
 *
 * Retention, on the watermark W (rows at times <= W are complete): a left row can still meet right rows while
 * W < l + upperMs and a right row left rows while W < r - lowerMs; at that bound it leaves state, and there a
 * LEFT join emits each left row that joined nothing, padded with NULLs. The bounds are kept in an expiry heap
 * per subtask, one entry per key, side and time, in the order event-time timers would fire (an inner join's of
 * one time in any order: expiring them emits nothing), and not as timer
 * state: the stored rows' times are the truth, so the heap is rebuilt from them after a restore, and a row costs
 * no timer cell to write, look up and remove (a join keyed by a value seen about once, as q7's price, holds a
 * key per row). Expiry timers in state restored from earlier versions still fire and expire alike. A row that
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
  /** In timer order for a LEFT join, whose expiries emit padded rows; an inner join's emit nothing, so need no sort. */
  private readonly expiries: ExpiryQueue;
  private readonly added = new ArrivedRows();

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
    this.expiries = new ExpiryQueue(this.rows.outer);
  }

  override open(ctx: OperatorContext): void {
    super.open(ctx);
    this.leftRows = ctx.getState(LEFT_ROWS);
    this.rightRows = ctx.getState(RIGHT_ROWS);
    if (!ctx.isRestored) return;
    ctx.forEachKey(LEFT_ROWS.name, (key, encoded) => this.indexExpiries(this.leftRows, key, encoded, this.upperMs, LEFT_EXPIRY));
    ctx.forEachKey(RIGHT_ROWS.name, (key, encoded) => this.indexExpiries(this.rightRows, key, encoded, -this.lowerMs, RIGHT_EXPIRY));
  }

  private indexExpiries(state: MapState<number, readonly Row[]>, key: readonly unknown[], encoded: string, expiryOffset: number, side: string): void {
    for (const [time] of state.entries()) this.expiries.push(time + expiryOffset, key, encoded, side);
  }

  processBatch(batch: RecordBatch, input: number): void {
    assertInsertOnly(batch, this.operator);
    const rows = this.rows;
    const watermark = this.ctx.currentWatermark;
    try {
      const { groups, nullKeyed } = rows.byKey(batch, input);
      for (const row of nullKeyed) {
        const expiry = this.expiryOf(row, input);
        if (expiry !== undefined && expiry <= watermark) this.ctx.metrics.lateRowsDropped++;
        else if (input === 0 && rows.outer) this.out.insert(rows.pad(row));
      }
      for (const group of groups) {
        this.ctx.setCurrentKey(group.key, group.encoded, group.keyGroup);
        if (input === 0) this.leftArrive(group.rows, watermark, group.key, group.encoded);
        else this.rightArrive(group.rows, watermark, group.key, group.encoded);
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

  private leftArrive(arrived: readonly Row[], watermark: number, key: readonly unknown[], encoded: string | undefined): void {
    const rows = this.rows;
    const { lowerMs, upperMs } = this;
    const added = this.added;
    added.size = 0;
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
      // Read in place: only the left rows' state changes below, and only after the loop.
      let matched = false;
      for (const [rightTime, candidates] of this.rightRows.entries()) {
        if (rightTime < time + lowerMs || rightTime > time + upperMs) continue;
        for (const right of candidates) {
          const joined = rows.join(left, right);
          if (joined === undefined) continue;
          this.out.insert(joined);
          matched = true;
        }
      }
      added.add(time, rows.outer ? withMatched(left, rows.leftWidth, matched) : left);
    }
    this.store(this.leftRows, added, key, encoded, upperMs, LEFT_EXPIRY);
  }

  private rightArrive(arrived: readonly Row[], watermark: number, key: readonly unknown[], encoded: string | undefined): void {
    const rows = this.rows;
    const { lowerMs, upperMs } = this;
    const lw = rows.leftWidth;
    const added = this.added;
    added.size = 0;
    /** Left rows' lists copied to flip `matched` flags, by time, written back after the loop (state is not modified while read). */
    let flipped: Map<number, Row[]> | undefined;
    for (const right of arrived) {
      const time = right[this.rightTime];
      if (typeof time !== 'number') continue;
      if (time - lowerMs <= watermark) {
        this.ctx.metrics.lateRowsDropped++;
        continue;
      }
      for (const [leftTime, stored] of this.leftRows.entries()) {
        if (time < leftTime + lowerMs || time > leftTime + upperMs) continue;
        const candidates = flipped?.get(leftTime) ?? stored;
        for (let k = 0; k < candidates.length; k++) {
          const left = candidates[k]!;
          const joined = rows.join(left, right);
          if (joined === undefined) continue;
          this.out.insert(joined);
          if (!rows.outer || left[lw] === true) continue;
          // State values are not modified in place (snapshots may share them): flip the flag in a copy.
          let copy = flipped?.get(leftTime);
          if (copy === undefined) (flipped ??= new Map()).set(leftTime, (copy = stored.slice()));
          copy[k] = withMatched(left, lw, true);
        }
      }
      added.add(time, right);
    }
    this.store(this.rightRows, added, key, encoded, -lowerMs, RIGHT_EXPIRY);
    if (flipped !== undefined) for (const [leftTime, list] of flipped) this.leftRows.put(leftTime, list);
  }

  /** Appends rows to state by time; a time new to the key gets its expiry (so one per key, side and time). */
  private store(state: MapState<number, readonly Row[]>, added: ArrivedRows, key: readonly unknown[], encoded: string | undefined, expiryOffset: number, side: string): void {
    const { times } = added;
    for (let i = 0; i < added.size; i++) {
      const time = times[i]!;
      const rows = added.rows[i]!;
      const encodedTime = encodeMapKey(time);
      const existing = state.get(time, encodedTime);
      if (existing !== undefined) {
        state.put(time, existing.concat(rows), encodedTime);
        continue;
      }
      state.put(time, rows, encodedTime);
      this.expiries.push(time + expiryOffset, key, encoded, side);
    }
  }

  /** Expiry timers restored from state written by earlier versions (see the class comment). */
  override onTimer(timer: Timer): void {
    this.expire(timer.namespace, timer.timestamp);
  }

  /** Removes the current key's rows of one side and time, padding a LEFT join's unmatched left rows. */
  private expire(side: string, expiry: number): void {
    if (side === RIGHT_EXPIRY) {
      this.rightRows.remove(expiry + this.lowerMs);
      return;
    }
    const time = expiry - this.upperMs;
    const rows = this.rows;
    if (rows.outer) {
      for (const left of this.leftRows.get(time) ?? []) if (left[rows.leftWidth] === false) this.out.insert(rows.pad(left));
    }
    this.leftRows.remove(time);
  }

  /** Expires what the watermark passed, in timer order; padded rows go out in one batch, before the watermark. */
  override onWatermark(watermark: number): void {
    this.expiries.expireUntil(watermark, this.expireKey);
    this.out.flush(this.ctx);
  }

  private readonly expireKey = (key: readonly unknown[], encoded: string | undefined, side: string, expiry: number): void => {
    this.ctx.setCurrentKey(key, encoded);
    this.expire(side, expiry);
  };
}

/** A LEFT join's stored left row: its columns, then whether it joined anything. */
function withMatched(left: Row, leftWidth: number, matched: boolean): Row {
  const stored = left.slice(0, leftWidth);
  stored.push(matched);
  return stored;
}

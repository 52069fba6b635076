import type { Operator, OperatorSpec } from '../../../compiler/graph/job-graph.js';
import type { UdfImplementations } from '../../expressions/compile-expr.js';
import { RowKind, type RecordBatch } from '../../record-batch.js';
import { listState, mapState, type ListState, type MapState } from '../../state/keyed-state.js';
import { isStateTtlTimer, StateTtl } from '../../state/state-ttl.js';
import type { Timer } from '../../time/timer-service.js';
import { BaseOperator, type OperatorContext } from '../operator.js';
import { assertInsertOnly, JoinOutput, JoinRows, type Row } from './join-row.js';

/** A distinct left row of a LEFT join: how often it arrived, and how many right rows it joined (each time). */
type LeftRowCounts = readonly [occurrences: number, matches: number];

// The state declared by compiler/plan/state-declarations.ts (`joinState`).
const LEFT_ROWS = listState<Row>('left-rows');
const LEFT_ROW_COUNTS = mapState<Row, LeftRowCounts>('left-rows');
const RIGHT_ROWS = listState<Row>('right-rows');

/** The parts of state TTL: each side of a key expires on its own, by input number. */
const LEFT = 0;
const RIGHT = 1;

/**
 * The regular equi-join: both sides are kept in keyed state for ever (the planner warns about it) unless the step
 * has a state TTL, and each arriving row is joined with the other side's rows of its key that satisfy the
 * residual condition. With a TTL each side of a key is forgotten that long after it was last written (a row of
 * that side arrived; for a LEFT join's left side also a right row joining it), as Flink's join state retention:
 * later rows of the other side no longer match what was forgotten, and nothing is retracted for it.
 *
 * INNER: both sides are lists; the output is append-only.
 * LEFT: left rows are a map from the row to [occurrences, matches]. A left row without a match is emitted padded
 * with NULLs (+I); when its first match arrives the padded row is retracted (-D) before the joined row is
 * inserted (+I), as Flink's streaming join does, so the output is an updating stream — the planner declares it
 * `upsert` without an upsert key. Identical left rows share an entry, so a right row updates each once.
 *
 * Rows are processed a key at a time (RowsByKey): the other side's state is read once per key and batch.
 */
export class RegularJoinOperator extends BaseOperator {
  private readonly rows: JoinRows;
  private readonly out: JoinOutput;
  private leftRows!: ListState<Row>;
  private leftRowCounts!: MapState<Row, LeftRowCounts>;
  private rightRows!: ListState<Row>;
  private readonly ttlMs: number;
  private ttl!: StateTtl;
  /** By input: whether that side holds at most one row per key (`uniqueInputs`). */
  private readonly unique: readonly [boolean, boolean];

  constructor(
    private readonly operator: Operator,
    spec: Extract<OperatorSpec, { kind: 'join' }>,
    udfs: UdfImplementations,
  ) {
    super();
    this.rows = new JoinRows(operator, spec, udfs);
    this.out = new JoinOutput(this.rows.outer);
    this.ttlMs = spec.stateTtlMs ?? 0;
    const unique = spec.uniqueInputs ?? [];
    this.unique = [unique.includes(0), unique.includes(1)];
  }

  override open(ctx: OperatorContext): void {
    super.open(ctx);
    this.rightRows = ctx.getState(RIGHT_ROWS);
    if (this.rows.outer) this.leftRowCounts = ctx.getState(LEFT_ROW_COUNTS);
    else this.leftRows = ctx.getState(LEFT_ROWS);
    this.ttl = new StateTtl(ctx, this.ttlMs, [
      { name: 'left', clear: () => (this.rows.outer ? this.leftRowCounts : this.leftRows).clear() },
      { name: 'right', clear: () => this.rightRows.clear() },
    ]);
  }

  override onTimer(timer: Timer): void {
    if (isStateTtlTimer(timer)) this.ttl.onTimer(timer);
  }

  processBatch(batch: RecordBatch, input: number): void {
    assertInsertOnly(batch, this.operator);
    const rows = this.rows;
    const ttl = this.ttl;
    const now = ttl.enabled ? this.ctx.clock.now() : 0;
    try {
      const { groups, nullKeyed } = rows.byKey(batch, input);
      if (input === 0 && rows.outer) for (const left of nullKeyed) this.out.insert(rows.pad(left));
      for (const group of groups) {
        this.ctx.setCurrentKey(group.key, group.encoded, group.keyGroup);
        ttl.expire(now, LEFT);
        ttl.expire(now, RIGHT);
        if (!rows.outer) this.innerArrive(group.rows, input);
        else if (input === 0) this.outerLeftArrive(group.rows);
        else if (this.outerRightArrive(group.rows)) ttl.touch(now, LEFT);
        ttl.touch(now, input === 0 ? LEFT : RIGHT);
      }
    } catch (error) {
      throw rows.failure(error);
    }
    this.out.flush(this.ctx);
  }

  /**
   * With a unique side (`uniqueInputs`) a key keeps only what a later row can still match: a row finding the unique
   * side's row of its key stored is not kept (that row was the only one), and the unique side's row, once it has
   * joined the other side's stored rows, drops them (no second unique row will come for them). Nexmark q4's bids
   * are then kept only while their auction has not arrived, as its hand-written loop keeps them.
   */
  private innerArrive(arrived: readonly Row[], input: number): void {
    const rows = this.rows;
    const [own, other] = input === 0 ? [this.leftRows, this.rightRows] : [this.rightRows, this.leftRows];
    const stored = other.get();
    for (const row of arrived) {
      for (const match of stored) {
        const joined = input === 0 ? rows.join(row, match) : rows.join(match, row);
        if (joined !== undefined) this.out.insert(joined);
      }
    }
    if (this.unique[input] && stored.length > 0) other.clear();
    if (!(this.unique[1 - input] && stored.length > 0)) own.addAll(arrived);
  }

  private outerLeftArrive(arrived: readonly Row[]): void {
    const rows = this.rows;
    const rights = this.rightRows.get();
    for (const left of arrived) {
      let matches = 0;
      for (const right of rights) {
        const joined = rows.join(left, right);
        if (joined === undefined) continue;
        this.out.insert(joined);
        matches++;
      }
      if (matches === 0) this.out.insert(rows.pad(left));
      const counts = this.leftRowCounts.get(left);
      this.leftRowCounts.put(left, [counts === undefined ? 1 : counts[0] + 1, matches]);
    }
  }

  /** Returns whether left rows' match counts were written. */
  private outerRightArrive(arrived: readonly Row[]): boolean {
    this.rightRows.addAll(arrived);
    if (this.leftRowCounts.isEmpty()) return false;
    const rows = this.rows;
    const lefts = [...this.leftRowCounts.entries()];
    const matches = lefts.map(([, counts]) => counts[1]);
    const changed = new Uint8Array(lefts.length);
    for (const right of arrived) {
      for (let i = 0; i < lefts.length; i++) {
        const [left, [occurrences]] = lefts[i]!;
        const joined = rows.join(left, right);
        if (joined === undefined) continue;
        if (matches[i] === 0) this.out.change(rows.pad(left), RowKind.DELETE, occurrences);
        this.out.change(joined, RowKind.INSERT, occurrences);
        matches[i]!++;
        changed[i] = 1;
      }
    }
    let written = false;
    for (let i = 0; i < lefts.length; i++) {
      if (changed[i] !== 1) continue;
      this.leftRowCounts.put(lefts[i]![0], [lefts[i]![1][0], matches[i]!]);
      written = true;
    }
    return written;
  }
}

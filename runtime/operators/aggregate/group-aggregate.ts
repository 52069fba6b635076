import type { OperatorSpec, StreamSchema } from '../../../compiler/graph/job-graph.js';
import type { UdfImplementations } from '../../expressions/compile-expr.js';
import { makeBatch, RowKind, type RecordBatch } from '../../record-batch.js';
import { encodeMapKey } from '../../state/key-codec.js';
import { mapState, valueState, type MapState, type ValueState } from '../../state/keyed-state.js';
import { isStateTtlTimer, StateTtl } from '../../state/state-ttl.js';
import type { Timer } from '../../time/timer-service.js';
import { BaseOperator, type OperatorContext } from '../operator.js';
import { RowFailure } from '../row-failure.js';
import { AccumulatorSet, type Accumulator } from './accumulators.js';
import { KeyGrouping } from './key-grouping.js';

type Row = readonly unknown[];

function pick(row: Row, columns: readonly number[]): unknown[] {
  const values = new Array<unknown>(columns.length);
  for (let i = 0; i < columns.length; i++) values[i] = row[columns[i]!];
  return values;
}

/**
 * The continuous AGGREGATE … GROUP BY: an upsert stream keyed by the group keys. A new group emits +I; a
 * change emits -U (the previous result) then +U; a group left empty by retractions emits -D and its state is
 * cleared. Mini-batch: rows are grouped by key within each input batch and every key emits at most one update
 * per batch (the result after all its rows), so intermediate results inside a batch are not emitted; an
 * update that leaves the results unchanged emits nothing (as Flink's GroupAggFunction).
 *
 * Over an updating input (the planner declares `input-rows`), the last row of every upsert key of the group is
 * kept: +I/+U retract that row (if any) and add the new one, -U/-D retract it. MIN and MAX that lose their
 * extreme are recomputed from the group's remaining rows once per key and batch; FIRST_VALUE recomputed so
 * takes some remaining row's value (state keeps no arrival order), LAST_VALUE the last value added since.
 *
 * With a state TTL a group not updated for that long is forgotten without output (as Flink's): its next row
 * starts it again and emits +I.
 */
export class GroupAggregateOperator extends BaseOperator {
  private readonly accumulators: AccumulatorSet;
  private readonly keyCount: number;
  /** Groups each batch's rows by key (reused). */
  private readonly grouping: KeyGrouping;
  /** The input's upsert key columns, when the input is updating. */
  private readonly upsertKey: readonly number[] | undefined;
  /** Scratch flags of aggregates that lost their value to a retraction (reset per key). */
  private readonly lost: Uint8Array;
  private accState!: ValueState<Accumulator>;
  private inputRows!: MapState<unknown[], Row>;
  private distinct: MapState<unknown, number>[] = [];
  private readonly ttlMs: number;
  private ttl!: StateTtl;

  constructor(spec: Extract<OperatorSpec, { kind: 'group_aggregate' }>, input: StreamSchema, udfs: UdfImplementations) {
    super();
    this.accumulators = new AccumulatorSet(spec.aggregates, udfs);
    this.grouping = KeyGrouping.of(spec.keys, udfs);
    this.keyCount = spec.keys.length;
    this.upsertKey = input.changelog === 'upsert' ? (input.upsertKey ?? []) : undefined;
    this.lost = new Uint8Array(this.accumulators.size);
    this.ttlMs = spec.stateTtlMs ?? 0;
  }

  override open(ctx: OperatorContext): void {
    super.open(ctx);
    this.accState = ctx.getState(valueState<Accumulator>('accumulators'));
    if (this.upsertKey !== undefined) this.inputRows = ctx.getState(mapState<unknown[], Row>('input-rows'));
    this.distinct = this.accumulators.distinctCalls.map((d) => ctx.getState(mapState<unknown, number>(d.state)));
    this.ttl = new StateTtl(ctx, this.ttlMs, [{ name: '', clear: () => this.clearGroup() }]);
  }

  override onTimer(timer: Timer): void {
    if (isStateTtlTimer(timer)) this.ttl.onTimer(timer);
  }

  processBatch(batch: RecordBatch): void {
    const { rows, kinds } = batch;
    if (this.upsertKey === undefined && kinds !== undefined && kinds.some((k) => k !== RowKind.INSERT)) {
      throw new Error('a continuous aggregate over an append-only input received updates: the input was planned as append-only');
    }
    const out: unknown[][] = [];
    const outKinds: number[] = [];
    let current = 0;
    const now = this.ttl.enabled ? this.ctx.clock.now() : 0;
    try {
      const grouping = this.grouping;
      const count = grouping.group(rows, batch.keyGroups);
      const { order, starts } = grouping;
      for (let g = 0; g < count; g++) {
        const key = grouping.keys[g]!;
        const from = starts[g]!;
        const to = starts[g + 1]!;
        current = order[from]!;
        this.ctx.setCurrentKey(key, grouping.encodings[g], grouping.keyGroups[g]);
        this.ttl.expire(now);
        const stored = this.accState.value();
        const acc = stored === undefined ? this.accumulators.create() : stored.slice();
        for (let r = from; r < to; r++) {
          const i = order[r]!;
          current = i;
          if (this.upsertKey === undefined) this.add(acc, rows[i]!);
          else this.upsert(acc, rows[i]!, kinds === undefined ? RowKind.INSERT : kinds[i]!);
        }
        if (this.upsertKey !== undefined) {
          if (this.lost.includes(1)) this.accumulators.recompute(acc, this.inputRows.values(), this.lost);
          if (this.inputRows.isEmpty()) {
            if (stored !== undefined) {
              out.push(this.resultRow(key, stored));
              outKinds.push(RowKind.DELETE);
            }
            this.clearGroup();
            this.ttl.forget();
            continue;
          }
        }
        if (stored === undefined) {
          out.push(this.resultRow(key, acc));
          outKinds.push(RowKind.INSERT);
        } else if (!this.accumulators.sameResults(stored, acc)) {
          out.push(this.resultRow(key, stored), this.resultRow(key, acc));
          outKinds.push(RowKind.UPDATE_BEFORE, RowKind.UPDATE_AFTER);
        }
        this.accState.update(acc);
        this.ttl.touch(now);
      }
    } catch (error) {
      throw new RowFailure(rows[current] ?? [], error);
    }
    if (out.length > 0) this.ctx.output(makeBatch(out, Uint8Array.from(outKinds)));
  }

  private add(acc: Accumulator, row: Row): void {
    this.accumulators.add(acc, row, this.lost);
    const calls = this.accumulators.distinctCalls;
    for (let d = 0; d < calls.length; d++) {
      const value = calls[d]!.argument(row);
      if (value === null) continue;
      const encoded = encodeMapKey(value);
      const seen = this.distinct[d]!.get(value, encoded);
      this.distinct[d]!.put(value, (seen ?? 0) + 1, encoded);
      if (seen === undefined) (acc[calls[d]!.at] as number)++;
    }
  }

  private retract(acc: Accumulator, row: Row): void {
    this.accumulators.retract(acc, row, this.lost);
    const calls = this.accumulators.distinctCalls;
    for (let d = 0; d < calls.length; d++) {
      const value = calls[d]!.argument(row);
      if (value === null) continue;
      const encoded = encodeMapKey(value);
      const seen = this.distinct[d]!.get(value, encoded);
      if (seen === undefined) continue;
      if (seen > 1) {
        this.distinct[d]!.put(value, seen - 1, encoded);
      } else {
        this.distinct[d]!.remove(value, encoded);
        (acc[calls[d]!.at] as number)--;
      }
    }
  }

  /** One change of an updating input: the upsert key's previous row (if any) goes out, an insert comes in. */
  private upsert(acc: Accumulator, row: Row, kind: number): void {
    const key = pick(row, this.upsertKey!);
    // Encoded once for the read and the write.
    const encoded = encodeMapKey(key);
    const previous = this.inputRows.get(key, encoded);
    if (previous !== undefined) this.retract(acc, previous);
    if (kind === RowKind.INSERT || kind === RowKind.UPDATE_AFTER) {
      this.add(acc, row);
      this.inputRows.put(key, row, encoded);
    } else if (previous !== undefined) {
      this.inputRows.remove(key, encoded);
    }
  }

  private clearGroup(): void {
    this.accState.clear();
    for (const state of this.distinct) state.clear();
    if (this.upsertKey !== undefined) this.inputRows.clear();
  }

  private resultRow(key: readonly unknown[], acc: Accumulator): unknown[] {
    const row = new Array<unknown>(this.keyCount + this.accumulators.resultCount);
    for (let k = 0; k < this.keyCount; k++) row[k] = key[k];
    this.accumulators.writeResults(acc, row, this.keyCount);
    return row;
  }
}

import type { OperatorSpec } from '../../compiler/graph/job-graph.js';
import { compileProjection, type UdfImplementations } from '../expressions/compile-expr.js';
import { kindAt, makeBatch, RowKind, type RecordBatch } from '../record-batch.js';
import { encodeKey } from '../state/key-codec.js';
import { valueState, type ValueState } from '../state/keyed-state.js';
import { isStateTtlTimer, StateTtl } from '../state/state-ttl.js';
import type { Timer } from '../time/timer-service.js';
import { BaseOperator, type OperatorContext } from './operator.js';
import { RowFailure } from './row-failure.js';

/** The states of state-declarations.ts `deduplicateState`; their values are rows of the declared value fields. */
const FIRST_SEEN = valueState<readonly [true]>('first-seen');
const LAST_ROW = valueState<readonly unknown[]>('last-row');

/** The one value `first-seen` ever holds: shared, so a heap backend keeps no per-key copy of it. */
const SEEN: readonly [true] = Object.freeze([true] as const);

/**
 * `DEDUPLICATE BY keys KEEP FIRST | LAST`, keyed by the DEDUPLICATE BY keys (NULL is a key like any other, as
 * in GROUP BY). "First" and "last" are in arrival order, which a hash edge preserves per key; event time plays
 * no part, so no row is ever late.
 *
 * - KEEP FIRST emits the first row of every key and drops the others: an append-only stream.
 * - KEEP LAST emits every key's newest row as an upsert: `+I` for the key's first row, then `-U` (the row it
 *   replaces) and `+U` (the new row).
 *
 * Over a changelog source (CDC with the table's default replica identity) the planner puts a KEEP LAST by the
 * primary key after the source as Flink's ChangelogNormalize: the source sends +I/+U with the new row and -D with
 * only the key, and the kept row supplies the -U before-image and the full -D row.
 *
 * Mini-batch: the rows of a batch are grouped by key first, so every key costs one state read (and at most one
 * write) per batch. KEEP LAST therefore emits one update per key per batch, for the batch's last row of the
 * key, rather than one per row; the upsert stream it describes is the same.
 *
 * State grows with the number of distinct keys: one flag per key for KEEP FIRST, one row per key for KEEP LAST,
 * kept forever unless the step has a state TTL. With one, a key not written for that long is forgotten: KEEP
 * FIRST emits its next row again (the flag is written once, so it expires that long after the first row), KEEP
 * LAST emits its next row as +I (as Flink's deduplication with state retention).
 */
export class DeduplicateOperator extends BaseOperator {
  private readonly keyOf: (row: readonly unknown[]) => unknown[];
  private readonly keepLast: boolean;
  private readonly ttlMs: number;
  private state!: ValueState<readonly unknown[]>;
  private ttl!: StateTtl;

  constructor(spec: Extract<OperatorSpec, { kind: 'deduplicate' }>, udfs: UdfImplementations) {
    super();
    this.keyOf = compileProjection(spec.keys, udfs);
    this.keepLast = spec.keep === 'last';
    this.ttlMs = spec.stateTtlMs ?? 0;
  }

  override open(ctx: OperatorContext): void {
    super.open(ctx);
    this.state = this.keepLast ? ctx.getState(LAST_ROW) : ctx.getState(FIRST_SEEN);
    this.ttl = new StateTtl(ctx, this.ttlMs, [{ name: '', clear: () => this.state.clear() }]);
  }

  override onTimer(timer: Timer): void {
    if (isStateTtlTimer(timer)) this.ttl.onTimer(timer);
  }

  processBatch(batch: RecordBatch): void {
    const { rows } = batch;
    const keepLast = this.keepLast;
    // For each distinct key of the batch, in order of first appearance: its values and the row that counts.
    const slots = new Map<string, number>();
    const keys: unknown[][] = [];
    const picked: number[] = [];
    let i = 0;
    try {
      for (; i < rows.length; i++) {
        const key = this.keyOf(rows[i]!);
        const encoded = encodeKey(key);
        const slot = slots.get(encoded);
        if (slot === undefined) {
          slots.set(encoded, keys.length);
          keys.push(key);
          picked.push(i);
        } else if (keepLast) {
          picked[slot] = i;
        }
      }
    } catch (error) {
      throw new RowFailure(rows[i]!, error);
    }
    if (keepLast) this.emitLast(batch, keys, picked);
    else this.emitFirst(batch, keys, picked);
  }

  private emitFirst(batch: RecordBatch, keys: readonly unknown[][], picked: readonly number[]): void {
    const { rows } = batch;
    const seen = this.state;
    const now = this.ttl.enabled ? this.ctx.clock.now() : 0;
    const out: (readonly unknown[])[] = [];
    for (let k = 0; k < keys.length; k++) {
      this.ctx.setCurrentKey(keys[k]!);
      this.ttl.expire(now);
      if (seen.value() !== undefined) continue;
      seen.update(SEEN);
      this.ttl.touch(now);
      out.push(rows[picked[k]!]!);
    }
    // Every row kept means every row was a new key's first, in order: the batch itself goes on.
    if (out.length === rows.length) this.ctx.output(batch);
    else if (out.length > 0) this.ctx.output({ rows: out });
  }

  private emitLast(batch: RecordBatch, keys: readonly unknown[][], picked: readonly number[]): void {
    const { rows } = batch;
    const last = this.state;
    const now = this.ttl.enabled ? this.ctx.clock.now() : 0;
    const out: (readonly unknown[])[] = [];
    const kinds = new Uint8Array(keys.length * 2);
    for (let k = 0; k < keys.length; k++) {
      this.ctx.setCurrentKey(keys[k]!);
      this.ttl.expire(now);
      const row = rows[picked[k]!]!;
      const previous = last.value();
      const kind = kindAt(batch, picked[k]!);
      // An update-before says nothing the kept row does not; its update-after follows.
      if (kind === RowKind.UPDATE_BEFORE) continue;
      if (kind === RowKind.DELETE) {
        // A changelog source's delete (ChangelogNormalize): the full row it removes is the one kept here.
        if (previous === undefined) continue;
        last.clear();
        this.ttl.forget();
        kinds[out.length] = RowKind.DELETE;
        out.push(previous);
        continue;
      }
      last.update(row);
      this.ttl.touch(now);
      if (previous === undefined) {
        kinds[out.length] = RowKind.INSERT;
        out.push(row);
      } else {
        kinds[out.length] = RowKind.UPDATE_BEFORE;
        out.push(previous);
        kinds[out.length] = RowKind.UPDATE_AFTER;
        out.push(row);
      }
    }
    this.ctx.output(makeBatch(out, kinds.subarray(0, out.length)));
  }
}

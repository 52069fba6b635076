import type { Operator, OperatorSpec } from '../../../compiler/graph/job-graph.js';
import { compilePredicate, compileProjection, type UdfImplementations } from '../../expressions/compile-expr.js';
import { makeBatch, RowKind, type RecordBatch } from '../../record-batch.js';
import { KeyGrouping, plainColumns } from '../aggregate/key-grouping.js';
import type { OperatorContext } from '../operator.js';
import { RowFailure } from '../row-failure.js';

export type Row = readonly unknown[];

/** The rows of one batch that share a join key, in arrival order. */
export interface SameKeyRows {
  readonly key: readonly unknown[];
  /** `encodeKey(key)` when grouping computed it, for `ctx.setCurrentKey`. */
  readonly encoded: string | undefined;
  /** The key's key group when the batch carried it, else -1: for `ctx.setCurrentKey`. */
  readonly keyGroup: number;
  readonly rows: Row[];
}

/**
 * A batch split by join key: a join sets the current key once per key and reads the other side's state once
 * for all of the key's rows in the batch. Rows with a NULL in their key can never satisfy `=`, so they are kept
 * apart (a LEFT join still emits its left ones, padded).
 */
export interface RowsByKey {
  readonly groups: readonly SameKeyRows[];
  readonly nullKeyed: readonly Row[];
}

/** What every join spec shares. */
export type JoinSpecCommon = Pick<Extract<OperatorSpec, { kind: 'join' }>, 'joinType' | 'leftKeys' | 'rightKeys' | 'residual'>;

/**
 * The row-level part every join shares, compiled once from the spec: each side's key, the residual condition
 * over the joined row (left columns, then right columns), and building joined and NULL-padded rows. It also
 * remembers the row being looked at, so that a failing key or residual expression is reported with its row
 * without a `try` per row.
 */
export class JoinRows {
  readonly leftWidth: number;
  readonly rightWidth: number;
  readonly outer: boolean;
  /** Each side's rows grouped by key (reused batch after batch). */
  private readonly groupings: readonly [KeyGrouping, KeyGrouping];
  private readonly residual: ((row: Row) => boolean) | undefined;
  private current: Row | undefined;
  /**
   * The joined row the residual condition is tested on, reused: a row that fails it (most of q5's, whose join
   * keeps only each window's top auctions) allocates nothing; one that passes is copied out.
   */
  private candidate: unknown[] | undefined;

  constructor(operator: Operator, spec: JoinSpecCommon, udfs: UdfImplementations) {
    const [left, right] = operator.inputs;
    if (left === undefined || right === undefined) throw new Error(`join ${operator.id} needs two input schemas`);
    this.leftWidth = left.fields.length;
    this.rightWidth = right.fields.length;
    this.outer = spec.joinType === 'left';
    const keyCount = spec.leftKeys.length;
    const tracked = (keyOf: (row: Row) => unknown[]) => (row: Row): unknown[] => {
      this.current = row;
      return keyOf(row);
    };
    const grouping = (keys: JoinSpecCommon['leftKeys']) =>
      new KeyGrouping(tracked(compileProjection(keys, udfs)), keyCount, plainColumns(keys));
    this.groupings = [grouping(spec.leftKeys), grouping(spec.rightKeys)];
    this.residual = spec.residual === undefined ? undefined : compilePredicate(spec.residual, udfs);
  }

  /**
   * Splits the rows of `batch`, of input `input` (0 left, 1 right), by key, keeping each key's rows in order.
   */
  byKey(batch: RecordBatch, input: number): RowsByKey {
    const rows = batch.rows;
    const groups: SameKeyRows[] = [];
    const nullKeyed: Row[] = [];
    const grouping = this.group(batch, input);
    const { order, starts } = grouping;
    for (let g = 0; g < grouping.count; g++) {
      const keyed = new Array<Row>(starts[g + 1]! - starts[g]!);
      for (let r = starts[g]!; r < starts[g + 1]!; r++) keyed[r - starts[g]!] = rows[order[r]!]!;
      const key = grouping.keys[g]!;
      if (hasNull(key)) nullKeyed.push(...keyed);
      else groups.push({ key, encoded: grouping.encodings[g], keyGroup: grouping.keyGroups[g]!, rows: keyed });
    }
    return { groups, nullKeyed };
  }

  /**
   * The rows of `batch`, of input `input`, grouped by key (KeyGrouping: valid until the next call for this
   * input). A group whose key holds a NULL (`hasNullKey`) can never satisfy `=`.
   */
  group(batch: RecordBatch, input: number): KeyGrouping {
    const grouping = this.groupings[input]!;
    grouping.group(batch.rows, batch.keyGroups);
    this.current = undefined;
    return grouping;
  }

  /**
   * `left ++ right` when it satisfies the residual condition, else undefined. Only the first `leftWidth` values
   * of `left` are used: stored left rows may carry bookkeeping after their columns.
   */
  join(left: Row, right: Row): unknown[] | undefined {
    const lw = this.leftWidth;
    const rw = this.rightWidth;
    const residual = this.residual;
    const out = residual === undefined ? new Array<unknown>(lw + rw) : (this.candidate ??= new Array<unknown>(lw + rw));
    for (let i = 0; i < lw; i++) out[i] = left[i];
    for (let i = 0; i < rw; i++) out[lw + i] = right[i];
    if (residual === undefined) return out;
    this.current = out;
    return residual(out) ? out.slice() : undefined;
  }

  /** The left row followed by NULLs for every right column (LEFT joins). */
  pad(left: Row): unknown[] {
    const lw = this.leftWidth;
    const out = new Array<unknown>(lw + this.rightWidth).fill(null);
    for (let i = 0; i < lw; i++) out[i] = left[i];
    return out;
  }

  /** Wraps an error thrown while joining so that the job's message shows the row at fault. */
  failure(error: unknown): unknown {
    const row = this.current;
    this.current = undefined;
    if (row === undefined || error instanceof RowFailure) return error;
    // The reused candidate row changes with the next join: the failure keeps a copy.
    return new RowFailure(row === this.candidate ? row.slice() : row, error);
  }
}

/** Whether a join key holds a NULL (it then matches nothing). */
export function hasNull(key: readonly unknown[]): boolean {
  for (let i = 0; i < key.length; i++) if (key[i] === null || key[i] === undefined) return true;
  return false;
}

/** The planner only joins append streams; anything else reaching a join is a planning bug. */
export function assertInsertOnly(batch: RecordBatch, operator: Operator): void {
  const kinds = batch.kinds;
  if (kinds === undefined) return;
  for (let i = 0; i < kinds.length; i++) {
    if (kinds[i] !== RowKind.INSERT) {
      throw new Error(`join ${operator.uid ?? operator.id} received an update or delete, but joins only accept append streams`);
    }
  }
}

/**
 * Rows a join emits, gathered into one batch per call into the operator (a batch, or all timers of one
 * watermark) instead of one per row. Transient: it is always empty between calls, so checkpoints never miss it.
 * `updating` outputs carry a change kind per row.
 */
export class JoinOutput {
  private rows: Row[] = [];
  private kinds: number[] = [];

  constructor(private readonly updating: boolean) {}

  insert(row: Row): void {
    this.rows.push(row);
    if (this.updating) this.kinds.push(RowKind.INSERT);
  }

  /** `row` `times` times with change kind `kind` (updating outputs only). */
  change(row: Row, kind: RowKind, times: number): void {
    for (let i = 0; i < times; i++) {
      this.rows.push(row);
      this.kinds.push(kind);
    }
  }

  flush(ctx: OperatorContext): void {
    if (this.rows.length === 0) return;
    ctx.output(makeBatch(this.rows, this.updating ? Uint8Array.from(this.kinds) : undefined));
    this.rows = [];
    this.kinds = [];
  }
}

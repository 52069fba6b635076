import { compareStrings } from '../../../compiler/functions/builtins/operators.js';
import { decimalRounder } from '../../../compiler/functions/builtins/math.js';
import type { AggregateCall } from '../../../compiler/graph/job-graph.js';
import { accumulatorFields } from '../../../compiler/functions/aggregates.js';
import { compileExpr, type UdfImplementations } from '../../expressions/compile-expr.js';

/**
 * The accumulators of an AGGREGATE step, as one flat array per group (or window) laid out exactly as
 * `accumulatorFields` declares them in state: COUNT a count; SUM and AVG a sum and the count of non-NULL
 * values; MIN, MAX, FIRST_VALUE, LAST_VALUE the current value. Arguments are compiled once; NULL arguments are
 * skipped; SUM/MIN/MAX/AVG/FIRST_VALUE/LAST_VALUE of no non-NULL value is NULL; DECIMAL sums are rounded to
 * their scale when read.
 *
 * COUNT(DISTINCT x) keeps only its count here: which values were seen lives in the operator's `distinct-<name>`
 * map state (its keys differ between the group and the window aggregate), so the operator bumps the count when
 * a value is new (`distinctCalls`).
 */
export type Accumulator = unknown[];

/** One aggregate function over its slice of the accumulator, starting at `at`. `value` is never NULL. */
interface AggregateKind {
  init(acc: Accumulator, at: number): void;
  add(acc: Accumulator, at: number, value: unknown): void;
  /** Undoes `add`; returns true when the accumulator no longer knows its result (a MIN lost its minimum). */
  retract(acc: Accumulator, at: number, value: unknown): boolean;
  /** Folds `other` (a later session) into `acc` (an earlier one). */
  merge(acc: Accumulator, at: number, other: Accumulator): void;
  result(acc: Accumulator, at: number): unknown;
}

const count: AggregateKind = {
  init: (acc, at) => void (acc[at] = 0),
  add: (acc, at) => void (acc[at] = (acc[at] as number) + 1),
  retract: (acc, at) => {
    acc[at] = (acc[at] as number) - 1;
    return false;
  },
  merge: (acc, at, other) => void (acc[at] = (acc[at] as number) + (other[at] as number)),
  result: (acc, at) => acc[at],
};

/** SUM and AVG: [sum, non-NULL count]; `finish` turns them into the result. */
function summing(finish: (sum: number, n: number) => number): AggregateKind {
  return {
    init: (acc, at) => {
      acc[at] = 0;
      acc[at + 1] = 0;
    },
    add: (acc, at, value) => {
      acc[at] = (acc[at] as number) + (value as number);
      acc[at + 1] = (acc[at + 1] as number) + 1;
    },
    retract: (acc, at, value) => {
      acc[at] = (acc[at] as number) - (value as number);
      acc[at + 1] = (acc[at + 1] as number) - 1;
      return false;
    },
    merge: (acc, at, other) => {
      acc[at] = (acc[at] as number) + (other[at] as number);
      acc[at + 1] = (acc[at + 1] as number) + (other[at + 1] as number);
    },
    result: (acc, at) => ((acc[at + 1] as number) === 0 ? null : finish(acc[at] as number, acc[at + 1] as number)),
  };
}

/** MIN and MAX: the current extreme; `better(a, b)` says whether `a` replaces `b`. */
function extreme(better: (a: unknown, b: unknown) => boolean): AggregateKind {
  return {
    init: (acc, at) => void (acc[at] = null),
    add: (acc, at, value) => {
      const current = acc[at];
      if (current === null || better(value, current)) acc[at] = value;
    },
    retract: (acc, at, value) => {
      if (acc[at] !== value) return false;
      acc[at] = null;
      return true;
    },
    merge: (acc, at, other) => {
      const value = other[at];
      if (value !== null && (acc[at] === null || better(value, acc[at]))) acc[at] = value;
    },
    result: (acc, at) => acc[at],
  };
}

/** FIRST_VALUE (`keepFirst`) and LAST_VALUE, in arrival order; merging sessions goes by session order. */
function positional(keepFirst: boolean): AggregateKind {
  return {
    init: (acc, at) => void (acc[at] = null),
    add: (acc, at, value) => {
      if (!keepFirst || acc[at] === null) acc[at] = value;
    },
    retract: (acc, at, value) => {
      if (acc[at] !== value) return false;
      acc[at] = null;
      return true;
    },
    merge: (acc, at, other) => {
      const value = other[at];
      if (value !== null && (!keepFirst || acc[at] === null)) acc[at] = value;
    },
    result: (acc, at) => acc[at],
  };
}

function kindOf(call: AggregateCall): AggregateKind {
  const lessThan =
    call.resultType.name === 'STRING' ? (a: unknown, b: unknown) => compareStrings(a as string, b as string) < 0 : (a: unknown, b: unknown) => (a as number) < (b as number);
  switch (call.function) {
    case 'COUNT':
      return count;
    case 'SUM': {
      const type = call.resultType;
      if (type.name !== 'DECIMAL') return summing((sum) => sum);
      const round = decimalRounder(type.scale);
      return summing((sum) => round(sum));
    }
    case 'AVG':
      return summing((sum, n) => sum / n);
    case 'MIN':
      return extreme(lessThan);
    case 'MAX':
      return extreme((a, b) => lessThan(b, a));
    case 'FIRST_VALUE':
      return positional(true);
    case 'LAST_VALUE':
      return positional(false);
  }
}

/** A COUNT(DISTINCT x): its argument, its count's position, and the map state of its values. */
export interface DistinctCall {
  readonly state: string;
  readonly argument: (row: readonly unknown[]) => unknown;
  /** Position of the distinct count in the accumulator. */
  readonly at: number;
}

export class AccumulatorSet {
  readonly width: number;
  readonly distinctCalls: readonly DistinctCall[];
  /** Per aggregate: kind, argument (undefined for COUNT(*)), position; distinct calls are left out. */
  private readonly kinds: AggregateKind[] = [];
  private readonly argumentsOf: (((row: readonly unknown[]) => unknown) | undefined)[] = [];
  private readonly offsets: number[] = [];
  /** Per aggregate (all of them), the position its result is read from. */
  private readonly resultKinds: AggregateKind[] = [];
  private readonly resultOffsets: number[] = [];
  /** LAST_VALUE: an added value is right whatever was retracted before it. */
  private readonly addRepairs: boolean[] = [];

  constructor(calls: readonly AggregateCall[], udfs: UdfImplementations) {
    const distinct: DistinctCall[] = [];
    let at = 0;
    for (const call of calls) {
      const kind = kindOf(call);
      const argument = call.args[0] === undefined ? undefined : compileExpr(call.args[0], udfs);
      this.resultKinds.push(kind);
      this.resultOffsets.push(at);
      if (call.distinct) {
        distinct.push({ state: `distinct-${call.name}`, argument: argument!, at });
      } else {
        this.kinds.push(kind);
        this.argumentsOf.push(argument);
        this.offsets.push(at);
        this.addRepairs.push(call.function === 'LAST_VALUE');
      }
      at += accumulatorFields(call).length;
    }
    this.width = at;
    this.distinctCalls = distinct;
  }

  /** How many aggregates `add` and `retract` maintain (the size of a `lost` array). */
  get size(): number {
    return this.kinds.length;
  }

  /** How many aggregates there are (results `writeResults` writes). */
  get resultCount(): number {
    return this.resultKinds.length;
  }

  create(): Accumulator {
    const acc: Accumulator = new Array(this.width);
    this.initAt(acc, 0);
    return acc;
  }

  /**
   * Initialises accumulators laid out in `acc` from position `base` (`width` fields): several accumulators may
   * share one array (a key's windows packed in one value, packed-windows.ts).
   */
  initAt(acc: Accumulator, base: number): void {
    for (let i = 0; i < this.resultKinds.length; i++) this.resultKinds[i]!.init(acc, base + this.resultOffsets[i]!);
  }

  /** Adds `row` to every non-distinct aggregate; `lost` (see `retract`) forgets the losses an add repairs. */
  add(acc: Accumulator, row: readonly unknown[], lost?: Uint8Array): void {
    for (let i = 0; i < this.kinds.length; i++) {
      const argument = this.argumentsOf[i];
      const value = argument === undefined ? true : argument(row);
      if (value === null) continue;
      this.kinds[i]!.add(acc, this.offsets[i]!, value);
      if (lost !== undefined && this.addRepairs[i]) lost[i] = 0;
    }
  }

  /** `add` for the accumulators laid out in `acc` from position `base` (see `initAt`). */
  addAt(acc: Accumulator, base: number, row: readonly unknown[]): void {
    for (let i = 0; i < this.kinds.length; i++) {
      const argument = this.argumentsOf[i];
      const value = argument === undefined ? true : argument(row);
      if (value === null) continue;
      this.kinds[i]!.add(acc, base + this.offsets[i]!, value);
    }
  }

  /**
   * Takes `row` out again. An aggregate that lost its value (a MIN retracting its minimum) is flagged in `lost`;
   * the caller then recomputes it from the rows still in the group (`recompute`).
   */
  retract(acc: Accumulator, row: readonly unknown[], lost: Uint8Array): void {
    for (let i = 0; i < this.kinds.length; i++) {
      const argument = this.argumentsOf[i];
      const value = argument === undefined ? true : argument(row);
      if (value === null) continue;
      if (this.kinds[i]!.retract(acc, this.offsets[i]!, value)) lost[i] = 1;
    }
  }

  /** Recomputes the aggregates flagged in `lost` from `rows` (every row still in the group), clearing the flags. */
  recompute(acc: Accumulator, rows: Iterable<readonly unknown[]>, lost: Uint8Array): void {
    const redo: number[] = [];
    for (let i = 0; i < this.kinds.length; i++) {
      if (lost[i] === 1) redo.push(i);
      lost[i] = 0;
    }
    if (redo.length === 0) return;
    for (const i of redo) this.kinds[i]!.init(acc, this.offsets[i]!);
    for (const row of rows) {
      for (const i of redo) {
        const value = this.argumentsOf[i]!(row);
        if (value !== null) this.kinds[i]!.add(acc, this.offsets[i]!, value);
      }
    }
  }

  /** Folds `later` into `acc` (merging sessions); distinct counts are the caller's to recompute. */
  merge(acc: Accumulator, later: Accumulator): void {
    for (let i = 0; i < this.kinds.length; i++) this.kinds[i]!.merge(acc, this.offsets[i]!, later);
  }

  /**
   * Writes the results, one per aggregate in declaration order, into `out` from position `start`; `base`: where the
   * accumulators start in `acc` (see `initAt`).
   */
  writeResults(acc: Accumulator, out: unknown[], start: number, base = 0): void {
    for (let i = 0; i < this.resultKinds.length; i++) out[start + i] = this.resultKinds[i]!.result(acc, base + this.resultOffsets[i]!);
  }

  /** Whether two accumulators give the same results (an update that changes nothing is not emitted). */
  sameResults(a: Accumulator, b: Accumulator): boolean {
    for (let i = 0; i < this.resultKinds.length; i++) {
      const at = this.resultOffsets[i]!;
      const kind = this.resultKinds[i]!;
      if (!Object.is(kind.result(a, at), kind.result(b, at))) return false;
    }
    return true;
  }
}

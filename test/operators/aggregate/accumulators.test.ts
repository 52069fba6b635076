import { describe, expect, it } from 'vitest';
import type { AggregateCall } from '../../../compiler/graph/job-graph.js';
import { decimal, DOUBLE, STRING, type SqlType } from '../../../compiler/types/sql-type.js';
import { AccumulatorSet, type Accumulator } from '../../../runtime/operators/aggregate/accumulators.js';

const column = (index: number, type: SqlType) => ({ op: 'column' as const, index, name: `c${index}`, type, nullable: true });

function agg(fn: AggregateCall['function'], name: string, type: SqlType | undefined, resultType: SqlType = type ?? DOUBLE): AggregateCall {
  return { function: fn, args: type === undefined ? [] : [column(0, type)], distinct: false, name, resultType, nullable: true };
}

const DEC = decimal(10, 2);

function results(set: AccumulatorSet, acc: Accumulator): unknown[] {
  const out: unknown[] = [];
  set.writeResults(acc, out, 0);
  return out;
}

function fold(set: AccumulatorSet, values: readonly unknown[]): Accumulator {
  const acc = set.create();
  for (const value of values) set.add(acc, [value]);
  return acc;
}

describe('accumulators', () => {
  const all = [
    agg('COUNT', 'all', undefined, DOUBLE),
    agg('COUNT', 'n', DEC),
    agg('SUM', 'total', DEC, decimal(38, 2)),
    agg('AVG', 'mean', DEC, DOUBLE),
    agg('MIN', 'low', DEC),
    agg('MAX', 'high', DEC),
    agg('FIRST_VALUE', 'first', DEC),
    agg('LAST_VALUE', 'last', DEC),
  ];

  it('skip NULL arguments (COUNT(*) counts every row)', () => {
    const set = new AccumulatorSet(all, new Map());
    expect(results(set, fold(set, [null, 2.5, null, 1.25, 4, null]))).toEqual([6, 3, 7.75, 7.75 / 3, 1.25, 4, 2.5, 4]);
  });

  it('of no non-NULL value: COUNT is 0, every other aggregate NULL', () => {
    const set = new AccumulatorSet(all, new Map());
    expect(results(set, fold(set, [null, null]))).toEqual([2, 0, null, null, null, null, null, null]);
  });

  it('round a DECIMAL sum to its scale, and keep a DOUBLE sum as it is', () => {
    const decimalSum = new AccumulatorSet([agg('SUM', 'd', DEC, decimal(38, 2))], new Map());
    const doubleSum = new AccumulatorSet([agg('SUM', 'f', DOUBLE)], new Map());
    expect(results(decimalSum, fold(decimalSum, [0.1, 0.2]))).toEqual([0.3]);
    expect(results(doubleSum, fold(doubleSum, [0.1, 0.2]))).toEqual([0.1 + 0.2]);
  });

  it('order strings by code point for MIN and MAX', () => {
    const set = new AccumulatorSet([agg('MIN', 'low', STRING), agg('MAX', 'high', STRING)], new Map());
    expect(results(set, fold(set, ['b', '\u{1F600}', 'a', '\uFF21']))).toEqual(['a', '\u{1F600}']);
  });

  it('retract: sums and counts go back; a MIN losing its minimum is flagged and recomputed from the remaining rows', () => {
    const set = new AccumulatorSet([agg('SUM', 'total', DEC, decimal(38, 2)), agg('MIN', 'low', DEC)], new Map());
    const lost = new Uint8Array(set.size);
    const acc = fold(set, [3, 1, 2]);
    set.retract(acc, [3], lost);
    expect([...lost]).toEqual([0, 0]);
    set.retract(acc, [1], lost);
    expect([...lost]).toEqual([0, 1]);
    set.recompute(acc, [[2]], lost);
    expect([...lost]).toEqual([0, 0]);
    expect(results(set, acc)).toEqual([2, 2]);
    set.retract(acc, [2], lost);
    set.recompute(acc, [], lost);
    expect(results(set, acc)).toEqual([null, null]);
  });

  it('a LAST_VALUE that lost its value is repaired by the next value added', () => {
    const set = new AccumulatorSet([agg('LAST_VALUE', 'last', DEC)], new Map());
    const lost = new Uint8Array(set.size);
    const acc = fold(set, [1, 2]);
    set.retract(acc, [2], lost);
    set.add(acc, [5], lost);
    expect([...lost]).toEqual([0]);
    expect(results(set, acc)).toEqual([5]);
  });

  it('merge a later session into an earlier one', () => {
    const set = new AccumulatorSet(all, new Map());
    const earlier = fold(set, [2, null]);
    set.merge(earlier, fold(set, [1, 5]));
    expect(results(set, earlier)).toEqual([4, 3, 8, 8 / 3, 1, 5, 2, 5]);
  });

  it('lays the accumulator out as the state declaration says, leaving COUNT(DISTINCT) to its map state', () => {
    const distinct: AggregateCall = { ...agg('COUNT', 'users', STRING, DOUBLE), distinct: true };
    const set = new AccumulatorSet([agg('AVG', 'mean', DEC, DOUBLE), distinct, agg('MAX', 'high', DEC)], new Map());
    expect(set.width).toBe(4);
    expect(set.distinctCalls).toMatchObject([{ state: 'distinct-users', at: 2 }]);
    const acc = fold(set, [1]);
    expect(acc).toEqual([1, 1, 0, 1]);
  });
});

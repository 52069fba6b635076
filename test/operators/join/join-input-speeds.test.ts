import { describe, expect, it } from 'vitest';
import type { SourceFeed } from '../../../runtime/operators/iterable-source.js';
import { materialize, sortRows } from '../changelog.js';
import { runPipe } from '../run-pipe.js';
import { joinProgram, s, windowJoinProgram } from './join-fixtures.js';

/**
 * Every join kind, INNER and LEFT, on the same generated orders and payments, at parallelism 1 with both inputs
 * read as fast as possible and at parallelism 2 with one input much slower than the other: the results must
 * equal a plain nested-loop reference. Rows come out of order, but never by more than the 2-second watermark
 * delay, so none is late.
 */

type Row = readonly unknown[];

/** A small deterministic generator (an LCG), so that every run sees the same rows. */
function random(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return x / 2 ** 31;
  };
}

const next = random(42);
const int = (n: number): number => Math.floor(next() * n);
// Times advance by 100 / 150 ms a row with up to 1.5 s of disorder; some keys are NULL.
const orders: Row[] = Array.from({ length: 300 }, (_, i) => [i % 37 === 5 ? null : int(60), `c${i}`, int(100), i * 100 + int(1500)]);
const payments: Row[] = Array.from({ length: 200 }, (_, i) => [i % 41 === 3 ? null : int(70), int(100), i * 150 + int(1500)]);

const sameKey = (o: Row, p: Row): boolean => o[0] !== null && o[0] === p[0];
const paysEnough = (o: Row, p: Row): boolean => (p[1] as number) >= (o[2] as number);
const within = (o: Row, p: Row): boolean => (p[2] as number) >= (o[3] as number) - s(1) && (p[2] as number) <= (o[3] as number) + s(5);
const windowOf = (time: number): [number, number] => [Math.floor(time / s(10)) * s(10), Math.floor(time / s(10)) * s(10) + s(10)];
const windowed = (row: Row, time: number): Row => [...row, ...windowOf(row[time] as number)];

/** Nested loops: every pair that matches, and for LEFT each left row without one, padded. */
function reference(lefts: readonly Row[], rights: readonly Row[], rightWidth: number, outer: boolean, matches: (o: Row, p: Row) => boolean): Row[] {
  return lefts.flatMap((o) => {
    const joined = rights.filter((p) => matches(o, p)).map((p) => [...o, ...p]);
    return joined.length === 0 && outer ? [[...o, ...Array<null>(rightWidth).fill(null)]] : joined;
  });
}

const RESIDUAL = 'p.paid >= o.amount';
const INTERVAL = "o.id = p.order_id AND p.ts BETWEEN o.ts - INTERVAL '1' SECOND AND o.ts + INTERVAL '5' SECOND";
const windowedOrders = orders.map((o) => windowed(o, 3));
const windowedPayments = payments.map((p) => windowed(p, 2));
const sameWindow = (o: Row, p: Row): boolean => sameKey(o, p) && o[4] === p[3];

const cases = [
  { name: 'regular INNER', program: joinProgram('JOIN', 'o.id = p.order_id'), expected: reference(orders, payments, 3, false, sameKey) },
  {
    name: 'regular LEFT with a residual',
    program: joinProgram('LEFT JOIN', `o.id = p.order_id AND ${RESIDUAL}`),
    expected: reference(orders, payments, 3, true, (o, p) => sameKey(o, p) && paysEnough(o, p)),
  },
  { name: 'interval INNER', program: joinProgram('JOIN', INTERVAL), expected: reference(orders, payments, 3, false, (o, p) => sameKey(o, p) && within(o, p)) },
  {
    name: 'interval LEFT with a residual',
    program: joinProgram('LEFT JOIN', `${INTERVAL} AND ${RESIDUAL}`),
    expected: reference(orders, payments, 3, true, (o, p) => sameKey(o, p) && within(o, p) && paysEnough(o, p)),
  },
  { name: 'window INNER', program: windowJoinProgram('JOIN'), expected: reference(windowedOrders, windowedPayments, 5, false, sameWindow) },
  {
    name: 'window LEFT with a residual',
    program: windowJoinProgram('LEFT JOIN', ` AND ${RESIDUAL}`),
    expected: reference(windowedOrders, windowedPayments, 5, true, (o, p) => sameWindow(o, p) && paysEnough(o, p)),
  },
];

/** Yields `rows` a few at a time with pauses, so that the other input runs far ahead. */
async function* slowly(rows: readonly Row[]): AsyncGenerator<Row> {
  for (let i = 0; i < rows.length; i++) {
    if (i % 5 === 0) await new Promise((resolve) => setTimeout(resolve, 1));
    yield rows[i]!;
  }
}

const runs: { name: string; parallelism: number; feed: () => { orders: SourceFeed; payments: SourceFeed } }[] = [
  { name: 'parallelism 1, both inputs fast', parallelism: 1, feed: () => ({ orders, payments }) },
  { name: 'parallelism 2, payments much slower', parallelism: 2, feed: () => ({ orders, payments: slowly(payments) }) },
  { name: 'parallelism 2, orders much slower', parallelism: 2, feed: () => ({ orders: slowly(orders), payments }) },
];

describe.each(cases)('$name join', ({ program, expected }) => {
  it.each(runs)('gives the reference result with $name', async ({ parallelism, feed }) => {
    const run = await runPipe(program, { sources: feed(), parallelism, job: { batchSize: 16 } });
    expect(materialize(run.sinks['out']!)).toEqual(sortRows(expected));
    expect(run.result.metrics.operators.find((m) => m.uid === 'j')!.lateRowsDropped).toBe(0);
  });
});

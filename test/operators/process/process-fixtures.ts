import type { ProcessFunction } from '../../../runtime/operators/process/process-function.js';

/** The program, input and process function the process-operator tests share. */

export const PAYMENTS_SOURCE = `
CREATE SOURCE payments (
  account STRING,
  amount DOUBLE,
  paid_at TIMESTAMP(3),
  WATERMARK FOR paid_at AS paid_at - INTERVAL '2' SECOND
) WITH ('connector' = 'file', 'path' = 'fed-by-the-test.jsonl') UID 'payments';
CREATE SINK out WITH ('connector' = 'blackhole') UID 'out';
`;

/** payments |> PROCESS `call` → out. */
export function processProgram(call: string): string {
  return `${PAYMENTS_SOURCE}\nINSERT INTO out FROM payments |> PROCESS ${call} UID 'p';`;
}

export const WINDOW_MS = 10_000;

/**
 * Tumbling 10-second totals per PARTITION BY key, written as a user would: keyed map state of open windows,
 * one event-time timer per window at its last millisecond, late rows (their window already fired) skipped.
 * A NULL amount counts as a row but adds nothing.
 */
export const tumblingTotals: ProcessFunction = {
  name: 'tumbling_totals',
  args: [{ name: 'DOUBLE' }],
  output: [
    { name: 'account', type: { name: 'STRING' }, nullable: true },
    { name: 'window_start', type: { name: 'TIMESTAMP', precision: 3 }, nullable: false },
    { name: 'total', type: { name: 'DOUBLE' }, nullable: false },
    { name: 'payments', type: { name: 'BIGINT' }, nullable: false },
  ],
  state: [
    {
      name: 'windows',
      kind: 'map',
      mapKeyType: [{ name: 'window_start', type: { name: 'TIMESTAMP', precision: 3 }, nullable: false }],
      valueType: [
        { name: 'total', type: { name: 'DOUBLE' }, nullable: false },
        { name: 'payments', type: { name: 'BIGINT' }, nullable: false },
      ],
    },
  ],
  processElement(_row, ctx) {
    if (ctx.timestamp === null) return;
    const start = ctx.timestamp - (ctx.timestamp % WINDOW_MS);
    const end = start + WINDOW_MS - 1;
    if (end <= ctx.currentWatermark) return;
    const windows = ctx.state.map<number, readonly [number, number]>('windows');
    const [total, payments] = windows.get(start) ?? [0, 0];
    windows.put(start, [total + ((ctx.args[0] as number | null) ?? 0), payments + 1]);
    ctx.timers.registerEventTime(end);
  },
  onTimer(timestamp, ctx) {
    const start = timestamp + 1 - WINDOW_MS;
    const windows = ctx.state.map<number, readonly [number, number]>('windows');
    const [total, payments] = windows.get(start)!;
    windows.remove(start);
    ctx.emit({ account: ctx.currentKey![0], window_start: start, total, payments });
  },
};

/**
 * `count` payments [account, amount, paid_at] over 9 accounts (one NULL), every 17th amount NULL; times rise by
 * 250 ms a row and are shuffled by up to 1.5 s, inside the 2 s watermark delay, so no row is ever late.
 */
export function payments(count: number): unknown[][] {
  return Array.from({ length: count }, (_, i) => {
    const account = i % 9 === 0 ? null : `acct-${i % 9}`;
    return [account, i % 17 === 0 ? null : (i % 50) + 0.5, 1_000_000 + i * 250 - ((i * 3) % 7) * 250];
  });
}

/** The reference result of tumblingTotals over rows that are never late. */
export function expectedTotals(rows: readonly unknown[][]): unknown[][] {
  const windows = new Map<string, [unknown, number, number, number]>();
  for (const [account, amount, time] of rows) {
    const start = (time as number) - ((time as number) % WINDOW_MS);
    const id = JSON.stringify([account, start]);
    const entry = windows.get(id) ?? [account, start, 0, 0];
    entry[2] += (amount as number | null) ?? 0;
    entry[3]++;
    windows.set(id, entry);
  }
  return [...windows.values()];
}

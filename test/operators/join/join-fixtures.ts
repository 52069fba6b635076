import type { Operator, OperatorKind } from '../../../compiler/graph/job-graph.js';
import { changelogLines } from '../changelog.js';
import { OperatorHarness } from '../operator-harness.js';
import { compilePipe } from '../run-pipe.js';

/**
 * What the join tests share. The `.pipe` programs they run: orders (id, customer, amount, ts) joined with payments
 * (order_id, paid, ts), both with a 2-second watermark delay, into the sink `out`; the join's uid is `j`.
 */
const SOURCES = `CREATE SOURCE orders (id BIGINT, customer STRING, amount BIGINT, ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '2' SECOND) WITH ('connector' = 'datagen') UID 'orders';
CREATE SOURCE payments (order_id BIGINT, paid BIGINT, ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '2' SECOND) WITH ('connector' = 'datagen') UID 'payments';
CREATE SINK out WITH ('connector' = 'blackhole') UID 'out';`;

/** `FROM orders AS o |> <join> payments AS p ON <condition> UID 'j'` into `out`. */
export const joinProgram = (join: 'JOIN' | 'LEFT JOIN', condition: string): string =>
  `${SOURCES}\nINSERT INTO out FROM orders AS o |> ${join} payments AS p ON ${condition} UID 'j';`;

/** Both sides in 10-second tumbling windows, joined per order and window. */
export const windowJoinProgram = (join: 'JOIN' | 'LEFT JOIN', residual = ''): string => `${SOURCES}
CREATE VIEW windowed_payments AS FROM payments |> WINDOW TUMBLE(ts, INTERVAL '10' SECOND);
INSERT INTO out FROM orders AS o |> WINDOW TUMBLE(ts, INTERVAL '10' SECOND)
  |> ${join} windowed_payments AS p
     ON o.id = p.order_id AND o.window_start = p.window_start AND o.window_end = p.window_end${residual} UID 'j';`;

/** Seconds to epoch milliseconds, for readable times. */
export const s = (seconds: number): number => seconds * 1000;

/** The join `j` of a compiled program, checked to be of `kind`. */
export function compiledJoin(text: string, kind: OperatorKind): Operator {
  const operator = compilePipe(text).operators.find((op) => op.uid === 'j');
  if (operator?.spec.kind !== kind) throw new Error(`the program's join 'j' is not a ${kind} (${operator?.spec.kind ?? 'missing'})`);
  return operator;
}

const opened: OperatorHarness[] = [];

/** A harness over the join `j` of `program`, closed by `closeJoins` (call it in `afterEach`). */
export async function openJoin(program: string, kind: OperatorKind): Promise<OperatorHarness> {
  const harness = await OperatorHarness.open(compiledJoin(program, kind));
  opened.push(harness);
  return harness;
}

export async function closeJoins(): Promise<void> {
  for (const harness of opened.splice(0)) await harness.close();
}

/** The changelog lines (`+I [..]`) that `step` added to the harness's output. */
export function emittedBy(harness: OperatorHarness, step: () => void): string[] {
  const before = harness.output.rows.length;
  step();
  return changelogLines(harness.output).slice(before);
}

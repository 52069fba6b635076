import type { Operator, OperatorKind } from '../../../compiler/graph/job-graph.js';
import { compilePipe } from '../run-pipe.js';

/**
 * The `.pipe` programs the aggregate tests run: clicks (user, page, amount, ts) with a 2-second watermark delay,
 * into the sink `out`.
 */
export const CLICKS = `CREATE SOURCE clicks (user STRING, page STRING, amount DECIMAL(10, 2), ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '2' SECOND) WITH ('connector' = 'datagen') UID 'clicks';
CREATE SINK out WITH ('connector' = 'blackhole') UID 'out';`;

/** CLICKS, then `INSERT INTO out FROM clicks` followed by `steps`. */
export const program = (steps: string): string => `${CLICKS}\nINSERT INTO out FROM clicks ${steps};`;

/** Seconds to epoch milliseconds, for readable times. */
export const s = (seconds: number): number => seconds * 1000;

/** The operator with `uid` of the compiled program, checked to be of `kind`. */
export function compiledOperator(text: string, uid: string, kind: OperatorKind): Operator {
  const operator = compilePipe(text).operators.find((op) => op.uid === uid);
  if (operator?.spec.kind !== kind) throw new Error(`the program has no ${kind} operator '${uid}'`);
  return operator;
}

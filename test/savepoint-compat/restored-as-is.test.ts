import { describe, expect, it } from 'vitest';
import { exitCodeOf } from '../../compiler/savepoint-compat/report.js';
import { bidsJob, checkPair, operatorIn } from './pipe-pairs.js';

const OLD = bidsJob(`|> AGGREGATE COUNT(*) AS n, SUM(price) AS total GROUP BY auction UID 'per-auction'`);

describe('a savepoint restored into the same steps', () => {
  it('restores every state as compatible', () => {
    const report = checkPair(OLD, OLD);
    expect(report.restorable).toBe(true);
    expect(exitCodeOf(report)).toBe(0);
    expect(report.operators.map((op) => [op.uid, op.status])).toEqual([
      ['bids', 'restored'],
      ['per-auction', 'restored'],
      ['out', 'restored'],
    ]);
    const states = report.operators.flatMap((op) => op.states);
    expect(states.map((s) => [s.name, s.verdict, s.reasons, s.migrations])).toEqual([
      ['splits', 'compatible', [], []],
      ['accumulators', 'compatible', [], []],
    ]);
  });

  it('ignores stateless steps without uid added around a stateful one, as a restore maps by uid alone', () => {
    const next = bidsJob(`|> WHERE price > 10 |> AGGREGATE COUNT(*) AS n, SUM(price) AS total GROUP BY auction UID 'per-auction' |> SELECT auction, n`);
    const report = checkPair(OLD, next);
    expect(report.restorable).toBe(true);
    expect(report.operators.map((op) => op.uid)).toEqual(['bids', 'per-auction', 'out']);
    expect(operatorIn(report, 'per-auction').states.map((s) => s.verdict)).toEqual(['compatible']);
  });
});

import { describe, expect, it } from 'vitest';
import { bidsJob, checkPair, codesOf, operatorIn, stateIn } from './pipe-pairs.js';

function fileSinkJob(semantic: string): string {
  return `
CREATE SOURCE s (a BIGINT) WITH ('connector' = 'datagen', 'number-of-rows' = '10') UID 'src';
CREATE SINK out WITH ('connector' = 'file', 'path' = 'out', 'sink.semantic' = '${semantic}') UID 'out';
INSERT INTO out FROM s;`;
}

describe('new state rule', () => {
  it('starts a step that is not in the savepoint empty, and says so', () => {
    const report = checkPair(
      bidsJob(`|> AGGREGATE COUNT(*) AS n GROUP BY auction UID 'per-auction'`),
      bidsJob(`|> DEDUPLICATE BY auction, bidder KEEP FIRST UID 'once' |> AGGREGATE COUNT(*) AS n GROUP BY auction UID 'per-auction'`),
    );
    expect(report.restorable).toBe(true);
    expect(operatorIn(report, 'once').status).toBe('new');
    expect(codesOf(report, 'once')).toEqual(['SLC6033']);
    expect(stateIn(report, 'once', 'first-seen')).toMatchObject({ verdict: 'starts-empty', blocking: false });
    expect(stateIn(report, 'once', 'first-seen').size).toBeUndefined();
  });

  it('starts state a restored step newly declares empty', () => {
    const report = checkPair(fileSinkJob('at-least-once'), fileSinkJob('exactly-once'));
    expect(report.restorable).toBe(true);
    expect(operatorIn(report, 'out').status).toBe('restored');
    expect(stateIn(report, 'out', 'pending-commits').verdict).toBe('starts-empty');
    expect(codesOf(report, 'out', 'pending-commits')).toEqual(['SLC6034']);
  });
});

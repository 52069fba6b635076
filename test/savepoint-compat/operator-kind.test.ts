import { describe, expect, it } from 'vitest';
import { bidsJob, checkPair, codesOf, operatorIn } from './pipe-pairs.js';

describe('operator kind rule', () => {
  it('refuses state of one kind of step under a uid that now names another kind', () => {
    const report = checkPair(
      bidsJob(`|> AGGREGATE COUNT(*) AS n GROUP BY auction UID 'step'`),
      bidsJob(`|> DEDUPLICATE BY auction KEEP FIRST UID 'step'`),
    );
    expect(report.restorable).toBe(false);
    expect(codesOf(report, 'step')).toEqual(['SLC6002']);
    const step = operatorIn(report, 'step');
    expect(step.findings[0]!.message).toBe("uid 'step' was a group_aggregate step in the savepoint and is a deduplicate step now");
    expect(step.states.map((s) => [s.name, s.verdict, s.blocking])).toEqual([
      ['first-seen', 'incompatible', true],
      ['accumulators', 'incompatible', true],
    ]);
  });
});

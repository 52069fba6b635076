import { describe, expect, it } from 'vitest';
import { bidsJob, checkPair, codesOf, stateIn } from './pipe-pairs.js';

describe('aggregate input changelog rule', () => {
  it('refuses an aggregate whose input now carries updates it could not retract from the restored groups', () => {
    const report = checkPair(
      bidsJob(`|> AGGREGATE COUNT(*) AS n GROUP BY auction UID 'agg'`),
      bidsJob(`|> DEDUPLICATE BY auction KEEP LAST UID 'latest' |> AGGREGATE COUNT(*) AS n GROUP BY auction UID 'agg'`),
    );
    expect(report.restorable).toBe(false);
    expect(stateIn(report, 'agg', 'input-rows').verdict).toBe('incompatible');
    expect(codesOf(report, 'agg', 'input-rows')).toEqual(['SLC6013']);
    expect(stateIn(report, 'agg', 'accumulators').verdict).toBe('compatible');
  });
});

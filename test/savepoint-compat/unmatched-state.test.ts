import { describe, expect, it } from 'vitest';
import { renderVerdict } from '../../compiler/savepoint-compat/render.js';
import { bidsJob, checkPair, codesOf, operatorIn, stateIn } from './pipe-pairs.js';

const WITH_DEDUP = bidsJob(`|> DEDUPLICATE BY auction KEEP FIRST UID 'first-bid' |> AGGREGATE COUNT(*) AS n GROUP BY bidder UID 'per-bidder'`);
const WITHOUT_DEDUP = bidsJob(`|> AGGREGATE COUNT(*) AS n GROUP BY bidder UID 'per-bidder'`);

describe('unmatched state rule', () => {
  it('fails on non-empty state of a step the new job dropped', () => {
    const report = checkPair(WITH_DEDUP, WITHOUT_DEDUP);
    expect(report.restorable).toBe(false);
    expect(operatorIn(report, 'first-bid').status).toBe('dropped');
    expect(stateIn(report, 'first-bid', 'first-seen')).toMatchObject({ verdict: 'dropped', blocking: true });
    expect(codesOf(report, 'first-bid', 'first-seen')).toEqual(['SLC6030']);
    expect(renderVerdict(report)).toBe('not restorable: 1 dropped state (pass --allow-non-restored-state to drop it)');
  });

  it('drops it with a warning when non-restored state is allowed', () => {
    const report = checkPair(WITH_DEDUP, WITHOUT_DEDUP, { allowNonRestoredState: true });
    expect(report.restorable).toBe(true);
    expect(stateIn(report, 'first-bid', 'first-seen')).toMatchObject({ verdict: 'dropped', blocking: false });
    expect(stateIn(report, 'first-bid', 'first-seen').reasons.map((r) => [r.code, r.severity])).toEqual([['SLC6031', 'warning']]);
  });

  it('skips empty dropped state with a note', () => {
    const report = checkPair(WITH_DEDUP, WITHOUT_DEDUP, { empty: ['first-bid/first-seen'] });
    expect(report.restorable).toBe(true);
    expect(stateIn(report, 'first-bid', 'first-seen')).toMatchObject({ verdict: 'skipped', blocking: false });
    expect(codesOf(report, 'first-bid', 'first-seen')).toEqual(['SLC6032']);
  });

  it('treats state a restored step no longer declares like a dropped step', () => {
    const report = checkPair(
      bidsJob(`|> AGGREGATE COUNT(*) AS n, COUNT(DISTINCT bidder) AS bidders GROUP BY auction UID 'per-auction'`),
      bidsJob(`|> AGGREGATE COUNT(*) AS n GROUP BY auction UID 'per-auction'`),
    );
    expect(report.restorable).toBe(false);
    expect(stateIn(report, 'per-auction', 'distinct-bidders').verdict).toBe('dropped');
    // The aggregate that is gone leaves its accumulator column behind, which restoring drops.
    expect(stateIn(report, 'per-auction', 'accumulators')).toMatchObject({
      verdict: 'compatible-after-migration',
      migrations: [{ kind: 'drop-column', column: 'bidders.count', position: 1 }],
    });
  });
});

import { describe, expect, it } from 'vitest';
import { bidsJob, checkPair, codesOf, stateIn } from './pipe-pairs.js';

const BY_AUCTION = bidsJob(`|> AGGREGATE COUNT(*) AS n GROUP BY auction UID 'counts'`);

describe('state key rule', () => {
  it('refuses a GROUP BY on a column of another type', () => {
    const report = checkPair(BY_AUCTION, bidsJob(`|> AGGREGATE COUNT(*) AS n GROUP BY channel UID 'counts'`));
    expect(report.restorable).toBe(false);
    expect(codesOf(report, 'counts', 'accumulators')).toEqual(['SLC6004']);
    expect(stateIn(report, 'counts', 'accumulators').reasons[0]!.message).toBe(
      "the key of state 'accumulators' of 'counts' changed from (auction BIGINT) to (channel STRING)",
    );
  });

  it('refuses a GROUP BY on another column of the same type, whose groups would mix with the restored ones', () => {
    const report = checkPair(BY_AUCTION, bidsJob(`|> AGGREGATE COUNT(*) AS n GROUP BY bidder UID 'counts'`));
    expect(codesOf(report, 'counts', 'accumulators')).toEqual(['SLC6004']);
  });

  it('refuses an added GROUP BY column', () => {
    const report = checkPair(BY_AUCTION, bidsJob(`|> AGGREGATE COUNT(*) AS n GROUP BY auction, bidder UID 'counts'`));
    expect(codesOf(report, 'counts', 'accumulators')).toEqual(['SLC6004']);
  });

  it('refuses join keys that changed, on both sides', () => {
    const join = (key: string): string => bidsJob(`|> JOIN bid AS b ON bid.${key} = b.${key} UID 'j' |> SELECT bid.auction, b.price`);
    const report = checkPair(join('auction'), join('bidder'));
    expect(codesOf(report, 'j', 'left-rows')).toEqual(['SLC6004']);
    expect(codesOf(report, 'j', 'right-rows')).toEqual(['SLC6004']);
  });
});

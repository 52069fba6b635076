import { describe, expect, it } from 'vitest';
import { bidsJob, checkPair, codesOf } from './pipe-pairs.js';

function join(type: string): string {
  return bidsJob(`|> ${type} bid AS b ON bid.auction = b.auction UID 'j' |> SELECT bid.auction, b.price`);
}

describe('join type rule', () => {
  it('refuses an inner join turned left join', () => {
    const report = checkPair(join('JOIN'), join('LEFT JOIN'));
    expect(report.restorable).toBe(false);
    expect(codesOf(report, 'j')).toEqual(['SLC6015']);
    // The left side's state changed kind as well, which is a reason of its own.
    expect(codesOf(report, 'j', 'left-rows')).toEqual(['SLC6015', 'SLC6005']);
  });

  it('restores the same join', () => {
    expect(checkPair(join('LEFT JOIN'), join('LEFT JOIN')).restorable).toBe(true);
  });
});

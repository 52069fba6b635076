import { describe, expect, it } from 'vitest';
import { bidsJob, checkPair, codesOf, operatorIn } from './pipe-pairs.js';

describe('deduplicate keep rule', () => {
  it('refuses KEEP FIRST turned KEEP LAST', () => {
    const report = checkPair(bidsJob(`|> DEDUPLICATE BY auction KEEP FIRST UID 'd'`), bidsJob(`|> DEDUPLICATE BY auction KEEP LAST UID 'd'`));
    expect(report.restorable).toBe(false);
    expect(codesOf(report, 'd')).toEqual(['SLC6016']);
    expect(operatorIn(report, 'd').states.map((s) => [s.name, s.verdict])).toEqual([
      ['last-row', 'incompatible'],
      ['first-seen', 'incompatible'],
    ]);
  });
});

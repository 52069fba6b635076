import { describe, expect, it } from 'vitest';
import { bidsJob, checkPair, codesOf } from './pipe-pairs.js';
import { LAST_PRICE, processFunctions } from './process-functions.js';

describe('process function rule', () => {
  it('refuses state written by another process function, even of the same shape', () => {
    const report = checkPair(
      bidsJob(`|> PROCESS watch(price) PARTITION BY auction UID 'p'`),
      bidsJob(`|> PROCESS track(price) PARTITION BY auction UID 'p'`),
      { functions: processFunctions([LAST_PRICE]) },
    );
    expect(report.restorable).toBe(false);
    expect(codesOf(report, 'p', 'last')).toEqual(['SLC6017']);
  });
});

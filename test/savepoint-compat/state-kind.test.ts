import { describe, expect, it } from 'vitest';
import { bidsJob, checkPair, codesOf, stateIn } from './pipe-pairs.js';
import { LAST_PRICE, PRICES, processFunctions } from './process-functions.js';

const JOB = bidsJob(`|> PROCESS watch(price) PARTITION BY auction UID 'watcher'`);

describe('state kind rule', () => {
  it('refuses a state whose kind changed under the same name', () => {
    const report = checkPair(JOB, JOB, { functions: processFunctions([LAST_PRICE]), nextFunctions: processFunctions([PRICES]) });
    expect(report.restorable).toBe(false);
    expect(codesOf(report, 'watcher', 'last')).toEqual(['SLC6005']);
    expect(stateIn(report, 'watcher', 'last').reasons[0]!.message).toBe("state 'last' of 'watcher' was keyed value and is keyed list now");
  });

  it('refuses keyed state turned operator state (PARTITION BY removed)', () => {
    const unkeyed = bidsJob(`|> PROCESS watch(price) UID 'watcher'`);
    const report = checkPair(JOB, unkeyed, { functions: processFunctions([PRICES]) });
    expect(codesOf(report, 'watcher', 'last')).toEqual(['SLC6005']);
  });
});

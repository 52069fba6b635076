import { describe, expect, it } from 'vitest';
import { bidsJob, checkPair, codesOf, stateIn } from './pipe-pairs.js';
import { BY_BIDDER, BY_CHANNEL, processFunctions } from './process-functions.js';

const JOB = bidsJob(`|> PROCESS watch(price) PARTITION BY auction UID 'watcher'`);

describe('map key rule', () => {
  it('refuses map state whose map key changed type', () => {
    const report = checkPair(JOB, JOB, { functions: processFunctions([BY_CHANNEL]), nextFunctions: processFunctions([BY_BIDDER]) });
    expect(report.restorable).toBe(false);
    expect(codesOf(report, 'watcher', 'seen')).toEqual(['SLC6006']);
    expect(stateIn(report, 'watcher', 'seen').reasons[0]!.message).toBe(
      "the map key of state 'seen' of 'watcher' changed from (channel STRING) to (bidder BIGINT)",
    );
  });

  it('restores a window aggregate whose map key (the window bounds) stayed', () => {
    const windowed = bidsJob(`|> WINDOW TUMBLE(date_time, INTERVAL '1' MINUTE) |> AGGREGATE COUNT(*) AS n GROUP BY auction, window_start, window_end UID 'w'`);
    expect(checkPair(windowed, windowed).restorable).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import { bidsJob, checkPair, codesOf, stateIn } from './pipe-pairs.js';

const STEPS = `|> AGGREGATE COUNT(*) AS n GROUP BY auction UID 'per-auction'`;
const RESCALED = `SET 'pipeline.max-parallelism' = '256';\n${bidsJob(STEPS)}`;

describe('max parallelism rule', () => {
  it('refuses keyed state split into another number of key groups', () => {
    const report = checkPair(bidsJob(STEPS), RESCALED);
    expect(report.restorable).toBe(false);
    expect(report.savepoint.maxParallelism).toBe(128);
    expect(report.job.maxParallelism).toBe(256);
    expect(codesOf(report, 'per-auction')).toEqual(['SLC6001']);
    expect(stateIn(report, 'per-auction', 'accumulators').verdict).toBe('incompatible');
    // A source's positions are operator state, which is not split by key group.
    expect(codesOf(report, 'bids', 'splits')).toEqual([]);
  });

  it('lets it change when the keyed state is empty', () => {
    const report = checkPair(bidsJob(STEPS), RESCALED, { empty: ['per-auction/accumulators'] });
    expect(report.restorable).toBe(true);
  });

  it('lets the parallelism itself change', () => {
    const report = checkPair(bidsJob(STEPS), `SET 'parallelism.default' = '3';\n${bidsJob(STEPS)}`);
    expect(report.restorable).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import { bidsJob, checkPair, codesOf, stateIn } from './pipe-pairs.js';

function counts(aggregates: string): string {
  return bidsJob(`|> AGGREGATE ${aggregates} GROUP BY auction UID 'stats'`);
}

function windowed(aggregates: string): string {
  return bidsJob(`|> WINDOW TUMBLE(date_time, INTERVAL '1' MINUTE) |> AGGREGATE ${aggregates} GROUP BY auction, window_start, window_end UID 'stats'`);
}

describe('aggregate calls rule', () => {
  it('refuses an aggregate whose function changed', () => {
    const report = checkPair(counts('SUM(price) AS p'), counts('MAX(price) AS p'));
    expect(report.restorable).toBe(false);
    expect(codesOf(report, 'stats', 'accumulators')).toEqual(['SLC6011']);
    expect(stateIn(report, 'stats', 'accumulators').reasons[0]!.message).toBe(
      "aggregate 'p' of 'stats' changed from SUM(price BIGINT) to MAX(price BIGINT): the restored accumulators hold SUM(price BIGINT)",
    );
  });

  it("refuses an aggregate whose argument's type changed", () => {
    const report = checkPair(counts('SUM(price) AS p'), counts('SUM(CAST(price AS DOUBLE)) AS p'));
    expect(codesOf(report, 'stats', 'accumulators')).toEqual(['SLC6011']);
  });

  it('refuses a new aggregate, which the restored groups have no accumulator for', () => {
    const report = checkPair(counts('COUNT(*) AS n'), counts('COUNT(*) AS n, MAX(price) AS top'));
    expect(codesOf(report, 'stats', 'accumulators')).toEqual(['SLC6010']);
  });

  it('refuses a new aggregate of a window aggregate alike', () => {
    const report = checkPair(windowed('COUNT(*) AS n'), windowed('COUNT(*) AS n, MAX(price) AS top'));
    expect(codesOf(report, 'stats', 'windows')).toEqual(['SLC6010']);
  });

  it('migrates away the accumulators of a removed aggregate', () => {
    const report = checkPair(windowed('COUNT(*) AS n, SUM(price) AS total'), windowed('SUM(price) AS total'));
    expect(report.restorable).toBe(true);
    expect(stateIn(report, 'stats', 'windows')).toMatchObject({
      verdict: 'compatible-after-migration',
      migrations: [{ kind: 'drop-column', column: 'n.count', position: 0 }],
    });
  });

  it('migrates reordered aggregates', () => {
    const report = checkPair(counts('COUNT(*) AS n, MAX(price) AS top'), counts('MAX(price) AS top, COUNT(*) AS n'));
    expect(report.restorable).toBe(true);
    expect(stateIn(report, 'stats', 'accumulators').migrations).toEqual([{ kind: 'move-column', column: 'top.value', from: 1, to: 0 }]);
  });

  it('warns when an argument of the same type is another column, and still restores', () => {
    const report = checkPair(counts('SUM(price) AS p'), counts('SUM(bidder) AS p'));
    expect(report.restorable).toBe(true);
    expect(stateIn(report, 'stats', 'accumulators').verdict).toBe('compatible');
    expect(stateIn(report, 'stats', 'accumulators').reasons.map((r) => [r.code, r.severity])).toEqual([['SLC6012', 'warning']]);
  });
});

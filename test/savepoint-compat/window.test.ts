import { describe, expect, it } from 'vitest';
import { bidsJob, checkPair, codesOf, operatorIn } from './pipe-pairs.js';

function perWindow(window: string): string {
  return bidsJob(`|> WINDOW ${window} |> AGGREGATE COUNT(*) AS n GROUP BY auction, window_start, window_end UID 'w'`);
}

describe('window rule', () => {
  it('refuses a window whose size changed', () => {
    const report = checkPair(perWindow(`TUMBLE(date_time, INTERVAL '1' MINUTE)`), perWindow(`TUMBLE(date_time, INTERVAL '5' MINUTE)`));
    expect(report.restorable).toBe(false);
    expect(codesOf(report, 'w')).toEqual(['SLC6014']);
    expect(operatorIn(report, 'w').findings[0]!.message).toBe(
      "the window of 'w' changed from TUMBLE(1 min) to TUMBLE(5 min): the open windows in the savepoint have the old bounds",
    );
    expect(operatorIn(report, 'w').states.map((s) => s.verdict)).toEqual(['incompatible']);
  });

  it('refuses a window whose type changed', () => {
    const report = checkPair(
      perWindow(`TUMBLE(date_time, INTERVAL '1' MINUTE)`),
      perWindow(`HOP(date_time, INTERVAL '1' MINUTE, INTERVAL '2' MINUTE)`),
    );
    expect(codesOf(report, 'w')).toEqual(['SLC6014']);
  });
});

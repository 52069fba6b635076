import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../../compiler/config/durations.js';

describe('parseDuration', () => {
  it.each([
    ['10 s', 10_000],
    ['10s', 10_000],
    ['500 ms', 500],
    ['1 min', 60_000],
    ['2 h', 7_200_000],
    ['1 d', 86_400_000],
    ['250', 250],
    ['3 seconds', 3_000],
    ['1 Minute', 60_000],
    ['1.5 s', 1_500],
    [' 5 sec ', 5_000],
  ])('reads %j as %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', 's', '-1 s', '10 fortnights', '1e3', '0.5 ms', '10 s 5 ms'])('rejects %j', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });
});

describe('formatDuration', () => {
  it('picks the largest exact unit', () => {
    expect([600_000, 1_500, 7_200_000, 0, 86_400_000].map(formatDuration)).toEqual(['10 min', '1500 ms', '2 h', '0 ms', '1 d']);
  });

  it('is read back as the same duration', () => {
    fc.assert(fc.property(fc.nat({ max: 10 ** 12 }), (ms) => parseDuration(formatDuration(ms)) === ms));
  });
});

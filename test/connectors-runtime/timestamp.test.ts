import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatTimestamp, parseTimestamp } from '../../runtime/connectors/formats/timestamp.js';

const BASE = Date.UTC(2015, 6, 15);

describe('parseTimestamp', () => {
  it.each([
    ['2015-07-15T00:00:00Z', BASE],
    ['2015-07-15 00:00:00', BASE],
    ['2015-07-15T00:00', BASE],
    ['2015-07-15', BASE],
    ['2015-07-15T12:34:56.789', BASE + 45_296_789],
    ['2015-07-15 12:34:56.7', BASE + 45_296_700],
    ['2015-07-15T12:34:56.789999Z', BASE + 45_296_789],
    ['2015-07-15T02:00:00+02:00', BASE],
    ['2015-07-14T19:00:00-0500', BASE],
    ['2015-07-15T05:30:00+05', BASE + 30 * 60_000],
    ['  2015-07-15T00:00:00.000Z ', BASE],
    ['2016-02-29T00:00:00Z', Date.UTC(2016, 1, 29)],
    // Years below 100 are not shifted into the 1900s as Date.UTC would.
    ['0099-01-01T00:00:00Z', Date.parse('0099-01-01T00:00:00Z')],
  ])('%s', (text, expected) => {
    expect(parseTimestamp(text)).toBe(expected);
  });

  it.each([
    '2015-07-15T24:00:00',
    '2015-13-01',
    '2015-02-29',
    '2015-07-15T00:60',
    '2015-07-15T00:00:00.',
    '2015-07-15X00:00:00',
    '2015-07-15T00:00:00 UTC',
    '2015-07-15T00:00:00+2',
    '15-07-15',
    '1436918400000',
    '',
  ])('rejects %j', (text) => {
    expect(parseTimestamp(text)).toBeUndefined();
  });
});

describe('formatTimestamp', () => {
  it('writes ISO-8601 UTC with milliseconds', () => {
    expect(formatTimestamp(BASE)).toBe('2015-07-15T00:00:00.000Z');
    expect(formatTimestamp(BASE + 45_296_789)).toBe('2015-07-15T12:34:56.789Z');
  });

  it('round-trips through parseTimestamp over years 0000 to 9999', () => {
    const instant = fc.integer({ min: Date.parse('0000-01-01T00:00:00Z'), max: Date.parse('9999-12-31T23:59:59.999Z') });
    fc.assert(fc.property(instant, (ms) => parseTimestamp(formatTimestamp(ms)) === ms));
  });
});

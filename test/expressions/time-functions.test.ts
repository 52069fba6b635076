import { describe, expect, it } from 'vitest';
import { compileDateTimePattern } from '../../compiler/functions/builtins/datetime-pattern.js';
import { diagnosticOf, evaluate, row, typed } from './expr-harness.js';

// The default row's ts is 2024-01-31 13:45:30.250 UTC, a Wednesday.
describe('date-time field functions', () => {
  it.each([
    ['YEAR(ts)', 2024],
    ['QUARTER(ts)', 1],
    ['MONTH(ts)', 1],
    ['DAYOFMONTH(ts)', 31],
    ['DAYOFYEAR(ts)', 31],
    ['DAYOFWEEK(ts)', 4],
    ['HOUR(ts)', 13],
    ['MINUTE(ts)', 45],
    ['SECOND(ts)', 30],
    ["DAYOFYEAR(TIMESTAMP '2024-12-31 00:00:00')", 366],
    ["MONTH(TIMESTAMP '2000-02-29 23:59:59')", 2],
    ["YEAR(TIMESTAMP '1969-12-31 23:59:59.999')", 1969],
    ["HOUR(TIMESTAMP '1969-12-31 23:59:59.999')", 23],
    ["DAYOFMONTH(TIMESTAMP '1900-03-01 00:00:00')", 1],
  ])('%s = %s', (text, value) => {
    expect(evaluate(text)).toBe(value);
    expect(typed(text).type.name).toBe('BIGINT');
  });

  it('agrees with Date for every day across four centuries', () => {
    for (let day = -80_000; day < 80_000; day += 37) {
      const ms = day * 86_400_000 + 12_345_678;
      const date = new Date(ms);
      expect([evaluate('YEAR(ts)', row({ ts: ms })), evaluate('MONTH(ts)', row({ ts: ms })), evaluate('DAYOFMONTH(ts)', row({ ts: ms }))]).toEqual([
        date.getUTCFullYear(),
        date.getUTCMonth() + 1,
        date.getUTCDate(),
      ]);
    }
  });
});

describe('formatting and parsing', () => {
  it.each([
    ["DATE_FORMAT(ts, 'yyyy-MM-dd')", '2024-01-31'],
    ["DATE_FORMAT(ts, 'yyyy-MM-dd HH:mm:ss.SSS')", '2024-01-31 13:45:30.250'],
    ["DATE_FORMAT(ts, 'yy/M/d h:mm a')", '24/1/31 1:45 PM'],
    ["DATE_FORMAT(ts, 'EEE, d MMM yyyy')", 'Wed, 31 Jan 2024'],
    ["DATE_FORMAT(ts, 'EEEE MMMM')", 'Wednesday January'],
    ["DATE_FORMAT(ts, 'yyyy''T''HH')", '2024T13'],
    ["DATE_FORMAT(ts, 'HH''''mm')", "13'45"],
    ["DATE_FORMAT(ts, '''at'' HH')", 'at 13'],
    ["DATE_FORMAT('2024-01-31 13:45:30', 'HH:mm')", '13:45'],
    ["DATE_FORMAT('not a time', 'HH:mm')", null],
    ["TO_TIMESTAMP('2024-01-31 13:45:30')", Date.UTC(2024, 0, 31, 13, 45, 30)],
    ["TO_TIMESTAMP('31/01/2024 13:45', 'dd/MM/yyyy HH:mm')", Date.UTC(2024, 0, 31, 13, 45)],
    ["TO_TIMESTAMP('Jan 5 2024 1:02 pm', 'MMM d yyyy h:mm a')", Date.UTC(2024, 0, 5, 13, 2)],
    ["TO_TIMESTAMP('2024-02-30 00:00:00')", null],
    ["TO_TIMESTAMP('garbage', 'yyyy')", null],
    ["UNIX_TIMESTAMP('1970-01-01 00:01:40')", 100],
    ["UNIX_TIMESTAMP('01.01.1970', 'dd.MM.yyyy')", 0],
    ['FROM_UNIXTIME(100)', '1970-01-01 00:01:40'],
    ["FROM_UNIXTIME(86400, 'yyyy-MM-dd')", '1970-01-02'],
    ['TO_TIMESTAMP_LTZ(1706708730250, 3)', Date.UTC(2024, 0, 31, 13, 45, 30, 250)],
    ['TO_TIMESTAMP_LTZ(1706708730, 0)', Date.UTC(2024, 0, 31, 13, 45, 30)],
  ])('%s = %s', (text, value) => {
    expect(evaluate(text)).toBe(value);
  });

  it('round-trips every supported pattern letter', () => {
    const pattern = compileDateTimePattern('yyyy-MM-dd HH:mm:ss.SSS');
    if (typeof pattern === 'string') throw new Error(pattern);
    for (const ms of [0, 1_706_708_730_250, -86_400_001, 253_402_300_799_999]) expect(pattern.parse(pattern.format(ms))).toBe(ms);
  });

  it('types parsing as nullable and formatting with a literal pattern as not', () => {
    expect(typed("TO_TIMESTAMP(s, 'yyyy')").nullable).toBe(true);
    expect(typed("DATE_FORMAT(ts, 'yyyy')").nullable).toBe(false);
    expect(typed('DATE_FORMAT(ts, s)').nullable).toBe(true);
  });

  it('reports an invalid literal pattern at the pattern', () => {
    const d = diagnosticOf("DATE_FORMAT(ts, 'yyyy-QQ')");
    expect(d).toMatchObject({ code: 'SLC3023', blamed: "'yyyy-QQ'" });
    expect(d.message).toContain("pattern letter 'Q' is not supported");
  });

  it('needs the precision of TO_TIMESTAMP_LTZ as 0 or 3', () => {
    expect(diagnosticOf('TO_TIMESTAMP_LTZ(b, 6)')).toMatchObject({ code: 'SLC3025', blamed: '6' });
  });

  it('refuses DATE_FORMAT of a number', () => {
    expect(diagnosticOf("DATE_FORMAT(i, 'yyyy')")).toMatchObject({ code: 'SLC3008', blamed: 'i' });
  });
});

import { describe, expect, it } from 'vitest';
import { INT, BIGINT, STRING } from '../../compiler/types/sql-type.js';
import { bidsJob, checkPair, codesOf, stateIn } from './pipe-pairs.js';

/** KEEP LAST stores each key's last row: its value schema is the SELECT before it. */
function lastRow(select: string): string {
  return bidsJob(`|> SELECT ${select} |> DEDUPLICATE BY auction KEEP LAST UID 'latest'`);
}

describe('value schema rule', () => {
  it('migrates a row that gains a nullable column', () => {
    const report = checkPair(lastRow('auction, price'), lastRow('auction, price, channel'));
    expect(report.restorable).toBe(true);
    expect(stateIn(report, 'latest', 'last-row')).toMatchObject({
      verdict: 'compatible-after-migration',
      migrations: [{ kind: 'add-nullable-column', column: 'channel', position: 2, type: STRING }],
    });
    expect(codesOf(report, 'latest', 'last-row')).toEqual(['SLC6040']);
  });

  it('migrates a row that loses a column', () => {
    const report = checkPair(lastRow('auction, price, channel'), lastRow('auction, channel'));
    expect(stateIn(report, 'latest', 'last-row')).toMatchObject({
      verdict: 'compatible-after-migration',
      migrations: [{ kind: 'drop-column', column: 'price', position: 1 }],
    });
    expect(stateIn(report, 'latest', 'last-row').reasons[0]!.message).toBe("state 'last-row' of 'latest' loses column 'price': restoring drops its values");
  });

  it('migrates a number that widens', () => {
    const report = checkPair(lastRow('auction, CAST(price AS INT) AS price'), lastRow('auction, price'));
    expect(stateIn(report, 'latest', 'last-row')).toMatchObject({
      verdict: 'compatible-after-migration',
      migrations: [{ kind: 'widen-number', column: 'price', position: 1, from: INT, to: BIGINT }],
    });
  });

  it('refuses a type change that is not a widening', () => {
    const report = checkPair(lastRow('auction, price'), lastRow('auction, CAST(price AS STRING) AS price'));
    expect(report.restorable).toBe(false);
    expect(stateIn(report, 'latest', 'last-row')).toMatchObject({ verdict: 'incompatible', migrations: [] });
    expect(codesOf(report, 'latest', 'last-row')).toEqual(['SLC6008']);
  });

  it('refuses a new NOT NULL column, which restored rows have no value for', () => {
    const report = checkPair(lastRow('auction, price'), lastRow('auction, price, 1 AS version'));
    expect(codesOf(report, 'latest', 'last-row')).toEqual(['SLC6007']);
  });

  it('refuses a column that became NOT NULL', () => {
    const report = checkPair(lastRow('auction, price'), lastRow('auction, COALESCE(price, 0) AS price'));
    expect(codesOf(report, 'latest', 'last-row')).toEqual(['SLC6009']);
  });
});

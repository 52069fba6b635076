import { describe, expect, it } from 'vitest';
import { NEXMARK_TABLES } from '../../connectors/nexmark/tables.js';
import { validateSource } from '../../compiler/connectors/validate-source.js';
import { DiagnosticBag } from '../../compiler/diagnostics/diagnostic.js';
import { BIGINT, INT, STRING, TIMESTAMP3, type Field } from '../../compiler/types/sql-type.js';
import { blamed } from '../diagnostics/blamed.js';
import { sourceFixture } from './statements.js';

function nexmark(options: string, columns: Field[]) {
  const { text, stmt } = sourceFixture(`'connector' = 'nexmark', ${options}`, columns);
  const bag = new DiagnosticBag('job.pipe');
  return { options: validateSource(stmt, columns, bag)?.options, blamed: blamed(bag.items, text) };
}

const bidSubset: Field[] = [
  { name: 'auction', type: BIGINT, nullable: true },
  { name: 'price', type: BIGINT, nullable: false },
  { name: 'date_time', type: TIMESTAMP3, nullable: true },
];

describe('nexmark source', () => {
  it('accepts any subset of the chosen table and fills rate and first event', () => {
    expect(nexmark("'table' = 'BID', 'events' = '50000'", bidSubset)).toEqual({
      options: { events: '50000', 'first-event': '0', rate: '10000', table: 'bid' },
      blamed: [],
    });
  });

  it('accepts each table in full', () => {
    for (const [table, columns] of Object.entries(NEXMARK_TABLES)) {
      expect(nexmark(`'table' = '${table}'`, [...columns]).blamed, table).toEqual([]);
    }
  });

  it('needs a table', () => {
    expect(nexmark("'events' = '10'", bidSubset).blamed.map((b) => [b.code, b.message])).toEqual([
      ['SLC4013', "the 'nexmark' connector needs the option 'table'"],
    ]);
  });

  it('rejects a column the table does not have, suggesting the closest', () => {
    const columns = [{ name: 'bidder_id', type: BIGINT, nullable: true }];
    expect(nexmark("'table' = 'bid'", columns).blamed).toEqual([
      {
        code: 'SLC4023',
        at: 'bidder_id',
        message: "the Nexmark 'bid' table has no column 'bidder_id'",
        help: "did you mean 'bidder'? its columns are: auction, bidder, price, channel, url, date_time, extra",
      },
    ]);
  });

  it("rejects a column declared with another type than the table's, at the type", () => {
    expect(nexmark("'table' = 'person'", [{ name: 'id', type: INT, nullable: true }, { name: 'city', type: STRING, nullable: true }]).blamed).toEqual([
      {
        code: 'SLC4024',
        at: 'INT',
        message: "column 'id' of the Nexmark 'person' table is BIGINT, not INT",
        help: "declare it as 'id BIGINT'",
      },
    ]);
  });

  it.each([
    ["'table' = 'bids'", "'bids'"],
    ["'table' = 'bid', 'events' = '0'", "'0'"],
    ["'table' = 'bid', 'rate' = 'fast'", "'fast'"],
    ["'table' = 'bid', 'first-event' = '-1'", "'-1'"],
    ["'table' = 'bid', 'rows-per-second' = '-5'", "'-5'"],
  ])('rejects %s', (options, at) => {
    expect(nexmark(options, bidSubset).blamed.map((b) => [b.code, b.at])).toEqual([['SLC4014', at]]);
  });
});

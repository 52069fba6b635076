import { describe, expect, it } from 'vitest';
import { BID, compileGraph, messages, operatorOf, sink, specOf } from './planning.js';

/**
 * A source's PRIMARY KEY … NOT ENFORCED makes its append stream unique by those columns; a regular INNER join
 * whose side is unique by (part of) the join key records that side in `uniqueInputs`, and its runtime keeps the
 * other side's rows only until that side's row arrives (runtime/operators/join/regular-join.ts).
 */
const AUCTION_WITH_KEY = `CREATE SOURCE auction (id BIGINT, item_name STRING, seller BIGINT, category BIGINT, date_time TIMESTAMP(3),
  WATERMARK FOR date_time AS date_time - INTERVAL '4' SECOND, PRIMARY KEY (id) NOT ENFORCED)
  WITH ('connector' = 'nexmark', 'table' = 'auction') UID 'auction-source';`;

const program = (auction: string, steps: string, views = ''): string => `${BID} ${auction} ${sink()} ${views} INSERT INTO out ${steps};`;
const joined = (right: string, on = 'b.auction = a.id', type = 'JOIN'): string =>
  program(AUCTION_WITH_KEY, `FROM bid AS b |> ${type} ${right} AS a ON ${on} UID 'j'`);

describe('a regular join with a side unique by its key', () => {
  it('records the side whose primary key is among the join keys, either way round', () => {
    expect(specOf(compileGraph(joined('auction')), 'join').uniqueInputs).toEqual([1]);
    const leftUnique = program(AUCTION_WITH_KEY, "FROM auction AS a |> JOIN bid AS b ON a.id = b.auction AND b.price > 10 UID 'j'");
    expect(specOf(compileGraph(leftUnique), 'join').uniqueInputs).toEqual([0]);
    // Part of a wider join key: still at most one row per key.
    expect(specOf(compileGraph(joined('auction', 'b.auction = a.id AND b.bidder = a.seller')), 'join').uniqueInputs).toEqual([1]);
  });

  it('keeps the unique key through filters and projections that pass its columns, not through those that drop them', () => {
    const through = program(
      AUCTION_WITH_KEY,
      "FROM bid AS b |> JOIN books AS a ON b.auction = a.auction_id UID 'j'",
      'CREATE VIEW books AS FROM auction |> WHERE category = 10 |> SELECT id AS auction_id, item_name;',
    );
    expect(specOf(compileGraph(through), 'join').uniqueInputs).toEqual([1]);
    // `id + 0` is a value computed from the key, not the key passed through.
    const dropped = program(AUCTION_WITH_KEY, "FROM bid AS b |> JOIN computed AS a ON b.auction = a.id UID 'j'", 'CREATE VIEW computed AS FROM auction |> SELECT id + 0 AS id, item_name;');
    expect(specOf(compileGraph(dropped), 'join').uniqueInputs).toBeUndefined();
  });

  it('is not recorded without a primary key, for a key not among the join keys, for a LEFT join, or after UNION ALL', () => {
    const noKey = AUCTION_WITH_KEY.replace(', PRIMARY KEY (id) NOT ENFORCED', '');
    expect(specOf(compileGraph(program(noKey, "FROM bid AS b |> JOIN auction AS a ON b.auction = a.id UID 'j'")), 'join').uniqueInputs).toBeUndefined();
    expect(specOf(compileGraph(joined('auction', 'b.bidder = a.seller')), 'join').uniqueInputs).toBeUndefined();
    expect(specOf(compileGraph(joined('auction', 'b.auction = a.id', 'LEFT JOIN')), 'join').uniqueInputs).toBeUndefined();
    const twice = program(AUCTION_WITH_KEY, "FROM bid AS b |> JOIN both_auctions AS a ON b.auction = a.id UID 'j'", 'CREATE VIEW both_auctions AS FROM auction |> UNION ALL auction;');
    expect(specOf(compileGraph(twice), 'join').uniqueInputs).toBeUndefined();
  });

  it('says in its warning what it keeps for ever', () => {
    expect(messages(joined('auction'))).toEqual([
      'this regular join keeps every row of its right side (of its left side, the rows whose right row has not arrived) in state forever',
    ]);
    const noKey = AUCTION_WITH_KEY.replace(', PRIMARY KEY (id) NOT ENFORCED', '');
    expect(messages(program(noKey, "FROM bid AS b |> JOIN auction AS a ON b.auction = a.id UID 'j'"))).toEqual(['this regular join keeps every row of both sides in state forever']);
    // A join's output is not unique by anything the planner tracks.
    expect(operatorOf(compileGraph(joined('auction')), 'join').output.uniqueKey).toBeUndefined();
  });
});

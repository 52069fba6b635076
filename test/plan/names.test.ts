import { describe, expect, it } from 'vitest';
import { compile } from '../../compiler/compile.js';
import { BID, reported, sink } from './planning.js';

const DATAGEN = "WITH ('connector' = 'datagen')";

describe('names of sources, sinks and views', () => {
  it.each([
    ['a name defined twice', `${BID} CREATE VIEW bid AS FROM bid; ${sink()} INSERT INTO out FROM bid;`, ["DuplicateStreamName @ 'bid'"]],
    ['an unknown stream', `${sink()} INSERT INTO out FROM nothing;`, ["UnknownStream @ 'nothing'"]],
    ['an unknown stream close to a known one', `${BID} ${sink()} INSERT INTO out FROM bids;`, ["UnusedStream @ 'bid'", "UnknownStreamDidYouMean @ 'bids'"]],
    ['a stream used before its definition', `${sink()} INSERT INTO out FROM v; ${BID} CREATE VIEW v AS FROM bid;`, ["UsedBeforeDefinition @ 'v'"]],
    ['a view reading itself', `${sink()} CREATE VIEW v AS FROM v; INSERT INTO out FROM v;`, ["ViewRefersToItself @ 'v'"]],
    ['a sink read as a stream', `${BID} ${sink()} ${sink('other')} INSERT INTO other FROM out; INSERT INTO out FROM bid;`, ["SinkReadAsStream @ 'out'"]],
    ['an unknown sink', `${BID} INSERT INTO nowhere FROM bid;`, ["UnknownSink @ 'nowhere'"]],
    ['an unknown sink close to a known one', `${BID} ${sink()} INSERT INTO outt FROM bid;`, ["UnusedSink @ 'out'", "UnknownSinkDidYouMean @ 'outt'"]],
    ['an INSERT into a source', `${BID} ${sink()} INSERT INTO bid FROM bid; INSERT INTO out FROM bid;`, ["InsertIntoNonSink @ 'bid'"]],
    ['an unknown JOIN stream', `${BID} ${sink()} INSERT INTO out FROM bid AS b |> JOIN auctions AS a ON b.auction = a.id UID 'j';`, ["UnknownStream @ 'auctions'"]],
    ['an unknown UNION stream', `${BID} ${sink()} INSERT INTO out FROM bid |> UNION ALL bod;`, ["UnknownStreamDidYouMean @ 'bod'"]],
  ])('reports %s', (_, text, expected) => {
    expect(reported(text)).toEqual(expected);
  });

  it('points at the first definition of a duplicate and suggests the closest name', () => {
    const text = `${BID} CREATE VIEW bid AS FROM bid; ${sink()} INSERT INTO out FROM bid;`;
    const [duplicate] = compile(text).diagnostics;
    expect(duplicate!.related).toEqual([{ message: "'bid' is first defined here", file: '<input>', span: { offset: text.indexOf('bid'), length: 3 } }]);
    const unknown = compile(`${BID} ${sink()} INSERT INTO out FROM bids;`).diagnostics.find((d) => d.message === "unknown stream 'bids'");
    expect(unknown!.help).toBe("did you mean 'bid'?");
  });

  it('warns about unused sources and views and sinks that receive nothing', () => {
    const text = `CREATE SOURCE s (a INT) ${DATAGEN} UID 's'; CREATE SOURCE t (a INT) ${DATAGEN} UID 't';
      CREATE VIEW v AS FROM s; ${sink()} ${sink('idle')} INSERT INTO out FROM s;`;
    expect(reported(text)).toEqual(["UnusedStream @ 't'", "UnusedStream @ 'v'", "UnusedSink @ 'idle'"]);
  });
});

describe('UIDs', () => {
  it('requires them on sources, sinks and stateful steps, suggesting one from the context', () => {
    const text = `CREATE SOURCE bid (auction BIGINT, price BIGINT) ${DATAGEN};
      CREATE SINK out WITH ('connector' = 'print');
      INSERT INTO out FROM bid |> AGGREGATE COUNT(*) AS count GROUP BY auction |> WHERE count > 1;`;
    expect(reported(text)).toEqual([
      "MissingUid @ 'bid'",
      "MissingUid @ 'out'",
      "MissingUid @ 'AGGREGATE COUNT(*) AS count GROUP BY auction'",
    ]);
    expect(compile(text).diagnostics.map((d) => d.help?.match(/UID '([^']*)'/)?.[1])).toEqual(['bid-source', 'out-sink', 'count-per-auction']);
    expect(compile(text).diagnostics[2]!.message).toBe('the AGGREGATE step has no UID');
  });

  it('suggests uids for joins and deduplications, never one already taken', () => {
    const text = `${BID} ${sink()} CREATE VIEW v AS FROM bid |> DEDUPLICATE BY bidder UID 'bid-join-bid';
      INSERT INTO out FROM bid AS a |> JOIN v AS b ON a.auction = b.auction |> DEDUPLICATE BY bidder;`;
    const missing = compile(text).diagnostics.filter((d) => d.message.endsWith('has no UID'));
    const helps = missing.map((d) => d.help?.match(/UID '([^']*)'/)?.[1]);
    expect(helps).toEqual(['bid-join-v', 'bid-dedup-by-bidder']);
  });

  it('reports a UID used twice, pointing at the first, and an empty UID', () => {
    const text = `${BID} ${sink()} INSERT INTO out FROM bid |> WHERE price > 1 UID 'bid-source' |> DEDUPLICATE BY auction UID '';`;
    expect(reported(text)).toEqual(["DuplicateUid @ 'UID 'bid-source''", "EmptyUid @ 'UID '''"]);
    expect(compile(text).diagnostics[0]!.related[0]!.span.offset).toBe(BID.indexOf("UID 'bid-source'"));
  });
});

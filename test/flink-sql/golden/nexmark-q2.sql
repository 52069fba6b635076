-- Flink SQL for examples/nexmark/q2.pipe (pipeline 'q2'), written by `sluice compile --emit flink-sql`.
-- Run it with `sql-client.sh -f <this file>` or TableEnvironment.executeSql, statement by statement.
-- Flink SQL cannot pin operator uids: a Sluice savepoint does not move to Flink, and state starts fresh there.
-- What translates and how: docs/flink.md.

-- UID 'bid-source' (examples/nexmark/q2.pipe:2:1), stateful: its state starts empty on Flink
CREATE TEMPORARY TABLE nexmark (
  event_type INT,
  person ROW<id BIGINT, name STRING, emailAddress STRING, creditCard STRING, city STRING, state STRING, `dateTime` TIMESTAMP(3), extra STRING>,
  auction ROW<id BIGINT, itemName STRING, description STRING, initialBid BIGINT, reserve BIGINT, `dateTime` TIMESTAMP(3), expires TIMESTAMP(3), seller BIGINT, category BIGINT, extra STRING>,
  bid ROW<auction BIGINT, bidder BIGINT, price BIGINT, channel STRING, url STRING, `dateTime` TIMESTAMP(3), extra STRING>,
  `dateTime` AS CASE WHEN event_type = 0 THEN person.`dateTime` WHEN event_type = 1 THEN auction.`dateTime` ELSE bid.`dateTime` END,
  WATERMARK FOR `dateTime` AS `dateTime` - INTERVAL '4' SECOND
) WITH (
  'connector' = 'nexmark',
  'first-event.rate' = '10000',
  'next-event.rate' = '10000',
  'events.num' = '100000'
);

CREATE TEMPORARY VIEW bid AS
SELECT bid.auction AS auction, bid.bidder AS bidder, bid.price AS price, bid.channel AS channel, bid.url AS url, `dateTime` AS date_time, bid.extra AS extra
FROM nexmark
WHERE event_type = 2;

-- Filter(auction % 123 = 0) (examples/nexmark/q2.pipe:11:4)
CREATE TEMPORARY VIEW filter_1 AS
SELECT *
FROM bid
WHERE auction % 123 = 0;

-- Project(auction, price) (examples/nexmark/q2.pipe:12:4)
CREATE TEMPORARY VIEW project_1 AS
SELECT auction, price
FROM filter_1;

-- UID 'q2-sink' (examples/nexmark/q2.pipe:7:1)
CREATE TEMPORARY TABLE q2 (
  auction BIGINT,
  price BIGINT
) WITH (
  'connector' = 'blackhole'
);

EXECUTE STATEMENT SET
BEGIN

INSERT INTO q2
SELECT *
FROM project_1;

END;

-- Flink SQL for examples/nexmark/q4.pipe (pipeline 'q4'), written by `sluice compile --emit flink-sql`.
-- Run it with `sql-client.sh -f <this file>` or TableEnvironment.executeSql, statement by statement.
-- Flink SQL cannot pin operator uids: a Sluice savepoint does not move to Flink, and state starts fresh there.
-- What translates and how: docs/flink.md.

-- UID 'auction-source' (examples/nexmark/q4.pipe:3:1), stateful: its state starts empty on Flink
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

CREATE TEMPORARY VIEW auction AS
SELECT auction.id AS id, auction.itemName AS item_name, auction.description AS description, auction.initialBid AS initial_bid, auction.reserve AS reserve, `dateTime` AS date_time, auction.expires AS expires, auction.seller AS seller, auction.category AS category, auction.extra AS extra
FROM nexmark
WHERE event_type = 1;

-- UID 'bid-source' (examples/nexmark/q4.pipe:11:1), stateful: its state starts empty on Flink
CREATE TEMPORARY VIEW bid AS
SELECT bid.auction AS auction, bid.bidder AS bidder, bid.price AS price, bid.channel AS channel, bid.url AS url, `dateTime` AS date_time, bid.extra AS extra
FROM nexmark
WHERE event_type = 2;

-- Project(id, date_time, expires, category) (examples/nexmark/q4.pipe:18:4)
CREATE TEMPORARY VIEW pruned_project_1 AS
SELECT id, date_time, expires, category
FROM auction;

-- Project(auction, price, date_time) (examples/nexmark/q4.pipe:18:4)
CREATE TEMPORARY VIEW pruned_project_2 AS
SELECT auction, price, date_time
FROM bid;

-- UID 'q4-auction-join-bid' (examples/nexmark/q4.pipe:18:4), stateful: its state starts empty on Flink
CREATE TEMPORARY VIEW q4_auction_join_bid AS
SELECT l.id AS id, l.date_time AS date_time, l.expires AS expires, l.category AS category, r.auction AS auction, r.price AS price, r.date_time AS date_time0
FROM pruned_project_1 AS l
JOIN pruned_project_2 AS r
  ON l.id = r.auction
 AND r.date_time BETWEEN l.date_time AND l.expires;

-- UID 'q4-max-per-auction' (examples/nexmark/q4.pipe:19:4), stateful: its state starts empty on Flink
CREATE TEMPORARY VIEW q4_max_per_auction AS
SELECT id, category, MAX(price) AS `final`
FROM q4_auction_join_bid
GROUP BY id, category;

-- UID 'q4-avg-per-category' (examples/nexmark/q4.pipe:25:4), stateful: its state starts empty on Flink
CREATE TEMPORARY VIEW q4_avg_per_category AS
SELECT category, AVG(CAST(`final` AS DOUBLE)) AS avg_price
FROM q4_max_per_auction
GROUP BY category;

-- UID 'q4-sink' (examples/nexmark/q4.pipe:21:1)
CREATE TEMPORARY TABLE q4 (
  category BIGINT,
  avg_price DOUBLE
) WITH (
  'connector' = 'blackhole'
);

EXECUTE STATEMENT SET
BEGIN

INSERT INTO q4
SELECT *
FROM q4_avg_per_category;

END;

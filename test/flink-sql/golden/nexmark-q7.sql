-- Flink SQL for examples/nexmark/q7.pipe (pipeline 'q7'), written by `sluice compile --emit flink-sql`.
-- Run it with `sql-client.sh -f <this file>` or TableEnvironment.executeSql, statement by statement.
-- Flink SQL cannot pin operator uids: a Sluice savepoint does not move to Flink, and state starts fresh there.
-- What translates and how: docs/flink.md.

-- UID 'bid-source' (examples/nexmark/q7.pipe:2:1), stateful: its state starts empty on Flink
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

-- UID 'q7-max-per-window' (examples/nexmark/q7.pipe:10:4), stateful: its state starts empty on Flink
CREATE TEMPORARY VIEW q7_max_per_window AS
SELECT window_start, window_end, MAX(price) AS max_price
FROM TABLE(TUMBLE(TABLE bid, DESCRIPTOR(date_time), INTERVAL '10' SECOND))
GROUP BY window_start, window_end;

-- UID 'q7-bid-join-max' (examples/nexmark/q7.pipe:18:4), stateful: its state starts empty on Flink
CREATE TEMPORARY VIEW q7_bid_join_max AS
SELECT l.auction AS auction, l.bidder AS bidder, l.price AS price, l.channel AS channel, l.url AS url, l.date_time AS date_time, l.extra AS extra, r.window_start AS window_start, r.window_end AS window_end, r.max_price AS max_price
FROM bid AS l
JOIN q7_max_per_window AS r
  ON l.price = r.max_price
 AND r.window_end BETWEEN l.date_time + INTERVAL '0.001' SECOND AND l.date_time + INTERVAL '10.001' SECOND;

-- Project(b.auction, b.price, b.bidder, b.date_time, b.extra) (examples/nexmark/q7.pipe:22:4)
CREATE TEMPORARY VIEW project_1 AS
SELECT auction, price, bidder, date_time, extra
FROM q7_bid_join_max;

-- UID 'q7-sink' (examples/nexmark/q7.pipe:12:1)
CREATE TEMPORARY TABLE q7 (
  auction BIGINT,
  price BIGINT,
  bidder BIGINT,
  date_time TIMESTAMP(3),
  extra STRING
) WITH (
  'connector' = 'blackhole'
);

EXECUTE STATEMENT SET
BEGIN

INSERT INTO q7
SELECT *
FROM project_1;

END;

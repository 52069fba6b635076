-- Flink SQL for examples/nexmark/q5.pipe (pipeline 'q5'), written by `sluice compile --emit flink-sql`.
-- Run it with `sql-client.sh -f <this file>` or TableEnvironment.executeSql, statement by statement.
-- Flink SQL cannot pin operator uids: a Sluice savepoint does not move to Flink, and state starts fresh there.
-- What translates and how: docs/flink.md.

-- UID 'bid-source' (examples/nexmark/q5.pipe:2:1), stateful: its state starts empty on Flink
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

-- UID 'q5-count-per-auction' (examples/nexmark/q5.pipe:10:4), stateful: its state starts empty on Flink
CREATE TEMPORARY VIEW q5_count_per_auction AS
SELECT auction, window_start, window_end, COUNT(*) AS num
FROM TABLE(HOP(TABLE bid, DESCRIPTOR(date_time), INTERVAL '2' SECOND, INTERVAL '10' SECOND))
GROUP BY auction, window_start, window_end;

-- UID 'q5-max-per-window' (examples/nexmark/q5.pipe:15:4), stateful: its state starts empty on Flink
CREATE TEMPORARY VIEW q5_max_per_window AS
SELECT window_start, window_end, MAX(num) AS max_num
FROM q5_count_per_auction
GROUP BY window_start, window_end;

-- UID 'q5-join-max' (examples/nexmark/q5.pipe:21:4), stateful: its state starts empty on Flink
CREATE TEMPORARY VIEW q5_join_max AS
SELECT l.auction AS auction, l.window_start AS window_start, l.window_end AS window_end, l.num AS num, r.window_start AS window_start0, r.window_end AS window_end0, r.max_num AS max_num
FROM q5_count_per_auction AS l
JOIN q5_max_per_window AS r
  ON l.window_start = r.window_start
 AND l.window_end = r.window_end
 AND l.num >= r.max_num;

-- Project(a.auction, a.num) (examples/nexmark/q5.pipe:24:4)
CREATE TEMPORARY VIEW project_1 AS
SELECT auction, num
FROM q5_join_max;

-- UID 'q5-sink' (examples/nexmark/q5.pipe:17:1)
CREATE TEMPORARY TABLE q5 (
  auction BIGINT,
  num BIGINT NOT NULL
) WITH (
  'connector' = 'blackhole'
);

EXECUTE STATEMENT SET
BEGIN

INSERT INTO q5
SELECT *
FROM project_1;

END;

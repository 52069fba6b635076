-- Flink SQL for examples/quickstart.pipe (pipeline 'quickstart'), written by `sluice compile --emit flink-sql`.
-- Run it with `sql-client.sh -f <this file>` or TableEnvironment.executeSql, statement by statement.
-- Flink SQL cannot pin operator uids: a Sluice savepoint does not move to Flink, and state starts fresh there.
-- What translates and how: docs/flink.md.

SET 'pipeline.name' = 'quickstart';

-- UID 'bids' (examples/quickstart.pipe:5:1), stateful: its state starts empty on Flink
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
  'events.num' = '50000'
);

CREATE TEMPORARY VIEW bid AS
SELECT bid.auction AS auction, bid.bidder AS bidder, bid.price AS price, `dateTime` AS date_time
FROM nexmark
WHERE event_type = 2;

-- Filter(price > 100000) (examples/quickstart.pipe:17:4)
CREATE TEMPORARY VIEW filter_1 AS
SELECT *
FROM bid
WHERE price > 100000;

-- UID 'big-bids-per-second' (examples/quickstart.pipe:19:4), stateful: its state starts empty on Flink
CREATE TEMPORARY VIEW big_bids_per_second AS
SELECT window_start, window_end, COUNT(*) AS big_bids, MAX(price) AS top_price
FROM TABLE(TUMBLE(TABLE filter_1, DESCRIPTOR(date_time), INTERVAL '1' SECOND))
GROUP BY window_start, window_end;

-- UID 'console' (examples/quickstart.pipe:13:1)
CREATE TEMPORARY TABLE console (
  window_start TIMESTAMP(3) NOT NULL,
  window_end TIMESTAMP(3) NOT NULL,
  big_bids BIGINT NOT NULL,
  top_price BIGINT
) WITH (
  'connector' = 'print'
);

EXECUTE STATEMENT SET
BEGIN

INSERT INTO console
SELECT *
FROM big_bids_per_second;

END;

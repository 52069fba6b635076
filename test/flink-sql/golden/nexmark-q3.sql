-- Flink SQL for examples/nexmark/q3.pipe (pipeline 'q3'), written by `sluice compile --emit flink-sql`.
-- Run it with `sql-client.sh -f <this file>` or TableEnvironment.executeSql, statement by statement.
-- Flink SQL cannot pin operator uids: a Sluice savepoint does not move to Flink, and state starts fresh there.
-- What translates and how: docs/flink.md.

-- UID 'auction-source' (examples/nexmark/q3.pipe:2:1), stateful: its state starts empty on Flink
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

-- UID 'person-source' (examples/nexmark/q3.pipe:8:1), stateful: its state starts empty on Flink
CREATE TEMPORARY VIEW person AS
SELECT person.id AS id, person.name AS name, person.emailAddress AS email_address, person.creditCard AS credit_card, person.city AS city, person.state AS state, `dateTime` AS date_time, person.extra AS extra
FROM nexmark
WHERE event_type = 0;

-- Filter(state = 'OR' OR state = 'ID' OR state = 'CA') (examples/nexmark/q3.pipe:18:4)
CREATE TEMPORARY VIEW filter_1 AS
SELECT *
FROM person
WHERE state = 'OR' OR state = 'ID' OR state = 'CA';

-- Filter(a.category = 10) (examples/nexmark/q3.pipe:24:4)
CREATE TEMPORARY VIEW filter_2 AS
SELECT *
FROM auction
WHERE category = 10;

-- UID 'q3-auction-join-seller' (examples/nexmark/q3.pipe:25:4), stateful: its state starts empty on Flink
CREATE TEMPORARY VIEW q3_auction_join_seller AS
SELECT l.id AS id, l.item_name AS item_name, l.description AS description, l.initial_bid AS initial_bid, l.reserve AS reserve, l.date_time AS date_time, l.expires AS expires, l.seller AS seller, l.category AS category, l.extra AS extra, r.id AS id0, r.name AS name, r.email_address AS email_address, r.credit_card AS credit_card, r.city AS city, r.state AS state, r.date_time AS date_time0, r.extra AS extra0
FROM filter_2 AS l
JOIN filter_1 AS r
  ON l.seller = r.id;

-- Project(p.name, p.city, p.state, a.id) (examples/nexmark/q3.pipe:26:4)
CREATE TEMPORARY VIEW project_1 AS
SELECT name, city, state, id
FROM q3_auction_join_seller;

-- UID 'q3-sink' (examples/nexmark/q3.pipe:20:1)
CREATE TEMPORARY TABLE q3 (
  name STRING,
  city STRING,
  state STRING,
  id BIGINT
) WITH (
  'connector' = 'blackhole'
);

EXECUTE STATEMENT SET
BEGIN

INSERT INTO q3
SELECT *
FROM project_1;

END;

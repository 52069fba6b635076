-- Flink SQL for examples/nexmark/q8.pipe (pipeline 'q8'), written by `sluice compile --emit flink-sql`.
-- Run it with `sql-client.sh -f <this file>` or TableEnvironment.executeSql, statement by statement.
-- Flink SQL cannot pin operator uids: a Sluice savepoint does not move to Flink, and state starts fresh there.
-- What translates and how: docs/flink.md.

-- UID 'person-source' (examples/nexmark/q8.pipe:4:1), stateful: its state starts empty on Flink
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

CREATE TEMPORARY VIEW person AS
SELECT person.id AS id, person.name AS name, person.emailAddress AS email_address, person.creditCard AS credit_card, person.city AS city, person.state AS state, `dateTime` AS date_time, person.extra AS extra
FROM nexmark
WHERE event_type = 0;

-- UID 'auction-source' (examples/nexmark/q8.pipe:11:1), stateful: its state starts empty on Flink
CREATE TEMPORARY VIEW auction AS
SELECT auction.id AS id, auction.itemName AS item_name, auction.description AS description, auction.initialBid AS initial_bid, auction.reserve AS reserve, `dateTime` AS date_time, auction.expires AS expires, auction.seller AS seller, auction.category AS category, auction.extra AS extra
FROM nexmark
WHERE event_type = 1;

-- UID 'q8-persons-per-window' (examples/nexmark/q8.pipe:22:4), stateful: its state starts empty on Flink
CREATE TEMPORARY VIEW q8_persons_per_window AS
SELECT id, name, window_start, window_end, COUNT(*) AS registrations
FROM TABLE(TUMBLE(TABLE person, DESCRIPTOR(date_time), INTERVAL '10' SECOND))
GROUP BY id, name, window_start, window_end;

-- UID 'q8-sellers-per-window' (examples/nexmark/q8.pipe:27:4), stateful: its state starts empty on Flink
CREATE TEMPORARY VIEW q8_sellers_per_window AS
SELECT seller, window_start, window_end, COUNT(*) AS auctions
FROM TABLE(TUMBLE(TABLE auction, DESCRIPTOR(date_time), INTERVAL '10' SECOND))
GROUP BY seller, window_start, window_end;

-- UID 'q8-person-join-seller' (examples/nexmark/q8.pipe:33:4), stateful: its state starts empty on Flink
CREATE TEMPORARY VIEW q8_person_join_seller AS
SELECT l.id AS id, l.name AS name, l.window_start AS window_start, l.window_end AS window_end, l.registrations AS registrations, r.seller AS seller, r.window_start AS window_start0, r.window_end AS window_end0, r.auctions AS auctions
FROM q8_persons_per_window AS l
JOIN q8_sellers_per_window AS r
  ON l.id = r.seller
 AND l.window_start = r.window_start
 AND l.window_end = r.window_end;

-- Project(p.id, p.name, p.window_start AS start_time) (examples/nexmark/q8.pipe:36:4)
CREATE TEMPORARY VIEW project_1 AS
SELECT id, name, window_start AS start_time
FROM q8_person_join_seller;

-- UID 'q8-sink' (examples/nexmark/q8.pipe:29:1)
CREATE TEMPORARY TABLE q8 (
  id BIGINT,
  name STRING,
  start_time TIMESTAMP(3) NOT NULL
) WITH (
  'connector' = 'blackhole'
);

EXECUTE STATEMENT SET
BEGIN

INSERT INTO q8
SELECT *
FROM project_1;

END;

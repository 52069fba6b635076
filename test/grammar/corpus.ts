/** Valid programs covering every statement, step, type and expression form; shared by round-trip and fuzz tests. */
export const corpus: readonly string[] = [
  `CREATE FUNCTION spending_spree AS 'functions/alerts.js';
create function \`tax\` as 'it''s.mjs' language javascript;
CREATE SOURCE bids (auction BIGINT, ts TIMESTAMP(3) METADATA FROM 'timestamp', subject STRING NOT NULL METADATA,
  WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH ('connector' = 'jetstream', 'servers' = 'nats://127.0.0.1:4222', 'stream' = 'BIDS') UID 'bids';
CREATE SINK out WITH ('connector' = 'print');
INSERT INTO out FROM bids;`,
  `-- Nexmark q5-style: hot items per sliding window
SET 'pipeline.name' = 'hot items';
SET 'execution.checkpointing.interval' = '10 s';
CREATE SOURCE bids (
  auction BIGINT NOT NULL, bidder BIGINT, price DECIMAL(10, 2), channel VARCHAR(32), url STRING,
  date_time TIMESTAMP(3),
  WATERMARK FOR date_time AS date_time - INTERVAL '4' SECONDS
) WITH ('connector' = 'nexmark', 'table' = 'bid', 'events' = '10000') UID 'bids';
CREATE SINK hot WITH ('connector' = 'file', 'path' = '/tmp/out', 'format' = 'jsonl', 'sink.semantic' = 'exactly-once') UID 'hot-sink';
INSERT INTO hot FROM bids
  |> WINDOW HOP(date_time, INTERVAL '2' SECOND, INTERVAL '10' SECOND)
  |> AGGREGATE COUNT(*) AS num, MAX(price) AS top GROUP BY auction, window_start, window_end UID 'count-bids'
  |> WHERE num >= 3 AND top IS NOT NULL;`,
  `CREATE SOURCE persons (id BIGINT, name STRING, city STRING, state STRING, ts TIMESTAMP(3), WATERMARK FOR ts AS ts)
  WITH ('connector' = 'nexmark', 'table' = 'person') UID 'persons';
CREATE SOURCE auctions (id BIGINT, seller BIGINT, category INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts)
  WITH ('connector' = 'nexmark', 'table' = 'auction') UID 'auctions';
CREATE VIEW sellers AS FROM auctions AS a
  |> LEFT OUTER JOIN persons AS p ON a.seller = p.id AND p.ts BETWEEN a.ts - INTERVAL '1' HOUR AND a.ts UID 'join'
  |> WHERE p.state IN ('OR', 'ID', 'CA') AND category = 10
  |> SELECT p.name, p.city, p.state, a.id AS auction_id;
CREATE SINK out (name STRING, city STRING, state STRING NOT NULL, auction_id BIGINT, PRIMARY KEY (auction_id, state) NOT ENFORCED) WITH ('connector' = 'print') UID 'print';
INSERT INTO out FROM sellers;
CREATE SINK keyed (primary key (auction_id) not enforced) WITH ('connector' = 'blackhole');
INSERT INTO keyed FROM sellers;`,
  `create source clicks (\`user id\` string, url string, \`time\` timestamp(3), watermark for \`time\` as \`time\` - interval '500' millisecond)
  with ('connector' = 'file', 'path' = 'clicks.csv', 'format' = 'csv', 'mode' = 'bounded') uid 'clicks';
create sink sessions with ('connector' = 'blackhole') uid 'sessions';
insert into sessions from clicks as c
  |> extend lower(url) as u, \`user id\` || '@' || u as who
  |> window session(\`time\`, interval '30' minutes)
  |> aggregate count(distinct u) as pages, first_value(u) as entry, last_value(u) as exit_page
     group by \`user id\`, window_start as started uid 'session-agg'
  |> select *;`,
  `CREATE SOURCE events (k STRING, v DOUBLE, flag BOOLEAN, n INTEGER, ts TIMESTAMP(3)) WITH ('connector' = 'datagen', 'rows-per-second' = '5') UID 'gen';
CREATE SINK s1 WITH () UID 's1';
INSERT INTO s1 FROM events
  |> WHERE NOT flag OR (v > 1.5e3 AND v <= 2E4) OR k NOT LIKE 'x%' OR n NOT BETWEEN -5 AND +5 OR k NOT IN ('a', 'b')
  |> EXTEND CASE WHEN v < 0 THEN 'neg' WHEN v = 0 THEN 'zero' ELSE 'pos' END AS sign,
            CASE n WHEN 1 THEN TRUE ELSE FALSE END AS one,
            CAST(v AS DECIMAL(12, 4)) AS d, MOD(n, 7) * -(n % 3) / 2 AS m, NULL AS nothing,
            TIMESTAMP '2024-01-01 00:00:00' AS epoch, ts + INTERVAL '1' DAY AS tomorrow
  |> DEDUPLICATE BY k, n KEEP LAST UID 'dedup'
  |> DEDUPLICATE BY k UID 'dedup-first'
  |> PROCESS enrich(k, 'lookup', 3) PARTITION BY k UID 'enrich'
  |> PROCESS stamp()
  |> UNION ALL other_events
  |> WINDOW TUMBLE(ts, INTERVAL '1' MINUTE)
  |> AGGREGATE SUM(v) AS total, AVG(v) AS mean, MIN(n) AS lo GROUP BY k, window_start, window_end UID 'agg'
  |> SELECT k AS \`key\`, total - mean AS spread, lo IS NULL AS missing;`,
  `SET 'state.backend.type' = 'fs'; SET 'restart-strategy.type' = 'fixed-delay';
CREATE VIEW a AS FROM \`weird\`\`name\` |> WHERE (a = b) = c AND - - x > 0 AND NOT NOT y |> SELECT \`weird\`\`name\`.*;
INSERT INTO \`from\` FROM a AS \`select\` |> JOIN b ON \`select\`.k = b.k UID 'j' |> INNER JOIN c AS cc ON cc.k = b.k UID 'j2';`,
  `SET 'table.exec.state.ttl' = '1 d';
INSERT INTO out FROM orders |> JOIN payments ON orders.id = payments.order_id UID 'pay' TTL INTERVAL '36' HOURS
  |> AGGREGATE COUNT(*) AS n GROUP BY customer UID 'per-customer' ttl interval '0' second
  |> DEDUPLICATE BY customer KEEP LAST UID 'latest' TTL INTERVAL '1.5' DAY;`,
];

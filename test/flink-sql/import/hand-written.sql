-- Flink SQL as Flink users write it for the constructs Sluice has: a script for the SQL client.
SET 'pipeline.name' = 'clicks-and-orders';
SET 'execution.checkpointing.interval' = '10 s';

CREATE TABLE clicks (
  user_id STRING NOT NULL,
  url STRING,
  clicked_at TIMESTAMP(3),
  pt AS PROCTIME(),
  WATERMARK FOR clicked_at AS clicked_at - INTERVAL '5' SECOND
) WITH (
  'connector' = 'filesystem',
  'path' = 'data/clicks/',
  'format' = 'json',
  'source.monitor-interval' = '2 s',
  'json.ignore-parse-errors' = 'true'
);

CREATE TABLE more_clicks (
  user_id STRING NOT NULL,
  url STRING,
  clicked_at TIMESTAMP(3),
  WATERMARK FOR clicked_at AS clicked_at - INTERVAL '5' SECOND
) WITH ('connector' = 'filesystem', 'path' = 'data/more-clicks.csv', 'format' = 'csv');

CREATE TABLE orders (
  order_id BIGINT,
  user_id STRING,
  amount DOUBLE,
  ordered_at TIMESTAMP(3),
  WATERMARK FOR ordered_at AS ordered_at - INTERVAL '5' SECOND
) WITH ('connector' = 'datagen', 'number-of-rows' = '1000');

CREATE TABLE sessions_out (
  user_id STRING,
  session_start TIMESTAMP(3),
  session_end TIMESTAMP(3),
  clicks BIGINT
) WITH ('connector' = 'print');

CREATE TABLE first_clicks_out (
  user_id STRING,
  url STRING,
  clicked_at TIMESTAMP(3)
) WITH ('connector' = 'blackhole');

CREATE TABLE spend_out (
  user_id STRING,
  window_start TIMESTAMP(3),
  window_end TIMESTAMP(3),
  spent DOUBLE,
  orders BIGINT
) WITH ('connector' = 'filesystem', 'path' = 'out/spend', 'format' = 'json');

CREATE TABLE click_orders_out (
  user_id STRING,
  url STRING,
  order_id BIGINT,
  amount DOUBLE
) WITH ('connector' = 'print', 'print-identifier' = 'click-order');

CREATE VIEW all_clicks AS
SELECT user_id, url, clicked_at FROM clicks
UNION ALL
SELECT * FROM more_clicks;

BEGIN STATEMENT SET;

-- Sessions with the group window function.
INSERT INTO sessions_out
SELECT user_id, SESSION_START(clicked_at, INTERVAL '30' MINUTE), SESSION_END(clicked_at, INTERVAL '30' MINUTE), COUNT(*)
FROM all_clicks
WHERE url NOT LIKE '%/health%'
GROUP BY SESSION(clicked_at, INTERVAL '30' MINUTE), user_id;

-- The first click of every user (deduplication on a PROCTIME() column of the table).
INSERT INTO first_clicks_out
SELECT user_id, url, clicked_at
FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY user_id ORDER BY pt ASC) AS rn
  FROM clicks
)
WHERE rn = 1;

-- Spend per user per tumbling window, the items in another order than the keys.
INSERT INTO spend_out
SELECT o.user_id, window_start, window_end, SUM(o.amount) AS spent, COUNT(*) AS orders
FROM TABLE(TUMBLE(TABLE orders, DESCRIPTOR(ordered_at), INTERVAL '0 00:01:00.000' DAY TO SECOND)) AS o
GROUP BY window_start, window_end, o.user_id;

-- Orders within 90 seconds after a click: an interval join.
INSERT INTO click_orders_out
SELECT c.user_id, c.url, o.order_id, o.amount
FROM clicks AS c
LEFT JOIN orders AS o
  ON c.user_id = o.user_id AND o.ordered_at BETWEEN c.clicked_at AND c.clicked_at + INTERVAL '90' SECOND;

END;

-- Flink SQL for examples/orders-revenue.pipe (pipeline 'orders-revenue'), written by `sluice compile --emit flink-sql`.
-- Run it with `sql-client.sh -f <this file>` or TableEnvironment.executeSql, statement by statement.
-- Flink SQL cannot pin operator uids: a Sluice savepoint does not move to Flink, and state starts fresh there.
-- What translates and how: docs/flink.md.

SET 'pipeline.name' = 'orders-revenue';
SET 'parallelism.default' = '2';
SET 'execution.checkpointing.interval' = '5 s';
SET 'state.checkpoints.dir' = '.sluice/checkpoints';

-- UID 'orders' (examples/orders-revenue.pipe:7:1), stateful: its state starts empty on Flink
CREATE TEMPORARY TABLE orders (
  order_id BIGINT NOT NULL,
  category INT,
  amount DECIMAL(10, 2),
  ordered_at TIMESTAMP(3),
  WATERMARK FOR ordered_at AS ordered_at - INTERVAL '10' MINUTE
) WITH (
  'connector' = 'datagen',
  'number-of-rows' = '100000',
  'fields.order_id.kind' = 'sequence',
  'fields.order_id.start' = '1',
  'fields.order_id.end' = '100000',
  'fields.category.min' = '1',
  'fields.category.max' = '12',
  'fields.amount.min' = '1',
  'fields.amount.max' = '500'
);

-- Filter(amount IS NOT NULL) (examples/orders-revenue.pipe:37:4)
CREATE TEMPORARY VIEW filter_1 AS
SELECT *
FROM orders
WHERE amount IS NOT NULL;

-- Project(category, amount, ordered_at) (examples/orders-revenue.pipe:39:4)
CREATE TEMPORARY VIEW pruned_project_1 AS
SELECT category, amount, ordered_at
FROM filter_1;

-- UID 'revenue-per-category' (examples/orders-revenue.pipe:39:4), stateful: its state starts empty on Flink
CREATE TEMPORARY VIEW revenue_per_category AS
SELECT category, window_start, window_end, SUM(amount) AS revenue, COUNT(*) AS orders, AVG(CAST(amount AS DOUBLE)) AS avg_order
FROM TABLE(TUMBLE(TABLE pruned_project_1, DESCRIPTOR(ordered_at), INTERVAL '1' MINUTE))
GROUP BY category, window_start, window_end;

-- Project(window_start, window_end, category, revenue, orders, ROUND(avg_order, 2) AS avg…) (examples/orders-revenue.pipe:42:4)
CREATE TEMPORARY VIEW project_1 AS
SELECT window_start, window_end, category, revenue, orders, ROUND(avg_order, 2) AS avg_order
FROM revenue_per_category;

-- UID 'revenue-sink' (examples/orders-revenue.pipe:28:1), stateful: its state starts empty on Flink
CREATE TEMPORARY TABLE revenue (
  window_start TIMESTAMP(3) NOT NULL,
  window_end TIMESTAMP(3) NOT NULL,
  category INT,
  revenue DECIMAL(38, 2),
  orders BIGINT NOT NULL,
  avg_order DOUBLE
) WITH (
  'connector' = 'filesystem',
  'path' = '.sluice/out/revenue',
  'format' = 'json',
  'sink.rolling-policy.file-size' = '134217728b',
  'sink.rolling-policy.rollover-interval' = '30 min'
);

EXECUTE STATEMENT SET
BEGIN

INSERT INTO revenue
SELECT *
FROM project_1;

END;

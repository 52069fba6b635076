-- Flink SQL for examples/fraud-alerts.pipe (pipeline 'fraud-alerts'), written by `sluice compile --emit flink-sql`.
-- Run it with `sql-client.sh -f <this file>` or TableEnvironment.executeSql, statement by statement.
-- Flink SQL cannot pin operator uids: a Sluice savepoint does not move to Flink, and state starts fresh there.
-- What translates and how: docs/flink.md.

SET 'pipeline.name' = 'fraud-alerts';

-- UID 'payments' (examples/fraud-alerts.pipe:4:1), stateful: its state starts empty on Flink
CREATE TEMPORARY TABLE payments (
  account STRING NOT NULL,
  amount DOUBLE,
  merchant STRING,
  paid_at TIMESTAMP(3),
  WATERMARK FOR paid_at AS paid_at - INTERVAL '2' SECOND
) WITH (
  'connector' = 'filesystem',
  'path' = 'examples/data/payments.csv',
  'format' = 'csv'
);

-- UID 'resets' (examples/fraud-alerts.pipe:12:1), stateful: its state starts empty on Flink
CREATE TEMPORARY TABLE resets (
  account STRING NOT NULL,
  channel STRING,
  reset_at TIMESTAMP(3),
  WATERMARK FOR reset_at AS reset_at - INTERVAL '2' SECOND
) WITH (
  'connector' = 'filesystem',
  'path' = 'examples/data/resets.jsonl',
  'format' = 'json'
);

-- Filter(channel IN ('sms', 'email')) (examples/fraud-alerts.pipe:23:4)
CREATE TEMPORARY VIEW filter_1 AS
SELECT *
FROM resets
WHERE channel IN ('sms', 'email');

-- UID 'payments-after-reset' (examples/fraud-alerts.pipe:27:4), stateful: its state starts empty on Flink
CREATE TEMPORARY VIEW payments_after_reset AS
SELECT l.account AS account, l.channel AS channel, l.reset_at AS reset_at, r.account AS account0, r.amount AS amount, r.merchant AS merchant, r.paid_at AS paid_at
FROM filter_1 AS l
JOIN payments AS r
  ON l.account = r.account
 AND r.paid_at BETWEEN l.reset_at AND l.reset_at + INTERVAL '5' MINUTE;

-- Filter(p.amount >= 500) (examples/fraud-alerts.pipe:31:4)
CREATE TEMPORARY VIEW filter_2 AS
SELECT *
FROM payments_after_reset
WHERE amount >= 500;

-- Project(r.account, r.channel, p.amount, p.merchant, r.reset_at, p.paid_at) (examples/fraud-alerts.pipe:32:4)
CREATE TEMPORARY VIEW project_1 AS
SELECT account, channel, amount, merchant, reset_at, paid_at
FROM filter_2;

-- UID 'alerts-out' (examples/fraud-alerts.pipe:19:1)
CREATE TEMPORARY TABLE alerts (
  account STRING NOT NULL,
  channel STRING,
  amount DOUBLE,
  merchant STRING,
  reset_at TIMESTAMP(3),
  paid_at TIMESTAMP(3)
) WITH (
  'connector' = 'print',
  'print-identifier' = 'ALERT'
);

EXECUTE STATEMENT SET
BEGIN

INSERT INTO alerts
SELECT *
FROM project_1;

END;

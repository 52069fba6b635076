-- Flink SQL for examples/clickstream-sessions.pipe (pipeline 'clickstream-sessions'), written by `sluice compile --emit flink-sql`.
-- Run it with `sql-client.sh -f <this file>` or TableEnvironment.executeSql, statement by statement.
-- Flink SQL cannot pin operator uids: a Sluice savepoint does not move to Flink, and state starts fresh there.
-- What translates and how: docs/flink.md.

SET 'pipeline.name' = 'clickstream-sessions';

-- UID 'clicks' (examples/clickstream-sessions.pipe:4:1), stateful: its state starts empty on Flink
CREATE TEMPORARY TABLE clicks (
  user_id STRING NOT NULL,
  url STRING,
  referrer STRING,
  clicked_at TIMESTAMP(3),
  WATERMARK FOR clicked_at AS clicked_at - INTERVAL '10' SECOND
) WITH (
  'connector' = 'filesystem',
  'path' = 'examples/data/clicks.jsonl',
  'format' = 'json'
);

-- Filter(url NOT LIKE '%/health%') (examples/clickstream-sessions.pipe:16:4)
CREATE TEMPORARY VIEW filter_1 AS
SELECT *
FROM clicks
WHERE url NOT LIKE '%/health%';

-- Extend(CASE WHEN referrer IS NULL OR referrer = '' THEN 'direct' ELSE referrer END AS …) (examples/clickstream-sessions.pipe:17:4)
CREATE TEMPORARY VIEW project_1 AS
SELECT user_id, url, referrer, clicked_at, CASE WHEN referrer IS NULL OR referrer = '' THEN 'direct' ELSE referrer END AS source
FROM filter_1;

-- UID 'sessions-per-user' (examples/clickstream-sessions.pipe:19:4), stateful: its state starts empty on Flink
CREATE TEMPORARY VIEW sessions_per_user AS
SELECT user_id, SESSION_START(clicked_at, INTERVAL '30' MINUTE) AS window_start, SESSION_END(clicked_at, INTERVAL '30' MINUTE) AS window_end, COUNT(*) AS clicks, COUNT(DISTINCT url) AS pages, FIRST_VALUE(source) AS entry_source, LAST_VALUE(url) AS exit_page
FROM project_1
GROUP BY user_id, SESSION(clicked_at, INTERVAL '30' MINUTE);

-- UID 'sessions-out' (examples/clickstream-sessions.pipe:12:1)
CREATE TEMPORARY TABLE sessions (
  user_id STRING NOT NULL,
  window_start TIMESTAMP(3) NOT NULL,
  window_end TIMESTAMP(3) NOT NULL,
  clicks BIGINT NOT NULL,
  pages BIGINT NOT NULL,
  entry_source STRING,
  exit_page STRING
) WITH (
  'connector' = 'print',
  'print-identifier' = 'session'
);

EXECUTE STATEMENT SET
BEGIN

INSERT INTO sessions
SELECT *
FROM sessions_per_user;

END;

-- Flink SQL for examples/dedup-events.pipe (pipeline 'dedup-events'), written by `sluice compile --emit flink-sql`.
-- Run it with `sql-client.sh -f <this file>` or TableEnvironment.executeSql, statement by statement.
-- Flink SQL cannot pin operator uids: a Sluice savepoint does not move to Flink, and state starts fresh there.
-- What translates and how: docs/flink.md.

SET 'pipeline.name' = 'dedup-events';

-- UID 'raw-events' (examples/dedup-events.pipe:4:1), stateful: its state starts empty on Flink
CREATE TEMPORARY TABLE raw_events (
  event_id STRING NOT NULL,
  event_type STRING,
  payload STRING,
  emitted_at TIMESTAMP(3)
) WITH (
  'connector' = 'filesystem',
  'path' = 'examples/data/events.jsonl',
  'format' = 'json'
);

-- UID 'dedup-by-id' (examples/dedup-events.pipe:16:4), stateful: its state starts empty on Flink
CREATE TEMPORARY VIEW dedup_by_id AS
SELECT event_id, event_type, payload, emitted_at
FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY event_id ORDER BY proc_time ASC) AS row_num
  FROM (SELECT *, PROCTIME() AS proc_time FROM raw_events)
)
WHERE row_num = 1;

-- Project(event_id, UPPER(event_type) AS event_type, emitted_at) (examples/dedup-events.pipe:20:4)
CREATE TEMPORARY VIEW project_1 AS
SELECT event_id, UPPER(event_type) AS event_type, emitted_at
FROM dedup_by_id;

-- UID 'count-per-type' (examples/dedup-events.pipe:24:4), stateful: its state starts empty on Flink
CREATE TEMPORARY VIEW count_per_type AS
SELECT event_type, COUNT(*) AS events
FROM dedup_by_id
GROUP BY event_type;

-- UID 'unique-events-out' (examples/dedup-events.pipe:11:1)
CREATE TEMPORARY TABLE unique_events (
  event_id STRING NOT NULL,
  event_type STRING,
  emitted_at TIMESTAMP(3)
) WITH (
  'connector' = 'print',
  'print-identifier' = 'event'
);

-- UID 'type-counts-out' (examples/dedup-events.pipe:12:1)
CREATE TEMPORARY TABLE type_counts (
  event_type STRING,
  events BIGINT NOT NULL
) WITH (
  'connector' = 'print',
  'print-identifier' = 'count'
);

EXECUTE STATEMENT SET
BEGIN

INSERT INTO unique_events
SELECT *
FROM project_1;

INSERT INTO type_counts
SELECT *
FROM count_per_type;

END;

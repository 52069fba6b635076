/**
 * The pipeline the recovery and chaos tests run: Nexmark q8 with one-second windows (new persons who opened an
 * auction in the window they registered in): two sources, two window aggregates, a window join and a file sink.
 * Windows fire all along the input, so output is committed while the job runs, not only at its end.
 */
export interface NexmarkJoinOptions {
  /** The file sink's directory. */
  readonly sinkDir: string;
  /** Nexmark events (of all tables) to generate: bounded input. */
  readonly events: number;
  /** Paces the sources by wall clock (events of all tables per second), so a run lasts a while. */
  readonly eventsPerSecond?: number;
  readonly semantic?: 'exactly-once' | 'at-least-once';
  /** Calls the BOOLEAN UDF `checked(person id)` on every person (a place to fail). */
  readonly withUdf?: boolean;
}

export function nexmarkJoinPipe(options: NexmarkJoinOptions): string {
  const pacing = options.eventsPerSecond === undefined ? '' : `, 'rows-per-second' = '${options.eventsPerSecond}'`;
  const source = (table: string) => `'connector' = 'nexmark', 'table' = '${table}', 'events' = '${options.events}'${pacing}`;
  return `
CREATE SOURCE person (
  id BIGINT, name STRING, email_address STRING, credit_card STRING, city STRING, state STRING, date_time TIMESTAMP(3), extra STRING,
  WATERMARK FOR date_time AS date_time - INTERVAL '4' SECOND
) WITH (${source('person')}) UID 'person-source';

CREATE SOURCE auction (
  id BIGINT, item_name STRING, description STRING, initial_bid BIGINT, reserve BIGINT, date_time TIMESTAMP(3),
  expires TIMESTAMP(3), seller BIGINT, category BIGINT, extra STRING,
  WATERMARK FOR date_time AS date_time - INTERVAL '4' SECOND
) WITH (${source('auction')}) UID 'auction-source';

CREATE VIEW new_persons AS
FROM person
${options.withUdf === true ? '|> WHERE checked(id)' : ''}
|> WINDOW TUMBLE(date_time, INTERVAL '1' SECOND)
|> AGGREGATE COUNT(*) AS registrations GROUP BY id, name, window_start, window_end UID 'persons-per-window';

CREATE VIEW sellers AS
FROM auction
|> WINDOW TUMBLE(date_time, INTERVAL '1' SECOND)
|> AGGREGATE COUNT(*) AS auctions GROUP BY seller, window_start, window_end UID 'sellers-per-window';

CREATE SINK out WITH ('connector' = 'file', 'path' = '${options.sinkDir}', 'format' = 'jsonl', 'sink.semantic' = '${options.semantic ?? 'exactly-once'}') UID 'out';

INSERT INTO out
FROM new_persons AS p
|> JOIN sellers AS s ON p.id = s.seller AND p.window_start = s.window_start AND p.window_end = s.window_end UID 'person-join-seller'
|> SELECT p.id, p.name, s.auctions, p.window_start AS start_time;
`;
}

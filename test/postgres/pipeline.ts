/**
 * The pipeline of the postgres exactly-once tests: Nexmark bids, paced by wall clock, into two postgres sinks —
 * a continuous aggregate per bidder upserted into `totals`, and one-second tumbling windows per auction bucket
 * appended to `windows` (created by the sinks). Both are written all along the run, not only at its end.
 */
export interface PostgresPipeOptions {
  readonly url: string;
  readonly totals: string;
  readonly windows: string;
  readonly events: number;
  readonly eventsPerSecond?: number;
}

export function postgresPipe(options: PostgresPipeOptions): string {
  const pacing = options.eventsPerSecond === undefined ? '' : `, 'rows-per-second' = '${options.eventsPerSecond}'`;
  const sink = (table: string) => `'connector' = 'postgres', 'url' = '${options.url}', 'table-name' = '${table}', 'sink.create-table' = 'true'`;
  return `
CREATE SOURCE bid (
  auction BIGINT, bidder BIGINT, price BIGINT, channel STRING, url STRING, date_time TIMESTAMP(3), extra STRING,
  WATERMARK FOR date_time AS date_time - INTERVAL '4' SECOND
) WITH ('connector' = 'nexmark', 'table' = 'bid', 'events' = '${options.events}'${pacing}) UID 'bid-source';

CREATE SINK totals (bidder BIGINT, n BIGINT, total BIGINT, PRIMARY KEY (bidder) NOT ENFORCED) WITH (${sink(options.totals)}) UID 'totals-out';
CREATE SINK windows WITH (${sink(options.windows)}) UID 'windows-out';

INSERT INTO totals FROM bid |> AGGREGATE COUNT(*) AS n, SUM(price) AS total GROUP BY bidder UID 'per-bidder';
INSERT INTO windows FROM bid
  |> EXTEND auction % 7 AS bucket
  |> WINDOW TUMBLE(date_time, INTERVAL '1' SECOND)
  |> AGGREGATE COUNT(*) AS bids, SUM(price) AS volume GROUP BY bucket, window_start, window_end UID 'per-window';
`;
}

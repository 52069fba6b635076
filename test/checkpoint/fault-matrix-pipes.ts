/**
 * The two pipelines of the fault matrix, each writing to an exactly-once file sink: an append query (a filter and
 * a projection of Nexmark bids) and a continuous aggregate (bids per bidder, an upsert stream with `-U`/`+U`).
 * The sources are paced, so an undisturbed run lasts a few seconds and faults land in the middle of it.
 */
export interface MatrixPipeOptions {
  readonly sinkDir: string;
  readonly checkpointDir: string;
  readonly events: number;
  readonly eventsPerSecond: number;
  /** Unaligned checkpoints (issue 13). */
  readonly unaligned?: boolean;
}

export type MatrixPipeline = 'append' | 'aggregate';

const STEPS: Record<MatrixPipeline, string> = {
  append: `
|> WHERE price % 3 = 0
|> SELECT auction, bidder, price, date_time`,
  aggregate: `
|> AGGREGATE COUNT(*) AS bids, SUM(price) AS total GROUP BY bidder UID 'bids-per-bidder'`,
};

export function matrixPipe(pipeline: MatrixPipeline, options: MatrixPipeOptions): string {
  return `
SET 'execution.checkpointing.interval' = '150 ms';
SET 'state.checkpoints.dir' = '${options.checkpointDir}';
SET 'state.checkpoints.num-retained' = '2';
SET 'restart-strategy.type' = 'none';
SET 'execution.checkpointing.unaligned.enabled' = '${options.unaligned === true}';

CREATE SOURCE bid (
  auction BIGINT, bidder BIGINT, price BIGINT, channel STRING, url STRING, date_time TIMESTAMP(3), extra STRING,
  WATERMARK FOR date_time AS date_time - INTERVAL '4' SECOND
) WITH ('connector' = 'nexmark', 'table' = 'bid', 'events' = '${options.events}', 'rows-per-second' = '${options.eventsPerSecond}') UID 'bids';

CREATE SINK out WITH ('connector' = 'file', 'path' = '${options.sinkDir}', 'format' = 'jsonl', 'sink.semantic' = 'exactly-once') UID 'out';

INSERT INTO out
FROM bid${STEPS[pipeline]};
`;
}

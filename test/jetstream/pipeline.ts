import type { TestJetStream } from '../../connectors/jetstream/test-helpers.js';

/**
 * The JetStream → window aggregate → JetStream pipeline of the exactly-once tests: bids on `<in>.<p>` (p = auction
 * mod 2, one subject partition each), counted and summed per auction bucket and 1-second tumbling window, published
 * to `<out>.<bucket>`.
 */
export const BUCKETS = 7;

export function jetStreamPipe(options: { servers: string; input: string; output: string; uid?: string }): string {
  return `
CREATE SOURCE bids (auction BIGINT, price BIGINT, date_time TIMESTAMP(3), seq BIGINT METADATA FROM 'sequence',
  WATERMARK FOR date_time AS date_time - INTERVAL '1' SECOND
) WITH ('connector' = 'jetstream', 'servers' = '${options.servers}', 'stream' = '${options.input}',
  'subject-partitions' = '${options.input}.0,${options.input}.1', 'scan.bounded.mode' = 'latest-offset') UID 'bids-src';
CREATE SINK totals WITH ('connector' = 'jetstream', 'servers' = '${options.servers}', 'subject' = '${options.output}.{bucket}',
  'sink.semantic' = 'exactly-once') UID '${options.uid ?? 'totals-out'}';
INSERT INTO totals FROM bids
  |> EXTEND auction % ${BUCKETS} AS bucket
  |> WINDOW TUMBLE(date_time, INTERVAL '1' SECOND)
  |> AGGREGATE COUNT(*) AS bids, SUM(price) AS volume, MAX(seq) AS last_seq GROUP BY bucket, window_start, window_end UID 'totals';
`;
}

/** `count` bids, 200 per second of event time from 2024-01-01, auction i mod 101, price 1 + i mod 1000. */
export async function fillBids(nats: TestJetStream, stream: string, count: number): Promise<void> {
  await nats.createStream(stream, [`${stream}.>`]);
  const start = Date.UTC(2024, 0, 1);
  const messages = Array.from({ length: count }, (_, i) => {
    const auction = i % 101;
    const time = new Date(start + Math.floor(i * 5)).toISOString().replace('T', ' ').replace('Z', '');
    return { subject: `${stream}.${auction % 2}`, data: JSON.stringify({ auction, price: 1 + (i % 1000), date_time: time }) };
  });
  await nats.publishAll(stream, messages);
}

/** The output messages as sorted `subject data` lines: equal lists mean the same messages, each as often. */
export async function outputLines(nats: TestJetStream, stream: string): Promise<string[]> {
  return (await nats.readStream(stream)).map((m) => `${m.subject} ${m.data}`.replace(`${stream}.`, '')).sort();
}

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIGINT, STRING, TIMESTAMP3, type Field } from '../../compiler/types/sql-type.js';
import { ConnectorOptions } from '../../runtime/connectors/options.js';
import type { SourceConnector } from '../../runtime/connectors/source-connector.js';
import { createJetStreamSource, type JetStreamSplit, type JetStreamSplitReader } from '../../connectors/jetstream/source.js';
import { pullDroppingProxy } from './pull-dropping-proxy.js';
import { LOCAL_NATS, readRows, readToEnd, testJetStream, uniqueStreamName, unreachableReason, type TestJetStream } from '../../connectors/jetstream/test-helpers.js';

/** The jetstream source against the local nats-server: positions, bounds, startup modes, splits, formats, errors. */
let skipReason: string | undefined;
let nats: TestJetStream;

beforeAll(async () => {
  skipReason = await unreachableReason();
  if (skipReason !== undefined) console.warn(`skipping the jetstream source tests: ${skipReason}`);
  else nats = await testJetStream();
});
afterAll(async () => nats?.close());

const field = (name: string, type = BIGINT): Field => ({ name, type, nullable: true });
const BID_FIELDS = [field('auction'), field('price')];

function source(options: Record<string, string>, fields: readonly Field[] = BID_FIELDS): SourceConnector {
  return createJetStreamSource(new ConnectorOptions('jetstream', { servers: LOCAL_NATS, format: 'json', ...options }), { fields: [...fields], changelog: 'append' });
}

/** A stream `bids.<auction % 2>` with `count` bids, auction = i, price = 10 * i. */
async function bidsStream(count: number): Promise<string> {
  const name = uniqueStreamName('src');
  await nats.createStream(name, [`${name}.>`]);
  await nats.publishAll(name, Array.from({ length: count }, (_, i) => ({ subject: `${name}.${i % 2}`, data: JSON.stringify({ auction: i, price: 10 * i }) })));
  return name;
}

const bids = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => [from + i, 10 * (from + i)]);

describe('jetstream source', () => {
  it('bounded at the latest offset: reads what the stream held at the start, not what came after', async (context) => {
    if (skipReason !== undefined) return context.skip();
    const stream = await bidsStream(100);
    const connector = source({ stream, 'scan.bounded.mode': 'latest-offset' });
    const [split] = await connector.enumerateSplits();
    expect(split).toMatchObject({ id: '>', filter: null, endSequence: 100 });
    await nats.publishAll(stream, [{ subject: `${stream}.0`, data: JSON.stringify({ auction: 1000, price: 1 }) }]);
    const reader = connector.createReader(split!);
    expect(await readToEnd(reader, 7)).toEqual(bids(0, 100));
    expect(reader.position()).toEqual({ sequence: 100 });
    await reader.close();
  });

  it('resumes right after its recorded position: nothing twice, nothing skipped', async (context) => {
    if (skipReason !== undefined) return context.skip();
    const stream = await bidsStream(500);
    const connector = source({ stream });
    const [split] = await connector.enumerateSplits();
    const first = connector.createReader(split!);
    const head = await readRows(first, 137, 50);
    const position = first.position();
    expect(position).toEqual({ sequence: 137 });
    await first.close();
    const second = connector.createReader(split!, position);
    const tail = await readRows(second, 363, 100);
    await second.close();
    expect([...head, ...tail]).toEqual(bids(0, 500));
  });

  it('reads one split per subject partition, each its own subjects with its own position', async (context) => {
    if (skipReason !== undefined) return context.skip();
    const stream = await bidsStream(60);
    const connector = source({ stream, 'subject-partitions': `${stream}.0,${stream}.1`, 'scan.bounded.mode': 'latest-offset' });
    const splits = (await connector.enumerateSplits()) as JetStreamSplit[];
    expect(splits.map((s) => s.id)).toEqual([`${stream}.0`, `${stream}.1`]);
    const even = connector.createReader(splits[0]!);
    expect(await readToEnd(even, 8)).toEqual(bids(0, 60).filter(([auction]) => auction! % 2 === 0));
    expect(even.position()).toEqual({ sequence: 59 });
    const odd = connector.createReader(splits[1]!, { sequence: 40 });
    expect(await readToEnd(odd)).toEqual(bids(41, 60).filter(([auction]) => auction! % 2 === 1));
    await Promise.all([even.close(), odd.close()]);
  });

  it('starts at the latest offset, at a specific sequence, or at a timestamp', async (context) => {
    if (skipReason !== undefined) return context.skip();
    const stream = await bidsStream(20);
    const latest = source({ stream, 'scan.startup.mode': 'latest-offset' });
    const [split] = await latest.enumerateSplits();
    expect(split).toMatchObject({ startSequence: 21 });
    const afterStart = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 20));
    await nats.publishAll(stream, [20, 21, 22].map((i) => ({ subject: `${stream}.0`, data: JSON.stringify({ auction: i, price: 10 * i }) })));
    const latestReader = latest.createReader(split!);
    expect(await readRows(latestReader, 3)).toEqual(bids(20, 23));
    await latestReader.close();

    const specific = source({ stream, 'scan.startup.mode': 'specific-offsets', 'scan.startup.specific-offset': '18', 'scan.bounded.mode': 'latest-offset' });
    const [specificSplit] = await specific.enumerateSplits();
    expect(await readToEnd(specific.createReader(specificSplit!))).toEqual(bids(17, 23));

    const timestamp = source({ stream, 'scan.startup.mode': 'timestamp', 'scan.startup.timestamp-millis': String(afterStart), 'scan.bounded.mode': 'latest-offset' });
    const [timestampSplit] = await timestamp.enumerateSplits();
    expect(await readToEnd(timestamp.createReader(timestampSplit!))).toEqual(bids(20, 23));
  });

  it('fills METADATA columns from the message: subject, stream sequence, publish time', async (context) => {
    if (skipReason !== undefined) return context.skip();
    const before = Date.now();
    const stream = await bidsStream(3);
    const fields = [field('subj', STRING), field('auction'), field('seq'), field('ts', TIMESTAMP3)];
    const connector = source({ stream, 'scan.bounded.mode': 'latest-offset', metadata: JSON.stringify({ subj: 'subject', seq: 'sequence', ts: 'timestamp' }) }, fields);
    const [split] = await connector.enumerateSplits();
    const rows = await readToEnd(connector.createReader(split!));
    expect(rows.map((r) => r.slice(0, 3))).toEqual([
      [`${stream}.0`, 0, 1],
      [`${stream}.1`, 1, 2],
      [`${stream}.0`, 2, 3],
    ]);
    for (const row of rows) expect(row[3]).toBeGreaterThanOrEqual(before - 1000);
    for (const row of rows) expect(row[3]).toBeLessThanOrEqual(Date.now() + 1000);
  });

  it('reads raw payloads as one STRING column and csv by position', async (context) => {
    if (skipReason !== undefined) return context.skip();
    const stream = uniqueStreamName('fmt');
    await nats.createStream(stream, [stream]);
    await nats.publishAll(stream, [{ subject: stream, data: '7,70' }, { subject: stream, data: '8,' }]);
    const raw = source({ stream, format: 'raw', 'scan.bounded.mode': 'latest-offset' }, [field('line', STRING)]);
    expect(await readToEnd(raw.createReader((await raw.enumerateSplits())[0]!))).toEqual([['7,70'], ['8,']]);
    const csv = source({ stream, format: 'csv', 'scan.bounded.mode': 'latest-offset' });
    expect(await readToEnd(csv.createReader((await csv.enumerateSplits())[0]!))).toEqual([[7, 70], [8, null]]);
  });

  it('fails on a bad payload naming subject and sequence, or skips and counts it', async (context) => {
    if (skipReason !== undefined) return context.skip();
    const stream = uniqueStreamName('bad');
    await nats.createStream(stream, [`${stream}.>`]);
    await nats.publishAll(stream, [
      { subject: `${stream}.a`, data: '{"auction": 1, "price": 2}' },
      { subject: `${stream}.b`, data: '{"auction": "x"}' },
      { subject: `${stream}.a`, data: '{"auction": 3, "price": 4}' },
    ]);
    const strict = source({ stream, 'scan.bounded.mode': 'latest-offset' });
    const [split] = await strict.enumerateSplits();
    const reader = strict.createReader(split!);
    await expect(readToEnd(reader)).rejects.toThrow(new RegExp(`jetstream stream '${stream}' subject '${stream}.b' sequence:2: field 'auction'`));
    await reader.close();
    const lenient = source({ stream, 'scan.bounded.mode': 'latest-offset', 'format.ignore-parse-errors': 'true' });
    const skipping = lenient.createReader(split!);
    expect(await readToEnd(skipping)).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(skipping.skippedRows).toBe(1);
    expect(skipping.position()).toEqual({ sequence: 3 });
  });

  it('reads on with a new consumer when a pull is never answered: nothing twice, nothing skipped', async (context) => {
    if (skipReason !== undefined) return context.skip();
    const stream = await bidsStream(5000);
    // The second pull is lost: the first one's 2,048 messages have arrived, most of them not yet handed out.
    const proxy = await pullDroppingProxy({ host: '127.0.0.1', port: 4222 }, 2);
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.message);
    process.on('warning', onWarning);
    try {
      const connector = createJetStreamSource(
        new ConnectorOptions('jetstream', { servers: proxy.url, format: 'json', stream, 'scan.bounded.mode': 'latest-offset' }),
        { fields: BID_FIELDS, changelog: 'append' },
      );
      const [split] = await connector.enumerateSplits();
      const reader = connector.createReader(split!);
      expect(await readToEnd(reader, 500, 30_000)).toEqual(bids(0, 5000));
      expect(proxy.dropped).toBe(1);
      expect((reader as JetStreamSplitReader).consumersReplaced).toBe(1);
      expect(warnings.some((w) => /no answer to a pull .* new consumer after stream sequence 2048/.test(w))).toBe(true);
      await reader.close();
    } finally {
      process.off('warning', onWarning);
      await proxy.close();
    }
  }, 40_000);

  it('names server and stream when the stream is missing or no server answers', async (context) => {
    if (skipReason !== undefined) return context.skip();
    await expect(source({ stream: 'NO_SUCH_STREAM_X' }).enumerateSplits()).rejects.toThrow(
      /SLC9181.*jetstream source 'NO_SUCH_STREAM_X': JetStream at nats:\/\/127\.0\.0\.1:4222 has no stream 'NO_SUCH_STREAM_X'|JetStream at nats:\/\/127\.0\.0\.1:4222 has no stream 'NO_SUCH_STREAM_X'/,
    );
    const down = createJetStreamSource(new ConnectorOptions('jetstream', { servers: 'nats://alice:s3cret@127.0.0.1:1', stream: 'BIDS', 'connect.timeout': '500' }), {
      fields: BID_FIELDS,
      changelog: 'append',
    });
    const error = await down.enumerateSplits().then(
      () => undefined,
      (e: Error & { code?: string }) => e,
    );
    expect(error?.code).toBe('SLC9180');
    expect(error?.message).toContain("cannot reach JetStream at nats://alice:<redacted>@127.0.0.1:1 for stream 'BIDS'");
    expect(error?.message).not.toContain('s3cret');
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIGINT, STRING, type Field } from '../../compiler/types/sql-type.js';
import { ConnectorOptions } from '../../runtime/connectors/options.js';
import { RowKind, type SinkContext } from '../../runtime/connectors/sink-connector.js';
import { createJetStreamSinkWriter, StagedMessagesSchema } from '../../connectors/jetstream/sink.js';
import { LOCAL_NATS, testJetStream, uniqueStreamName, unreachableReason, type TestJetStream } from '../../connectors/jetstream/test-helpers.js';

/** The jetstream sink against the local nats-server: staging, ids, replays dropped, subjects, row kinds, errors. */
let skipReason: string | undefined;
let nats: TestJetStream;

beforeAll(async () => {
  skipReason = await unreachableReason();
  if (skipReason !== undefined) console.warn(`skipping the jetstream sink tests: ${skipReason}`);
  else nats = await testJetStream();
});
afterAll(async () => nats?.close());

const field = (name: string, type = BIGINT): Field => ({ name, type, nullable: true });
const FIELDS = [field('bidder'), field('note', STRING)];

function sinkContext(overrides: Partial<SinkContext> = {}): SinkContext {
  return { jobId: 'job', runId: 'run1', subtask: 0, parallelism: 1, uid: 'alerts-out', lineage: 'l1', ...overrides };
}

function writer(options: Record<string, string>, contextOfSink = sinkContext(), changelog: 'append' | 'upsert' = 'append') {
  return createJetStreamSinkWriter(new ConnectorOptions('jetstream', { servers: LOCAL_NATS, ...options }), { fields: FIELDS, changelog }, contextOfSink);
}

async function outputStream(extra: Record<string, unknown> = {}): Promise<string> {
  const name = uniqueStreamName('sink');
  await nats.createStream(name, [`${name}.>`], extra);
  return name;
}

describe('jetstream sink', () => {
  it('exactly-once: publishes a checkpoint\'s rows only when it completes, and a replay of them is dropped as duplicates', async (context) => {
    if (skipReason !== undefined) return context.skip();
    const stream = await outputStream();
    const sink = writer({ subject: `${stream}.{bidder}` });
    sink.write([
      [1, 'a'],
      [2, 'b'],
    ]);
    await sink.flush();
    const [staged] = await sink.preCommit(1);
    sink.write([[1, 'c']]);
    expect(await nats.readStream(stream)).toEqual([]);
    await sink.commit([staged!]);
    const published = await nats.readStream(stream);
    expect(published.map((m) => [m.subject, m.data])).toEqual([
      [`${stream}.1`, '{"bidder":1,"note":"a"}'],
      [`${stream}.2`, '{"bidder":2,"note":"b"}'],
    ]);
    expect(published.map((m) => m.headers['Nats-Msg-Id'])).toEqual(['job/alerts-out/0/run1/1-0', 'job/alerts-out/0/run1/1-1']);
    await sink.abort();

    // A restored run recovers checkpoint 1's committable (stored in the checkpoint as JSON) and publishes it again.
    const restored = writer({ subject: `${stream}.{bidder}` }, sinkContext({ runId: 'run2' }));
    await restored.recover([StagedMessagesSchema.parse(JSON.parse(JSON.stringify(staged)))]);
    restored.write([[1, 'c']]);
    await restored.commit(await restored.preCommit(2));
    await restored.abort();
    expect((await nats.readStream(stream)).map((m) => m.data)).toEqual(['{"bidder":1,"note":"a"}', '{"bidder":2,"note":"b"}', '{"bidder":1,"note":"c"}']);
  });

  it('at-least-once publishes at every flush, without message ids', async (context) => {
    if (skipReason !== undefined) return context.skip();
    const stream = await outputStream();
    const sink = writer({ subject: `${stream}.all`, 'sink.semantic': 'at-least-once' });
    sink.write(Array.from({ length: 10_000 }, (_, i) => [i, 'x']));
    await sink.flush();
    const published = await nats.readStream(stream);
    expect(published.length).toBe(10_000);
    expect(published[9_999]!.data).toBe('{"bidder":9999,"note":"x"}');
    expect(published[0]!.headers).toEqual({});
    expect(await sink.preCommit(1)).toEqual([]);
    await sink.close();
  });

  it('carries the row kind of updating input in an op member and a header', async (context) => {
    if (skipReason !== undefined) return context.skip();
    const stream = await outputStream();
    const sink = writer({ subject: `${stream}.changes` }, sinkContext(), 'upsert');
    sink.write(
      [
        [1, 'a'],
        [1, 'a'],
        [1, 'b'],
      ],
      Uint8Array.of(RowKind.INSERT, RowKind.UPDATE_BEFORE, RowKind.UPDATE_AFTER),
    );
    await sink.commit(await sink.preCommit(1));
    await sink.abort();
    const published = await nats.readStream(stream);
    expect(published.map((m) => [m.data, m.headers['Sluice-Row-Kind']])).toEqual([
      ['{"op":"+I","bidder":1,"note":"a"}', '+I'],
      ['{"op":"-U","bidder":1,"note":"a"}', '-U'],
      ['{"op":"+U","bidder":1,"note":"b"}', '+U'],
    ]);
  });

  it('warns when the duplicate window is shorter than the checkpoint interval plus the restart delay', async (context) => {
    if (skipReason !== undefined) return context.skip();
    const stream = await outputStream({ duplicate_window: 1_000_000_000 });
    const warnings: string[] = [];
    const sink = writer(
      { subject: `${stream}.x` },
      sinkContext({ warn: (message) => warnings.push(message), recovery: { checkpointIntervalMs: 10_000, restartDelayMs: 5_000 } }),
    );
    sink.write([[1, 'a']]);
    await sink.commit(await sink.preCommit(1));
    await sink.abort();
    expect(warnings).toEqual([expect.stringContaining(`stream '${stream}' deduplicates message ids for 1 s, less than the checkpoint interval plus the restart delay (15 s)`)]);

    const quiet: string[] = [];
    const roomy = writer({ subject: `${stream}.x`, stream }, sinkContext({ warn: (m) => quiet.push(m), recovery: { checkpointIntervalMs: 500, restartDelayMs: 100 } }));
    roomy.write([[1, 'a']]);
    await roomy.commit(await roomy.preCommit(1));
    await roomy.abort();
    expect(quiet).toEqual([]);
  });

  it('refuses a subject value that would change its tokens, and a publish no stream captures', async (context) => {
    if (skipReason !== undefined) return context.skip();
    const stream = await outputStream();
    const sink = writer({ subject: `${stream}.{note}` });
    expect(() => sink.write([[1, 'a.b']])).toThrow(`jetstream sink 'alerts-out': column 'note' is "a.b", which cannot be a token of the subject '${stream}.{note}'`);
    expect(() => sink.write([[1, null]])).toThrow(/column 'note' is NULL/);
    expect(() => writer({ subject: 'x.{nope}' })).toThrow("refers to column 'nope', which its input does not have (its columns: bidder, note)");

    const nowhere = writer({ subject: 'NOWHERE_CAPTURED.x' });
    nowhere.write([[1, 'a']]);
    const error = await nowhere.commit(await nowhere.preCommit(1)).then(
      () => undefined,
      (e: Error & { code?: string }) => e,
    );
    expect(error?.code).toBe('SLC9183');
    expect(error?.message).toContain("publishing to subject 'NOWHERE_CAPTURED.x' at nats://127.0.0.1:4222 failed: no stream captures it");
    await nowhere.abort();
  });
});

import { createConnection } from 'node:net';
import { randomUUID } from 'node:crypto';
import type { SplitReader } from '../../runtime/connectors/source-connector.js';

/**
 * For the tests of the jetstream connector: whether a server answers, streams with unique names that the test
 * deletes, and reading a split to its end. The local server is the one `.ci/run` starts (127.0.0.1:4222).
 */
export const LOCAL_NATS = 'nats://127.0.0.1:4222';

/** Undefined when something accepts connections on host:port, else why not (for the skip message). */
export function unreachableReason(host = '127.0.0.1', port = 4222, timeoutMs = 1000): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    const done = (reason: string | undefined) => {
      socket.destroy();
      resolve(reason);
    };
    socket.setTimeout(timeoutMs, () => done(`nothing answers on ${host}:${port} within ${timeoutMs} ms`));
    socket.once('connect', () => done(undefined));
    socket.once('error', (error) => done(`no NATS server on ${host}:${port} (${error.message}); start one with nats-server -js`));
  });
}

export function uniqueStreamName(prefix: string): string {
  return `${prefix}_${randomUUID().slice(0, 8)}`.toUpperCase().replace(/-/g, '_');
}

/** A JetStream manager for the test's own streams; `close` deletes every stream it created. */
export async function testJetStream(servers = LOCAL_NATS) {
  const { connect } = await import('@nats-io/transport-node');
  const { jetstream, jetstreamManager } = await import('@nats-io/jetstream');
  const nc = await connect({ servers });
  const jsm = await jetstreamManager(nc);
  const js = jetstream(nc);
  const created: string[] = [];
  return {
    nc,
    jsm,
    js,
    async createStream(name: string, subjects: string[], extra: Record<string, unknown> = {}): Promise<void> {
      await jsm.streams.add({ name, subjects, ...extra });
      created.push(name);
    },
    /**
     * Publishes into `stream` without waiting for each acknowledgement (fast), then waits until the stream holds
     * them all; fails when the stream takes them not all within 20 s.
     */
    async publishAll(stream: string, messages: readonly { subject: string; data: string }[]): Promise<void> {
      const before = (await jsm.streams.info(stream)).state.messages;
      for (let i = 0; i < messages.length; i++) {
        nc.publish(messages[i]!.subject, messages[i]!.data);
        if (i % 5000 === 4999) await nc.flush();
      }
      await nc.flush();
      const deadline = Date.now() + 20_000;
      for (;;) {
        const held = (await jsm.streams.info(stream)).state.messages - before;
        if (held === messages.length) return;
        if (Date.now() > deadline) throw new Error(`stream ${stream} holds ${held} of the ${messages.length} messages published`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    /** Every message of a stream, in sequence order, as [subject, payload text, headers]. */
    async readStream(name: string): Promise<{ subject: string; data: string; seq: number; headers: Record<string, string> }[]> {
      const info = await jsm.streams.info(name);
      const out: { subject: string; data: string; seq: number; headers: Record<string, string> }[] = [];
      if (info.state.messages === 0) return out;
      const consumer = await js.consumers.get(name);
      const messages = await consumer.fetch({ max_messages: info.state.messages, expires: 5000 });
      for await (const m of messages) {
        const headers: Record<string, string> = {};
        for (const key of m.headers?.keys() ?? []) headers[key] = m.headers!.get(key);
        out.push({ subject: m.subject, data: m.string(), seq: m.seq, headers });
        if (m.info.pending === 0) break;
      }
      return out;
    },
    async close(): Promise<void> {
      for (const name of created) await jsm.streams.delete(name).catch(() => undefined);
      await nc.close();
    },
  };
}
export type TestJetStream = Awaited<ReturnType<typeof testJetStream>>;

/** Reads a split to its end, waiting on `idle`; rows, and the position after each read. */
export async function readToEnd(reader: SplitReader, batch = 1000, timeoutMs = 10_000): Promise<unknown[][]> {
  const rows: unknown[][] = [];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await reader.read(batch);
    rows.push(...result.rows);
    if (result.status === 'end') return rows;
    if (Date.now() > deadline) throw new Error(`reader ${reader.splitId} did not end within ${timeoutMs} ms (${rows.length} rows read)`);
    if (result.status === 'idle') await new Promise((resolve) => setTimeout(resolve, result.retryAfterMs ?? 10));
  }
}

/** Reads until `count` rows have come (an unbounded split), waiting on `idle`. */
export async function readRows(reader: SplitReader, count: number, batch = 1000, timeoutMs = 10_000): Promise<unknown[][]> {
  const rows: unknown[][] = [];
  const deadline = Date.now() + timeoutMs;
  while (rows.length < count) {
    const result = await reader.read(Math.min(batch, count - rows.length));
    rows.push(...result.rows);
    if (result.status === 'end') break;
    if (Date.now() > deadline) throw new Error(`reader ${reader.splitId}: ${rows.length} of ${count} rows within ${timeoutMs} ms`);
    if (result.status === 'idle') await new Promise((resolve) => setTimeout(resolve, result.retryAfterMs ?? 10));
  }
  return rows;
}

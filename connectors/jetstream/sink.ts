import type { Msg, Subscription } from '@nats-io/transport-node';
import type { StreamInfo } from '@nats-io/jetstream';
import * as z from 'zod';
import { Diagnostics } from '../../compiler/diagnostics/catalogue.js';
import type { StreamSchema } from '../../compiler/graph/job-graph.js';
import { formatDuration } from '../../compiler/config/durations.js';
import { createJsonlEncoder, type RowEncoder } from '../../runtime/connectors/formats/jsonl.js';
import type { ConnectorOptions } from '../../runtime/connectors/options.js';
import { ROW_KIND_SHORT, RowKind, type SinkContext, type SinkWriter } from '../../runtime/connectors/sink-connector.js';
import { DiagnosticError } from '../../runtime/diagnostic-error.js';
import { connectJetStream, jetStreamSettings, shownServers, streamInfo, type JetStreamConnection, type JetStreamSettings } from './connection.js';

/**
 * The `jetstream` sink. Each row is one message: its JSON (with an `op` member for upsert input) to the subject
 * of the template. `exactly-once`: rows are staged in memory and, at barrier n, handed to the runtime as one
 * committable holding them, which the checkpoint stores; when n completes they are published, each with the
 * Nats-Msg-Id `<prefix>-<index>` where the prefix names job, sink, subtask, run and checkpoint. Publishing a
 * committable again (after a crash between publish and the next checkpoint) sends the same ids, and the stream's
 * duplicate window drops what it already has. The run is part of the id because a job restored from an older
 * checkpoint numbers its next checkpoints again: without it, new rows could be dropped as old duplicates.
 * `at-least-once`: rows are published at every flush, without ids.
 *
 * Publishing sends every message of a batch with its own reply subject and counts the acknowledgements in one
 * subscription callback (no promise per message), PUBLISH_WINDOW messages in flight at most.
 */
export const StagedMessagesSchema = z.object({
  checkpointId: z.number().int().min(1),
  /** Nats-Msg-Id of message i: `${messageIds}-${i}`. */
  messageIds: z.string().min(1),
  subjects: z.array(z.string()),
  payloads: z.array(z.string()),
  /** Row kinds of upsert input (RowKind values); absent for append input. */
  kinds: z.array(z.number().int().min(0).max(3)).optional(),
});
export type StagedMessages = z.infer<typeof StagedMessagesSchema>;

/** Messages published but not yet acknowledged, at most. */
const PUBLISH_WINDOW = 4096;
/** How long a publish may wait for its acknowledgement before the task fails. */
const ACK_TIMEOUT_MS = 30_000;
export const ROW_KIND_HEADER = 'Sluice-Row-Kind';

export function createJetStreamSinkWriter(options: ConnectorOptions, schema: StreamSchema, context: SinkContext): JetStreamSinkWriter {
  const withOp = schema.changelog === 'upsert';
  return new JetStreamSinkWriter({
    connection: jetStreamSettings(options),
    subjectOf: subjectTemplate(options.string('subject'), schema, context.uid),
    subjectText: options.string('subject'),
    stream: options.has('stream') ? options.string('stream') : undefined,
    exactlyOnce: options.oneOf('sink.semantic', ['exactly-once', 'at-least-once'], 'exactly-once') === 'exactly-once',
    encode: createJsonlEncoder(schema.fields, withOp),
    withKinds: withOp,
    context,
  });
}

interface SinkSettings {
  readonly connection: JetStreamSettings;
  readonly subjectOf: (row: readonly unknown[]) => string;
  readonly subjectText: string;
  readonly stream: string | undefined;
  readonly exactlyOnce: boolean;
  readonly encode: RowEncoder;
  readonly withKinds: boolean;
  readonly context: SinkContext;
}

export class JetStreamSinkWriter implements SinkWriter<StagedMessages> {
  readonly committableSchema = StagedMessagesSchema;
  private subjects: string[] = [];
  private payloads: string[] = [];
  private kinds: number[] = [];
  private connection: JetStreamConnection | undefined;
  private publisher: Publisher | undefined;
  private readonly role: string;

  constructor(private readonly settings: SinkSettings) {
    this.role = `jetstream sink '${settings.context.uid}'`;
  }

  write(rows: readonly (readonly unknown[])[], kinds?: Uint8Array): void {
    const { encode, subjectOf, withKinds } = this.settings;
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!;
      const kind = kinds === undefined ? RowKind.INSERT : kinds[i]!;
      this.subjects.push(subjectOf(row));
      this.payloads.push(encode(row, kind));
      if (withKinds) this.kinds.push(kind);
    }
  }

  /** At-least-once publishes what was written; exactly-once keeps it staged for the next barrier. */
  async flush(): Promise<void> {
    if (this.settings.exactlyOnce || this.subjects.length === 0) return;
    const staged = this.takeStaged(0, undefined);
    await (await this.open()).publish(staged);
  }

  async preCommit(checkpointId: number): Promise<StagedMessages[]> {
    if (!this.settings.exactlyOnce) {
      await this.flush();
      return [];
    }
    if (this.subjects.length === 0) return [];
    const { jobId, uid, subtask, runId } = this.settings.context;
    return [this.takeStaged(checkpointId, `${jobId}/${uid}/${subtask}/${runId}/${checkpointId}`)];
  }

  /** Publishes each committable's messages with their ids; those the stream already has are dropped there. */
  async commit(committables: readonly StagedMessages[]): Promise<void> {
    if (committables.length === 0) return;
    const publisher = await this.open();
    for (const staged of committables) await publisher.publish(staged);
  }

  async abort(): Promise<void> {
    this.takeStaged(0, undefined);
    await this.shutdown();
  }

  async recover(committables: readonly StagedMessages[]): Promise<void> {
    await this.commit(committables);
  }

  /** Without checkpoints: publishes what is staged (ids of checkpoint 0 of this run) and disconnects. */
  async close(): Promise<void> {
    if (this.subjects.length > 0) {
      const { jobId, uid, subtask, runId } = this.settings.context;
      const staged = this.takeStaged(0, this.settings.exactlyOnce ? `${jobId}/${uid}/${subtask}/${runId}/end` : undefined);
      await (await this.open()).publish(staged);
    }
    await this.shutdown();
  }

  private takeStaged(checkpointId: number, messageIds: string | undefined): StagedMessages {
    const staged = {
      checkpointId: Math.max(1, checkpointId),
      messageIds: messageIds ?? '',
      subjects: this.subjects,
      payloads: this.payloads,
      ...(this.settings.withKinds ? { kinds: this.kinds } : {}),
    };
    this.subjects = [];
    this.payloads = [];
    this.kinds = [];
    return staged;
  }

  /** Connects on first use and checks the duplicate window of the stream that captures the subject. */
  private async open(): Promise<Publisher> {
    if (this.publisher !== undefined) return this.publisher;
    const { settings } = this;
    const stream = settings.stream ?? '(found from the subject)';
    const connection = await connectJetStream(settings.connection, this.role, stream);
    try {
      if (settings.exactlyOnce) await this.checkDuplicateWindow(connection);
    } catch (error) {
      await connection.close();
      throw error;
    }
    this.connection = connection;
    this.publisher = new Publisher(connection, this.role, settings);
    return this.publisher;
  }

  private async checkDuplicateWindow(connection: JetStreamConnection): Promise<void> {
    const { settings } = this;
    const info = await capturingStream(connection, settings.connection, this.role, settings.subjectText, settings.stream);
    const name = info.config.name;
    const windowMs = info.config.duplicate_window / 1_000_000;
    const recovery = settings.context.recovery;
    if (recovery === undefined || recovery.checkpointIntervalMs === null) return;
    const neededMs = recovery.checkpointIntervalMs + recovery.restartDelayMs;
    if (windowMs < neededMs) {
      settings.context.warn?.(
        `stream '${name}' deduplicates message ids for ${formatDuration(windowMs)}, less than the checkpoint interval plus the restart delay ` +
          `(${formatDuration(neededMs)}): after a crash, messages of the last checkpoint published before it may be published twice; ` +
          `raise the stream's duplicate_window`,
      );
    }
  }

  private async shutdown(): Promise<void> {
    const { connection } = this;
    this.connection = undefined;
    this.publisher?.stop();
    this.publisher = undefined;
    await connection?.close();
  }
}

/**
 * The stream that captures the sink's subject: 'stream' when given, else the one whose subjects match the template
 * (its placeholders stand for one token each, so '*' finds it); SLC9183 when none does.
 */
export async function capturingStream(
  connection: JetStreamConnection,
  settings: JetStreamSettings,
  role: string,
  subject: string,
  stream: string | undefined,
): Promise<StreamInfo> {
  const name = stream ?? (await connection.jsm.streams.find(subject.replace(/\{[^}]*\}/g, '*')).catch(() => undefined));
  if (name === undefined) {
    throw new DiagnosticError(Diagnostics.JetStreamPublishFailed, { role, subject, servers: shownServers(settings), reason: 'no stream captures it' });
  }
  return streamInfo(connection, settings, role, name);
}

/** Publishes batches of messages and waits for their acknowledgements through one reply subscription. */
class Publisher {
  private readonly prefix: string;
  private readonly subscription: Subscription;
  private acked = 0;
  private failure: Error | undefined;
  private wake: (() => void) | undefined;
  /** The acknowledgement count `wake` waits for. */
  private target = 0;

  constructor(
    private readonly connection: JetStreamConnection,
    private readonly role: string,
    private readonly settings: SinkSettings,
  ) {
    this.prefix = connection.inbox();
    this.subscription = connection.nc.subscribe(`${this.prefix}.*`, {
      callback: (error, message) => {
        if (error !== null) this.failure ??= error;
        else this.onAck(message);
      },
    });
  }

  async publish(staged: StagedMessages): Promise<void> {
    const { nc } = this.connection;
    const { subjects, payloads, kinds, messageIds } = staged;
    let sent = 0;
    this.acked = 0;
    while (sent < subjects.length) {
      const until = Math.min(subjects.length, this.acked + PUBLISH_WINDOW);
      for (; sent < until; sent++) {
        const headers = messageIds === '' && kinds === undefined ? undefined : this.connection.headers();
        if (messageIds !== '') headers!.set('Nats-Msg-Id', `${messageIds}-${sent}`);
        if (kinds !== undefined) headers!.set(ROW_KIND_HEADER, ROW_KIND_SHORT[kinds[sent]!]!);
        nc.publish(subjects[sent]!, payloads[sent]!, { reply: `${this.prefix}.${sent}`, ...(headers === undefined ? {} : { headers }) });
      }
      // Half the window acknowledged lets the next half go out.
      if (sent < subjects.length) await this.acknowledged(sent - PUBLISH_WINDOW / 2, subjects);
    }
    await this.acknowledged(subjects.length, subjects);
  }

  stop(): void {
    this.subscription.unsubscribe();
    this.wake?.();
  }

  /** Waits until `count` acknowledgements have come, or fails. */
  private async acknowledged(count: number, subjects: readonly string[]): Promise<void> {
    const deadline = Date.now() + ACK_TIMEOUT_MS;
    this.target = count;
    while (this.acked < count) {
      this.check();
      const left = deadline - Date.now();
      if (left <= 0) throw this.publishFailed(subjects[this.acked] ?? '', `no acknowledgement within ${formatDuration(ACK_TIMEOUT_MS)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 1000));
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
    this.check();
  }

  private check(): void {
    if (this.failure !== undefined) throw this.failure;
    const lost = this.connection.lost();
    if (lost !== undefined) throw lost;
  }

  /** An acknowledgement (`{"stream":…,"seq":…}`), a refusal (`{"error":…}`) or 503: no stream captures the subject. */
  private onAck(message: Msg): void {
    const index = Number(message.subject.slice(this.prefix.length + 1));
    const code = message.headers?.code ?? 0;
    if (code === 503) {
      this.failure ??= this.publishFailed(`#${index}`, 'no stream captures the subject');
    } else {
      const ack = message.json<{ error?: { description?: string } }>();
      if (ack.error !== undefined) this.failure ??= this.publishFailed(`#${index}`, ack.error.description ?? JSON.stringify(ack.error));
    }
    this.acked++;
    if (this.failure !== undefined || this.acked >= this.target) this.wake?.();
  }

  private publishFailed(subject: string, reason: string): DiagnosticError {
    return new DiagnosticError(Diagnostics.JetStreamPublishFailed, { role: this.role, subject, servers: shownServers(this.settings.connection), reason });
  }
}

/**
 * The subject of a row: the template's text with each `{column}` replaced by the column's value (a TIMESTAMP as
 * epoch milliseconds). A value that would
 * change the subject's tokens (NULL, empty, with '.', whitespace, '*' or '>') fails the row.
 */
export function subjectTemplate(template: string, schema: StreamSchema, uid: string): (row: readonly unknown[]) => string {
  const parts = template.split(/\{([^}]*)\}/);
  if (parts.length === 1) return () => template;
  const names = schema.fields.map((f) => f.name);
  const pieces: (string | number)[] = parts.map((part, i) => {
    if (i % 2 === 0) return part;
    const index = names.indexOf(part);
    if (index === -1) {
      throw new Error(`jetstream sink '${uid}': the subject '${template}' refers to column '${part}', which its input does not have (its columns: ${names.join(', ')})`);
    }
    return index;
  });
  return (row) => {
    let subject = '';
    for (const piece of pieces) {
      if (typeof piece === 'string') {
        subject += piece;
        continue;
      }
      const value = row[piece];
      const text = value === null || value === undefined ? '' : String(value);
      if (text === '' || /[\s.*>]/.test(text)) {
        throw new Error(
          `jetstream sink '${uid}': column '${names[piece]}' is ${value === null || value === undefined ? 'NULL' : JSON.stringify(text)}, which cannot be a token of the subject '${template}'`,
        );
      }
      subject += text;
    }
    return subject;
  };
}

import type { Msg, Subscription } from '@nats-io/transport-node';
import type { StreamSchema } from '../../compiler/graph/job-graph.js';
import type { Field } from '../../compiler/types/sql-type.js';
import { createCsvDecoder } from '../../runtime/connectors/formats/csv.js';
import { createJsonlDecoder } from '../../runtime/connectors/formats/jsonl.js';
import { RowFormatError } from '../../runtime/connectors/formats/row-error.js';
import type { ConnectorOptions } from '../../runtime/connectors/options.js';
import type { ReadResult, SourceConnector, SplitDescriptor, SplitPosition, SplitReader } from '../../runtime/connectors/source-connector.js';
import { connectJetStream, jetStreamSettings, shownServers, streamInfo, type JetStreamConnection, type JetStreamSettings } from './connection.js';
import { DiagnosticError } from '../../runtime/diagnostic-error.js';
import { Diagnostics } from '../../compiler/diagnostics/catalogue.js';
import { metadataColumns, type MetadataKey } from './metadata.js';

/**
 * The `jetstream` source. A split is one subject filter of the stream ('subject-partitions', else 'subject', else
 * the whole stream); its position is the stream sequence of the last message handed to the operator, so a
 * restored reader starts right after it: nothing twice, nothing skipped.
 *
 * Reading uses a private ephemeral pull consumer per split with `ack_policy: none`, created at the position and
 * deleted at close (and by the server after `inactive_threshold` when a crash leaves it behind): the server
 * keeps no acknowledged position that could disagree with the checkpoint. One pull of up to PULL_BATCH messages is
 * outstanding at a time, asked for when fewer than that wait in the buffer; messages arrive through a
 * subscription callback into the buffer, and `readSync` decodes a batch from it — no promise per message.
 * A gap in the consumer's sequence (messages dropped by the client) fails the task rather than skip data.
 *
 * A pull that is never answered (no message, no 408 after its expiry; seen in the chaos tests against nats-server
 * 2.9.10 about once in 20–45 runs, cause not found; a request lost on the way looks the same) would leave the split
 * waiting forever. After PULL_EXPIRES_MS + PULL_SILENCE_GRACE_MS of silence the reader replaces its consumer: a new
 * consumer starting right after the last message received, on a new inbox, the old one deleted. Nothing the old
 * consumer still sends can reach the reader, so the replacement neither repeats nor skips a message (asking the old
 * consumer again could: its late answer, a 408 among them, would mix with the new pull's and end a bounded split
 * early).
 */
export interface JetStreamSplit extends SplitDescriptor {
  /** Subject filter; null: the whole stream. */
  readonly filter: string | null;
  /** 'latest-offset' startup: the first sequence after the stream's last message when the job first started. */
  readonly startSequence?: number;
  /** 'scan.bounded.mode' = 'latest-offset': the stream's last sequence when the job first started. */
  readonly endSequence?: number;
}

export interface JetStreamPosition extends SplitPosition {
  /** Stream sequence of the last message handed out (read or skipped as unparsable); absent before the first. */
  readonly sequence?: number;
}

type Startup =
  | { readonly mode: 'earliest-offset' }
  | { readonly mode: 'latest-offset' }
  | { readonly mode: 'timestamp'; readonly millis: number }
  | { readonly mode: 'specific-offsets'; readonly sequence: number };

interface SourceSettings {
  readonly connection: JetStreamSettings;
  readonly stream: string;
  readonly startup: Startup;
  readonly bounded: boolean;
  readonly fields: readonly Field[];
  /** Per field of the schema, the message metadata it holds; undefined for payload fields. */
  readonly metadata: readonly (MetadataKey | undefined)[];
  readonly hasMetadata: boolean;
  readonly needsTimestamp: boolean;
  readonly decode: (text: string, sequence: number) => unknown[];
  readonly ignoreParseErrors: boolean;
  /** How long a reader with nothing buffered waits before it is asked again. */
  readonly pollMs: number;
}

/** Messages asked of the server per pull; also the buffer's refill mark. */
const PULL_BATCH = 2048;
/** A pull that stays unanswered this long expires (the server answers 408) and the next read asks again. */
const PULL_EXPIRES_MS = 5_000;
/** Silence beyond a pull's expiry after which its answer is taken as lost (see the class comment). */
const PULL_SILENCE_GRACE_MS = 2_000;
/** How long the server keeps the consumer of a reader that vanished (a killed process). */
const CONSUMER_INACTIVE_MS = 60_000;

export function createJetStreamSource(options: ConnectorOptions, schema: StreamSchema): SourceConnector {
  const stream = options.string('stream');
  const format = options.oneOf('format', ['json', 'csv', 'raw'], 'json');
  const metadata = metadataColumns(options, schema.fields);
  const payloadFields = schema.fields.filter((_, i) => metadata[i] === undefined);
  const label = `jetstream stream '${stream}' sequence`;
  let decode: (text: string, sequence: number) => unknown[];
  if (format === 'raw') {
    decode = (text) => [text];
  } else if (format === 'csv') {
    const decoder = createCsvDecoder(payloadFields, { delimiter: options.string('csv.field-delimiter', ',') }, label);
    decode = (text, sequence) => decoder.decode(text, sequence);
  } else {
    const decoder = createJsonlDecoder(payloadFields, label);
    decode = (text, sequence) => decoder.decode(text, sequence);
  }
  const mode = options.oneOf('scan.startup.mode', ['earliest-offset', 'latest-offset', 'timestamp', 'specific-offsets'], 'earliest-offset');
  const startup: Startup =
    mode === 'timestamp'
      ? { mode, millis: options.count('scan.startup.timestamp-millis') }
      : mode === 'specific-offsets'
        ? { mode, sequence: options.count('scan.startup.specific-offset') }
        : { mode };
  const settings: SourceSettings = {
    connection: jetStreamSettings(options),
    stream,
    startup,
    bounded: options.oneOf('scan.bounded.mode', ['unbounded', 'latest-offset'], 'unbounded') === 'latest-offset',
    fields: schema.fields,
    metadata,
    hasMetadata: metadata.some((m) => m !== undefined),
    needsTimestamp: metadata.includes('timestamp'),
    decode,
    ignoreParseErrors: options.boolean('format.ignore-parse-errors', false),
    pollMs: 10,
  };
  const filters = options.has('subject-partitions')
    ? options
        .string('subject-partitions')
        .split(',')
        .map((s) => s.trim())
    : [options.has('subject') ? options.string('subject') : null];
  return {
    bounded: settings.bounded,
    // Resolved once, when the job first starts, and kept in the checkpointed split: a restore keeps the bounds.
    enumerateSplits: async () => {
      const connection = await connectJetStream(settings.connection, `jetstream source '${stream}'`, stream);
      try {
        const info = await streamInfo(connection, settings.connection, `jetstream source '${stream}'`, stream);
        const last = info.state.last_seq;
        return filters.map((filter) => ({
          id: filter ?? '>',
          filter,
          ...(startup.mode === 'latest-offset' ? { startSequence: last + 1 } : {}),
          ...(settings.bounded ? { endSequence: last } : {}),
        }));
      } finally {
        await connection.close();
      }
    },
    createReader: (split, position) => new JetStreamSplitReader(split as JetStreamSplit, settings, position as JetStreamPosition | undefined),
  };
}

export class JetStreamSplitReader implements SplitReader {
  readonly splitId: string;
  skippedRows = 0;
  /** Consumers replaced after a pull went unanswered (see the class comment). */
  consumersReplaced = 0;
  private readonly role: string;
  private connection: JetStreamConnection | undefined;
  private subscription: Subscription | undefined;
  private consumer: string | undefined;
  /** Messages received, not yet handed out, with their stream sequences and publish times (ms); `head` is the first unread one. */
  private buffer: Msg[] = [];
  private sequences: number[] = [];
  private timestamps: number[] = [];
  private head = 0;
  /** Messages still to come for the outstanding pull; 0: none outstanding. */
  private outstanding = 0;
  /** Consumer sequence of the last message received. */
  private consumerSequence = 0;
  /** Stream sequence of the last message received (buffered or handed out): where a replacement consumer starts. */
  private receivedSequence: number | undefined;
  /** When the outstanding pull was sent or last answered (ms, performance.now()). */
  private heardAt = 0;
  /** A replacement consumer is being created. */
  private replacing = false;
  /** Stream sequence of the last message handed out. */
  private sequence: number | undefined;
  /** The split has no message left within its bound. */
  private ended = false;
  private failure: Error | undefined;
  private readonly textDecoder = new TextDecoder('utf-8', { fatal: true });

  constructor(
    private readonly split: JetStreamSplit,
    private readonly settings: SourceSettings,
    position?: JetStreamPosition,
  ) {
    this.splitId = split.id;
    this.sequence = position?.sequence;
    this.role = `jetstream source '${settings.stream}' split '${split.id}'`;
    if (split.endSequence !== undefined && (this.sequence ?? 0) >= split.endSequence) this.ended = true;
  }

  read(maxRows: number): Promise<ReadResult> {
    const result = this.readSync(maxRows);
    return result !== undefined ? Promise.resolve(result) : this.open().then(() => this.readSync(maxRows)!);
  }

  /** Undefined until the reader is connected (`read` connects). */
  readSync(maxRows: number): ReadResult | undefined {
    if (this.ended && this.head === this.buffer.length) return { rows: [], status: 'end' };
    if (this.connection === undefined) return undefined;
    if (this.failure !== undefined) throw this.failure;
    const lost = this.connection.lost();
    if (lost !== undefined) throw lost;
    if (this.outstanding > 0 && !this.ended && performance.now() - this.heardAt > PULL_EXPIRES_MS + PULL_SILENCE_GRACE_MS) this.replaceConsumer();
    const rows: unknown[][] = [];
    const { buffer } = this;
    while (rows.length < maxRows && this.head < buffer.length) {
      const i = this.head++;
      const row = this.decode(buffer[i]!, this.sequences[i]!, this.timestamps[i]!);
      this.sequence = this.sequences[i]!;
      if (row !== undefined) rows.push(row);
    }
    if (this.head === buffer.length) {
      this.buffer = [];
      this.sequences = [];
      this.timestamps = [];
      this.head = 0;
    }
    if (this.ended && this.head === this.buffer.length) return { rows, status: 'end' };
    if (this.buffer.length - this.head < PULL_BATCH && this.outstanding === 0 && !this.replacing) this.pull();
    return rows.length > 0 ? { rows, status: 'more' } : { rows, status: 'idle', retryAfterMs: this.settings.pollMs };
  }

  position(): JetStreamPosition {
    return this.sequence === undefined ? {} : { sequence: this.sequence };
  }

  async close(): Promise<void> {
    const { connection, consumer } = this;
    this.connection = undefined;
    if (connection === undefined) return;
    this.subscription?.unsubscribe();
    if (consumer !== undefined && connection.lost() === undefined) {
      await connection.jsm.consumers.delete(this.settings.stream, consumer).catch(() => undefined);
    }
    await connection.close();
  }

  private decode(message: Msg, sequence: number, timestamp: number): unknown[] | undefined {
    const { settings } = this;
    try {
      let text: string;
      try {
        text = this.textDecoder.decode(message.data);
      } catch {
        throw new RowFormatError('', sequence, undefined, 'the payload is not valid UTF-8');
      }
      const payload = settings.decode(text, sequence);
      return settings.hasMetadata ? this.withMetadata(payload, message, sequence, timestamp) : payload;
    } catch (error) {
      if (!(error instanceof RowFormatError)) throw error;
      if (settings.ignoreParseErrors) {
        this.skippedRows++;
        return undefined;
      }
      // Named here rather than by the decoder, which is shared by all subjects of the split.
      throw new RowFormatError(`jetstream stream '${settings.stream}' subject '${message.subject}' sequence`, sequence, error.field, error.problem, error.column);
    }
  }

  /** The schema's row: payload fields in order, metadata fields filled from the message. */
  private withMetadata(payload: unknown[], message: Msg, sequence: number, timestamp: number): unknown[] {
    const { metadata } = this.settings;
    const row = new Array<unknown>(metadata.length);
    let next = 0;
    for (let i = 0; i < metadata.length; i++) {
      const key = metadata[i];
      row[i] = key === undefined ? payload[next++] : key === 'subject' ? message.subject : key === 'sequence' ? sequence : timestamp;
    }
    return row;
  }

  /** Connects and creates the consumer at the position; fails naming server and stream when either is missing. */
  private async open(): Promise<void> {
    const { settings } = this;
    const connection = await connectJetStream(settings.connection, this.role, settings.stream);
    try {
      await streamInfo(connection, settings.connection, this.role, settings.stream);
      await this.createConsumer(connection);
    } catch (error) {
      await connection.close();
      throw error;
    }
    this.connection = connection;
  }

  /** A consumer starting right after the last message received (else at the startup position), and its inbox. */
  private async createConsumer(connection: JetStreamConnection): Promise<void> {
    const { settings, split } = this;
    const after = this.receivedSequence ?? this.sequence;
    const start: Record<string, unknown> =
      after !== undefined
        ? { deliver_policy: 'by_start_sequence', opt_start_seq: after + 1 }
        : settings.startup.mode === 'latest-offset'
          ? { deliver_policy: 'by_start_sequence', opt_start_seq: split.startSequence ?? 1 }
          : settings.startup.mode === 'timestamp'
            ? { deliver_policy: 'by_start_time', opt_start_time: new Date(settings.startup.millis).toISOString() }
            : settings.startup.mode === 'specific-offsets'
              ? { deliver_policy: 'by_start_sequence', opt_start_seq: Math.max(1, settings.startup.sequence) }
              : { deliver_policy: 'all' };
    const info = await connection.jsm.consumers.add(settings.stream, {
      ...start,
      ack_policy: 'none',
      ...(split.filter === null ? {} : { filter_subject: split.filter }),
      inactive_threshold: CONSUMER_INACTIVE_MS * 1_000_000,
      mem_storage: true,
      num_replicas: 1,
    } as Parameters<typeof connection.jsm.consumers.add>[1]);
    this.consumer = info.name;
    this.consumerSequence = 0;
    if (split.endSequence !== undefined && info.num_pending === 0) this.ended = true;
    this.subscription = connection.nc.subscribe(connection.inbox(), {
      callback: (error, message) => {
        if (error === null) this.receive(message);
        else this.failure ??= error;
      },
    });
  }

  /** The outstanding pull went unanswered: a new consumer and inbox take over (see the class comment). */
  private replaceConsumer(): void {
    const connection = this.connection!;
    const old = this.consumer;
    this.subscription?.unsubscribe();
    this.subscription = undefined;
    this.consumer = undefined;
    this.outstanding = 0;
    this.replacing = true;
    this.consumersReplaced++;
    process.emitWarning(
      `${this.role}: no answer to a pull within ${(PULL_EXPIRES_MS + PULL_SILENCE_GRACE_MS) / 1000} s; reading on with a new consumer after stream sequence ${this.receivedSequence ?? this.sequence ?? 'none'}`,
      'SluiceWarning',
    );
    const deleteOld = old === undefined ? Promise.resolve() : connection.jsm.consumers.delete(this.settings.stream, old).then(
      () => undefined,
      () => undefined,
    );
    void deleteOld
      .then(() => this.createConsumer(connection))
      .then(
        () => {
          this.replacing = false;
        },
        (error: unknown) => {
          this.failure ??= error instanceof Error ? error : new Error(String(error));
        },
      );
  }

  private pull(): void {
    const { connection, consumer } = this;
    if (connection === undefined || consumer === undefined || this.ended) return;
    this.outstanding = PULL_BATCH;
    this.heardAt = performance.now();
    connection.nc.publish(
      `$JS.API.CONSUMER.MSG.NEXT.${this.settings.stream}.${consumer}`,
      // Bounded: every message up to the bound existed when the job first started, so a pull that finds nothing more
      // (no_wait answers 404 or 408 at once) means the split is done.
      JSON.stringify({ batch: PULL_BATCH, expires: PULL_EXPIRES_MS * 1_000_000, ...(this.split.endSequence === undefined ? {} : { no_wait: true }) }),
      { reply: this.subscription!.getSubject() },
    );
  }

  /** A message or a status of the pull (408: expired, 409: the server ended it); runs in the client's callback. */
  private receive(message: Msg): void {
    this.heardAt = performance.now();
    if (message.reply === undefined || message.reply === '') {
      const code = message.headers?.code ?? 0;
      if (code === 404 || code === 408 || code === 409) this.outstanding = 0;
      if ((code === 404 || code === 408) && this.split.endSequence !== undefined) this.ended = true;
      if (code === 409 && /deleted/i.test(message.headers!.description)) {
        this.failure ??= new DiagnosticError(Diagnostics.JetStreamConnectionLost, {
          role: this.role,
          servers: shownServers(this.settings.connection),
          stream: this.settings.stream,
          reason: `the server ended the read: ${message.headers!.description}`,
        });
      }
      return;
    }
    this.outstanding = Math.max(0, this.outstanding - 1);
    if (this.ended) return;
    const tokens = message.reply.split('.');
    // v1: $JS.ACK.<stream>.<consumer>.<delivered>.<stream seq>.<consumer seq>.<ns>.<pending>; newer servers add
    // <domain>.<account hash> after ACK and a token at the end.
    const at = tokens.length === 9 ? 5 : 7;
    const sequence = Number(tokens[at]);
    const consumerSequence = Number(tokens[at + 1]);
    if (consumerSequence !== this.consumerSequence + 1) {
      this.failure ??= new Error(
        `${this.role}: message ${consumerSequence} of the reader's consumer arrived after ${this.consumerSequence}: messages were dropped on the way (a slow client?); the task restarts from its checkpoint`,
      );
      return;
    }
    this.consumerSequence = consumerSequence;
    this.receivedSequence = sequence;
    const end = this.split.endSequence;
    if (end !== undefined && sequence > end) {
      this.ended = true;
      return;
    }
    this.buffer.push(message);
    this.sequences.push(sequence);
    this.timestamps.push(this.settings.needsTimestamp ? Number(tokens[at + 2]!.slice(0, -6)) : 0);
    if (end !== undefined && (sequence === end || tokens[at + 3] === '0')) this.ended = true;
  }
}

import { booleanType, characterType, durationType, enumType, integerType, nonEmptyStringType } from '../../compiler/config/value-types.js';
import {
  option,
  warnUnlessOptionIs,
  type ConnectorContext,
  type ConnectorDefinition,
  type MetadataDefinition,
  type OptionDefinition,
} from '../../compiler/connectors/connector-definition.js';
import { BIGINT, STRING, TIMESTAMP3 } from '../../compiler/types/sql-type.js';
import { Diagnostics } from '../../compiler/diagnostics/catalogue.js';

/**
 * The `jetstream` connector's option tables and compile-time checks (compiler-side data: no driver, no runtime
 * code). Connection options follow the networked connectors' convention: 'servers', credentials as options or
 * environment variables, never printed.
 */
const connectionOptions: OptionDefinition[] = [
  option('servers', nonEmptyStringType, "NATS server URLs, comma-separated (e.g. 'nats://127.0.0.1:4222').", { required: true }),
  option('user', nonEmptyStringType, 'User name; default: the environment variable SLUICE_NATS_USER.'),
  option('password', nonEmptyStringType, 'Password; default: the environment variable SLUICE_NATS_PASSWORD. Never printed.', { secret: true }),
  option('token', nonEmptyStringType, 'Authentication token; default: the environment variable SLUICE_NATS_TOKEN. Never printed.', { secret: true }),
  option('connect.timeout', durationType(1), 'How long to wait for a server to answer when connecting.', { default: 5_000 }),
];

/** What `METADATA FROM '<key>'` columns of a jetstream source can hold (the runtime fills them: metadata.ts). */
export const JETSTREAM_METADATA = [
  { key: 'subject', type: STRING, description: 'the subject the message was published to' },
  { key: 'sequence', type: BIGINT, description: 'its stream sequence' },
  { key: 'timestamp', type: TIMESTAMP3, description: 'when the server stored it (its publish time)' },
] as const satisfies readonly MetadataDefinition[];
export type MetadataKey = (typeof JETSTREAM_METADATA)[number]['key'];

const STARTUP_MODES = ['earliest-offset', 'latest-offset', 'timestamp', 'specific-offsets'] as const;

export const jetStreamSource: ConnectorDefinition = {
  name: 'jetstream',
  aliases: ['nats'],
  description:
    'Reads the messages of a NATS JetStream stream, one split per subject partition. Its position is the stream sequence, recorded at every checkpoint.',
  options: [
    ...connectionOptions,
    option('stream', nonEmptyStringType, 'The JetStream stream to read.', { required: true }),
    option('subject', nonEmptyStringType, "A subject filter within the stream (wildcards allowed, e.g. 'bids.>'); default: the whole stream."),
    option(
      'subject-partitions',
      nonEmptyStringType,
      "Comma-separated subject filters, one split each (e.g. 'bids.0.>,bids.1.>'), read in parallel; replaces 'subject'.",
    ),
    option('format', enumType(['json', 'csv', 'raw'], { jsonl: 'json' }), "Payload format: a JSON object, a csv record (by position), or 'raw': the payload as the one STRING column.", {
      default: 'json',
    }),
    option('scan.startup.mode', enumType(STARTUP_MODES), 'Where a job that starts from scratch begins reading (a restored job resumes at its checkpoint).', {
      default: 'earliest-offset',
    }),
    option('scan.startup.timestamp-millis', integerType(0), "'timestamp' startup: the first message stored at or after this time (epoch milliseconds)."),
    option('scan.startup.specific-offset', integerType(1), "'specific-offsets' startup: the first stream sequence read."),
    option(
      'scan.bounded.mode',
      enumType(['unbounded', 'latest-offset']),
      "'latest-offset' stops at the last message the stream held when the job first started (a bounded job); 'unbounded' reads on.",
      { default: 'unbounded' },
    ),
    option('format.ignore-parse-errors', booleanType, 'Skip and count messages whose payload cannot be parsed instead of failing the job.', {
      default: false,
      aliases: ['json.ignore-parse-errors', 'csv.ignore-parse-errors'],
    }),
    option('csv.field-delimiter', characterType, 'Field separator of csv payloads.', { default: ',' }),
  ],
  // Positions are stream sequences: another stream's sequences are other messages.
  identityOptions: ['stream'],
  metadata: JETSTREAM_METADATA,
  notes: [
    'Exactly-once reading: each split reads through its own ephemeral pull consumer without acknowledgements (created at ' +
      'the checkpointed sequence + 1, deleted when the reader closes, and by the server a minute after a crash). The ' +
      'server keeps no read position of its own that could disagree with the checkpoint. Messages are fetched in batches ' +
      'of up to 2048; a split with nothing to read is idle after a second and does not hold back the watermark.',
    "Message metadata as columns: declare `ts TIMESTAMP(3) METADATA FROM 'timestamp'` (the time the server stored the " +
      "message), `subj STRING METADATA FROM 'subject'`, `seq BIGINT METADATA FROM 'sequence'` (the stream sequence); " +
      "`METADATA` alone takes the column's name as the key. Metadata columns are not read from the payload.",
    'Bad payloads (not valid UTF-8, not a JSON object, a field of the wrong type) fail the job naming the stream, ' +
      "subject and sequence, or with 'format.ignore-parse-errors' are skipped and counted; either way the position " +
      'moves past them.',
    'A missing stream (SLC9181) or a server that does not answer (SLC9180) fails the job at start, naming the servers ' +
      '(credentials hidden) and the stream. A connection lost mid-run (SLC9182) fails the task; the restart strategy ' +
      'restores the last checkpoint and, once the server is back, reading resumes right after the recorded sequences.',
  ],
  check: (context) => {
    const mode = context.options['scan.startup.mode'];
    requireForStartup(context, mode, 'timestamp', 'scan.startup.timestamp-millis');
    requireForStartup(context, mode, 'specific-offsets', 'scan.startup.specific-offset');
    warnUnlessOptionIs(context, 'scan.startup.timestamp-millis', 'scan.startup.mode', 'timestamp');
    warnUnlessOptionIs(context, 'scan.startup.specific-offset', 'scan.startup.mode', 'specific-offsets');
    warnUnlessOptionIs(context, 'csv.field-delimiter', 'format', 'csv');
    const partitions = context.entry('subject-partitions');
    if (partitions !== undefined && context.entry('subject') !== undefined) {
      context.bag.report(Diagnostics.JetStreamSubjectAndPartitions, partitions.key.span, {});
    }
    if (context.options['format'] === 'raw') {
      const metadata = new Set(context.columnDefs.filter((d) => d.metadata !== undefined).map((d) => d.name.name));
      const payload = context.columns.filter((c) => !metadata.has(c.name));
      if (payload.length !== 1 || payload[0]!.type.name !== 'STRING') {
        context.bag.report(Diagnostics.JetStreamRawNeedsOneString, context.entry('format')!.value.span, { name: context.name.name });
      }
    }
  },
};

export const jetStreamSink: ConnectorDefinition = {
  name: 'jetstream',
  aliases: ['nats'],
  description:
    'Publishes each row as a JSON message to a JetStream subject; exactly-once publishes the rows of a checkpoint when it completes, with deterministic message ids.',
  options: [
    ...connectionOptions,
    option('subject', nonEmptyStringType, "The subject; '{column}' placeholders take a column's value (e.g. 'alerts.{bidder}').", { required: true }),
    option('format', enumType(['json'], { jsonl: 'json' }), 'Payload format: one JSON object per message.', { default: 'json' }),
    option(
      'sink.semantic',
      enumType(['exactly-once', 'at-least-once'], { exactly_once: 'exactly-once', at_least_once: 'at-least-once' }),
      "'exactly-once' stages a checkpoint's rows in the checkpoint and publishes them when it completes, each with a Nats-Msg-Id the stream deduplicates; 'at-least-once' publishes at once.",
      { default: 'exactly-once' },
    ),
    option('stream', nonEmptyStringType, 'The stream that captures the subject, to check its duplicate window at start; default: found from the subject.'),
  ],
  // Exactly-once stages each checkpoint's messages in the `pending-commits` state until the checkpoint completes.
  twoPhaseCommit: (options) => options['sink.semantic'] === 'exactly-once',
  notes: [
    'Exactly-once: rows written between checkpoint n-1 and n are staged in the sink\'s operator state at barrier n ' +
      "(so they are as durable as the checkpoint) and published when checkpoint n completes, each with the header " +
      'Nats-Msg-Id = <job>/<sink uid>/<subtask>/<run>/<checkpoint>-<index>. A crash after some of them were published ' +
      'restores checkpoint n and publishes them again with the same ids, and the stream drops them as duplicates. That ' +
      "holds within the stream's duplicate window (`duplicate_window`, 2 minutes by default): when the job comes back " +
      'later than that after the crash, the messages of that checkpoint published before it are published a second ' +
      'time. At start the sink compares the window with the ' +
      'checkpoint interval plus the restart delay and warns (a job warning) when it is shorter. The staged rows make ' +
      'checkpoints larger by the output between two checkpoints.',
    "Updating (upsert) input: each message gets an `op` member (`+I`, `-U`, `+U`, `-D`) like the file sink's, and the " +
      "header Sluice-Row-Kind with the same value. Subjects with placeholders take the column's text; a NULL, empty or " +
      "dotted value fails the row (it would change the subject's tokens).",
    'A publish the server refuses (no stream captures the subject, a limit reached) fails the task with SLC9183; the ' +
      'rows are published again after the restart, each once.',
  ],
};

function requireForStartup(context: ConnectorContext, mode: string | undefined, needed: string, key: string): void {
  if (mode !== needed || context.entry(key) !== undefined) return;
  context.bag.report(Diagnostics.JetStreamStartupNeedsOption, context.entry('scan.startup.mode')!.value.span, { mode, key });
}

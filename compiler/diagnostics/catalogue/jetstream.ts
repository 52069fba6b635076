import type { DiagnosticDefinition } from '../diagnostic.js';

/**
 * SLC4040–SLC4049: the jetstream connector's options, and METADATA columns of any connector (jetstream is the
 * first with metadata), checked when a job is compiled.
 * SLC9180–SLC9189: the JetStream connector's server, stream and publishes (connectors/jetstream/). Raised while
 * a job starts or runs; a task that fails with one of them is restarted as the restart strategy says, so a
 * server that comes back is picked up again from the last checkpoint. `{servers}` never shows credentials.
 */
export const jetStreamDiagnostics = {
  JetStreamStartupNeedsOption: {
    code: 'SLC4040',
    severity: 'error',
    message: "'scan.startup.mode' = '{mode}' needs the option '{key}'",
    help: "add '{key}' = '…', or choose another 'scan.startup.mode'",
  },
  JetStreamSubjectAndPartitions: {
    code: 'SLC4041',
    severity: 'error',
    message: "'subject-partitions' and 'subject' are both given",
    help: "keep one: 'subject-partitions' lists the subject filters read in parallel and replaces 'subject'",
  },
  MetadataNotOffered: {
    code: 'SLC4043',
    severity: 'error',
    message: "column '{column}' is declared METADATA, but the {role} connector '{connector}' offers no metadata",
    help: 'remove METADATA from the column (only source connectors that list metadata keys, such as jetstream, fill such columns)',
  },
  UnknownMetadataKey: {
    code: 'SLC4044',
    severity: 'error',
    message: "the '{connector}' connector has no metadata '{key}' (column '{column}')",
    help: "{suggestion}its metadata keys are: {accepted}; write METADATA FROM '<key>' when the column has another name",
  },
  MetadataColumnType: {
    code: 'SLC4045',
    severity: 'error',
    message: "column '{column}' holds the metadata '{key}', which is {expected}, not {actual}",
    help: "declare it as '{column} {expected} METADATA{from}'",
  },
  JetStreamRawNeedsOneString: {
    code: 'SLC4042',
    severity: 'error',
    message: "source '{name}' reads 'raw' payloads, which need exactly one STRING column besides METADATA columns",
    help: "declare one STRING column for the payload, or use 'format' = 'json' or 'csv'",
  },
  JetStreamUnreachable: {
    code: 'SLC9180',
    severity: 'error',
    message: "{role}: cannot reach JetStream at {servers} for stream '{stream}': {reason}",
    help: "check that nats-server runs there with JetStream enabled (nats-server -js), and the 'servers' option and credentials",
  },
  JetStreamStreamMissing: {
    code: 'SLC9181',
    severity: 'error',
    message: "{role}: JetStream at {servers} has no stream '{stream}'",
    help: "create the stream first (e.g. nats stream add {stream}), or fix the 'stream' option (stream names are case-sensitive)",
  },
  JetStreamConnectionLost: {
    code: 'SLC9182',
    severity: 'error',
    message: "{role}: the connection to JetStream at {servers} (stream '{stream}') was lost: {reason}",
    help: 'the task fails and the restart strategy restores the last checkpoint; once the server is back the job goes on exactly where that checkpoint left it',
  },
  JetStreamPublishFailed: {
    code: 'SLC9183',
    severity: 'error',
    message: "{role}: publishing to subject '{subject}' at {servers} failed: {reason}",
    help: "check that a stream captures the subject (its 'subjects') and accepts the message (limits, permissions); nothing after the last completed checkpoint is lost: it is published again after the restart",
  },
} as const satisfies Record<string, DiagnosticDefinition>;

import type { StreamSchema } from '../../compiler/graph/job-graph.js';
import type { ConnectorOptions } from './options.js';
import type { SinkContext, SinkEnvironment, SinkWriter } from './sink-connector.js';
import type { SourceConnector, SourceContext } from './source-connector.js';

/**
 * What the runtime loads of a connector (`connectors/<name>/runtime.ts`): its factories, and a start-up hook.
 * Loaded lazily when a job opens the connector (connectors/runtime-registry.ts), so a client driver is imported
 * only by jobs that use it; the factories themselves are synchronous, called while tasks are built.
 */
export interface ConnectorRuntime {
  createSource?(options: ConnectorOptions, schema: StreamSchema, context: SourceContext): SourceConnector;
  createSinkWriter?(options: ConnectorOptions, schema: StreamSchema, context: SinkContext, environment: SinkEnvironment): SinkWriter;
  /**
   * Called once per source or sink operator when the job starts, before any task is built or any row read:
   * checks that the external system is reachable and matches the declaration (a stream exists, a table has the
   * declared columns) and throws an Error that names the server and object otherwise — never with a credential.
   */
  prepare?(opening: ConnectorOpening): Promise<void>;
  /**
   * `sluice connector cleanup`: removes what the connector keeps on the external system for a job between runs (a
   * replication slot, which otherwise holds the server's WAL) and returns one line per thing removed. Throws a
   * DiagnosticError when it must not (the job is running).
   */
  cleanup?(opening: ConnectorOpening): Promise<string[]>;
}

/** A source or sink operator that opens a connector, as `prepare` sees it. */
export interface ConnectorOpening {
  readonly role: 'source' | 'sink';
  readonly jobId: string;
  /** The operator's uid (or generated id). */
  readonly uid: string;
  readonly options: ConnectorOptions;
  /** The source's output schema, or the sink's input schema. */
  readonly schema: StreamSchema;
  readonly parallelism: number;
  /** The source's or sink's `PRIMARY KEY (…) NOT ENFORCED` columns, when declared. */
  readonly primaryKey?: readonly string[];
}

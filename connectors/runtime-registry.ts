import type { JobGraph, OperatorSpec, StreamSchema } from '../compiler/graph/job-graph.js';
import type { ConnectorOpening, ConnectorRuntime } from '../runtime/connectors/connector-runtime.js';
import { ConnectorOptions } from '../runtime/connectors/options.js';
import type { SinkContext, SinkEnvironment, SinkWriter } from '../runtime/connectors/sink-connector.js';
import type { SourceConnector, SourceContext } from '../runtime/connectors/source-connector.js';

/**
 * Connector name (canonical, as in the job graph) → its runtime module, imported on first use: a job loads only
 * the connectors it opens, so a client driver (`nats`, `pg`) is never loaded by `sluice compile` or by jobs that do
 * not use it. Adding a connector is one line here and one in definitions.ts.
 */
const RUNTIME_MODULES: Readonly<Record<string, () => Promise<{ readonly runtime: ConnectorRuntime }>>> = {
  file: () => import('./file/runtime.js'),
  datagen: () => import('./datagen/runtime.js'),
  nexmark: () => import('./nexmark/runtime.js'),
  print: () => import('./print/runtime.js'),
  blackhole: () => import('./blackhole/runtime.js'),
  jetstream: () => import('./jetstream/runtime.js'),
  postgres: () => import('./postgres/runtime.js'),
  'postgres-cdc': () => import('./postgres-cdc/runtime.js'),
};

/** The parts of a source/sink operator spec (job-graph.ts) a connector needs. */
export type SourceSpec = Pick<Extract<OperatorSpec, { kind: 'source' }>, 'connector' | 'options' | 'primaryKey'>;
export type SinkSpec = Pick<Extract<OperatorSpec, { kind: 'sink' }>, 'connector' | 'options' | 'primaryKey'>;

/** The runtimes of the connectors a job opens, loaded before its tasks are built. */
export class ConnectorRuntimes {
  private constructor(private readonly loaded: ReadonlyMap<string, ConnectorRuntime>) {}

  /** Loads the runtime of every connector in `names` (unknown names are an Error: the graph was validated). */
  static async load(names: Iterable<string>): Promise<ConnectorRuntimes> {
    const unique = [...new Set(names)];
    const modules = await Promise.all(unique.map((name) => moduleOf(name)()));
    return new ConnectorRuntimes(new Map(unique.map((name, i) => [name, modules[i]!.runtime])));
  }

  /**
   * Loads the connectors of `graph`'s source and sink operators and runs their start-up checks
   * (ConnectorRuntime.prepare), except for operators whose uid is in `skip` (fed or read through the Node API).
   */
  static async open(graph: JobGraph, jobId: string, skip: ReadonlySet<string> = new Set()): Promise<ConnectorRuntimes> {
    const opened = openedOperators(graph, skip);
    const runtimes = await ConnectorRuntimes.load(opened.map((op) => (op.spec as SourceSpec | SinkSpec).connector));
    for (const op of opened) {
      const opening = openingOf(op, jobId);
      await runtimes.runtime(opening.options.connector).prepare?.(opening);
    }
    return runtimes;
  }

  /**
   * `sluice connector cleanup`: runs ConnectorRuntime.cleanup of every source and sink operator of `graph` whose
   * connector has one, in graph order, and returns what each removed, prefixed by the operator's uid.
   */
  static async cleanup(graph: JobGraph, jobId: string): Promise<string[]> {
    const operators = connectorOperators(graph);
    const runtimes = await ConnectorRuntimes.load(operators.map((op) => (op.spec as SourceSpec | SinkSpec).connector));
    const done: string[] = [];
    for (const op of operators) {
      const opening = openingOf(op, jobId);
      const cleanup = runtimes.runtime(opening.options.connector).cleanup;
      if (cleanup !== undefined) done.push(...(await cleanup(opening)).map((line) => `${opening.role} '${opening.uid}': ${line}`));
    }
    return done;
  }

  runtime(connector: string): ConnectorRuntime {
    const runtime = this.loaded.get(connector);
    if (runtime === undefined) throw new Error(`connector '${connector}' was not loaded before the job's tasks were built`);
    return runtime;
  }

  /**
   * The source connector of a source operator; `schema` is its output schema. Throws an Error for options the
   * compiler would have rejected (a hand-built graph), naming the connector and option.
   */
  createSource(spec: SourceSpec, schema: StreamSchema, context: SourceContext = { parallelism: 1 }): SourceConnector {
    const create = this.runtime(spec.connector).createSource;
    if (create === undefined) throw new Error(`connector '${spec.connector}' has no source`);
    return create(new ConnectorOptions(spec.connector, spec.options), schema, context);
  }

  /** The writer of one sink subtask; `schema` is the sink's input schema. */
  createSinkWriter(spec: SinkSpec, schema: StreamSchema, context: SinkContext, environment: SinkEnvironment = {}): SinkWriter {
    const create = this.runtime(spec.connector).createSinkWriter;
    if (create === undefined) throw new Error(`connector '${spec.connector}' has no sink`);
    const keyed = spec.primaryKey === undefined ? context : { ...context, primaryKey: spec.primaryKey };
    return create(new ConnectorOptions(spec.connector, spec.options), schema, keyed, environment);
  }
}

function connectorOperators(graph: JobGraph): JobGraph['operators'] {
  return graph.operators.filter((op) => op.spec.kind === 'source' || op.spec.kind === 'sink');
}

function openedOperators(graph: JobGraph, skip: ReadonlySet<string>): JobGraph['operators'] {
  return connectorOperators(graph).filter((op) => op.uid === null || !skip.has(op.uid));
}

/** A source or sink operator as its connector's `prepare` and `cleanup` see it. */
function openingOf(op: JobGraph['operators'][number], jobId: string): ConnectorOpening {
  const spec = op.spec as (SourceSpec | SinkSpec) & { kind: 'source' | 'sink' };
  return {
    role: spec.kind,
    jobId,
    uid: op.uid ?? op.id,
    options: new ConnectorOptions(spec.connector, spec.options),
    schema: spec.kind === 'sink' ? (op.inputs[0] ?? op.output) : op.output,
    parallelism: op.parallelism,
    ...(spec.primaryKey === undefined ? {} : { primaryKey: spec.primaryKey }),
  };
}

function moduleOf(name: string): () => Promise<{ readonly runtime: ConnectorRuntime }> {
  const load = Object.hasOwn(RUNTIME_MODULES, name) ? RUNTIME_MODULES[name] : undefined;
  if (load === undefined) throw new Error(`unknown connector '${name}'; known: ${Object.keys(RUNTIME_MODULES).join(', ')}`);
  return load;
}

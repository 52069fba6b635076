import type { JobConfig } from '../../compiler/config/job-config.js';
import type { Edge, JobGraph, Operator, OperatorSpec, StateDescriptor, StreamSchema } from '../../compiler/graph/job-graph.js';
import { buildChains } from '../../compiler/graph/chaining.js';
import type { TypedExpr } from '../../compiler/expressions/typed-expr.js';
import type { SqlType } from '../../compiler/types/sql-type.js';

/** Hand-built job graphs for runtime tests, as the compiler would produce them. */

export const BIGINT: SqlType = { name: 'BIGINT' };
export const STRING: SqlType = { name: 'STRING' };
export const TIMESTAMP: SqlType = { name: 'TIMESTAMP', precision: 3 };

export function schema(fields: readonly (readonly [string, SqlType])[], extra: Partial<StreamSchema> = {}): StreamSchema {
  return { fields: fields.map(([name, type]) => ({ name, type, nullable: true })), changelog: 'append', ...extra };
}

export const col = (index: number, type: SqlType = BIGINT): TypedExpr => ({ op: 'column', index, name: `c${index}`, type, nullable: true });
export const lit = (value: number | string, type: SqlType = typeof value === 'number' ? BIGINT : STRING): TypedExpr => ({
  op: 'literal',
  value,
  type,
  nullable: false,
});
export const call = (fn: string, type: SqlType, ...args: TypedExpr[]): TypedExpr => ({ op: 'call', fn, args, type, nullable: true });

let line = 1;
export function op(
  id: string,
  spec: OperatorSpec,
  io: { inputs?: StreamSchema[]; output: StreamSchema; parallelism?: number; uid?: string | null; state?: StateDescriptor[] },
): Operator {
  return {
    id,
    uid: io.uid === undefined ? id : io.uid,
    name: `${spec.kind}(${id})`,
    parallelism: io.parallelism ?? 1,
    inputs: io.inputs ?? [],
    output: io.output,
    state: io.state ?? [],
    origin: { file: 'job.pipe', line: line++, column: 1, offset: 0, length: 1 },
    spec,
  };
}

export function edge(from: string, to: string, partitioning: Edge['partitioning'] = 'forward', extra: Partial<Edge> = {}): Edge {
  return { from, to, toInput: 0, partitioning, ...extra };
}

export function config(overrides: Partial<JobConfig> = {}, backend: JobConfig['state']['backend'] = 'memory'): JobConfig {
  return {
    pipelineName: 'test',
    parallelism: 1,
    maxParallelism: 128,
    heartbeatTimeoutMs: 50_000,
    checkpointing: {
      intervalMs: null,
      mode: 'EXACTLY_ONCE',
      timeoutMs: 600_000,
      minPauseMs: 0,
      maxConcurrent: 1,
      retention: 'DELETE_ON_CANCELLATION',
      tolerableFailures: 0,
      unaligned: false,
      alignedCheckpointTimeoutMs: 0,
    },
    state: { backend, checkpointsDir: null, savepointsDir: null, numRetained: 1, ttlMs: 0, diskCacheBytes: 64 * 1024 ** 2, diskCacheCells: 100_000 },
    restartStrategy: { type: 'none' },
    settings: {},
    ...overrides,
  };
}

export function graph(operators: Operator[], edges: Edge[], jobConfig: JobConfig = config()): JobGraph {
  return { formatVersion: 1, name: 'test', file: 'job.pipe', config: jobConfig, operators, edges, chains: buildChains(operators, edges) };
}

export const feedSource = (id: string, output: StreamSchema, parallelism = 1, watermark?: TypedExpr): Operator =>
  op(
    id,
    {
      kind: 'source',
      connector: 'datagen',
      options: {},
      ...(watermark === undefined ? {} : { watermark: { column: output.rowtime ?? 0, expr: watermark } }),
    },
    { output, parallelism },
  );

export const callbackSink = (id: string, input: StreamSchema, parallelism = 1): Operator =>
  op(id, { kind: 'sink', connector: 'blackhole', options: {} }, { inputs: [input], output: input, parallelism });

/** Collects what a sink callback receives. */
export function collector() {
  const rows: unknown[][] = [];
  const subtasks = new Set<number>();
  return {
    rows,
    subtasks,
    callback: (batch: readonly (readonly unknown[])[], info: { subtask: number }) => {
      subtasks.add(info.subtask);
      for (const row of batch) rows.push([...row]);
    },
  };
}

export async function* asyncRows<T>(rows: readonly T[]): AsyncGenerator<T> {
  for (const row of rows) {
    await Promise.resolve();
    yield row;
  }
}

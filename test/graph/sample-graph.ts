import type { TypedExpr } from '../../compiler/expressions/typed-expr.js';
import { JOB_GRAPH_FORMAT_VERSION, type Edge, type JobGraph, type Operator, type OperatorSpec, type StreamSchema } from '../../compiler/graph/job-graph.js';
import type { Field } from '../../compiler/types/sql-type.js';

/** Hand-built job graphs for the graph and exporter tests, independent of the compiler. */

export const BIGINT_FIELD = (name: string): Field => ({ name, type: { name: 'BIGINT' }, nullable: false });
const TIMESTAMP_FIELD = (name: string): Field => ({ name, type: { name: 'TIMESTAMP', precision: 3 }, nullable: false });

export const column = (index: number, name: string): TypedExpr => ({ op: 'column', index, name, type: { name: 'BIGINT' }, nullable: false });
export const bigint = (value: number): TypedExpr => ({ op: 'literal', value, type: { name: 'BIGINT' }, nullable: false });
export const call = (fn: string, ...args: TypedExpr[]): TypedExpr => ({ op: 'call', fn, args, type: { name: 'BOOLEAN' }, nullable: false });

const stream = (fields: Field[]): StreamSchema => ({ fields, changelog: 'append' });

const bidFields = [BIGINT_FIELD('auction'), BIGINT_FIELD('price'), TIMESTAMP_FIELD('date_time')];

/** An operator with neutral defaults: parallelism 2, one input and output of bids (auction, price, date_time), no state. */
export function makeOperator(id: string, spec: OperatorSpec, overrides: Partial<Operator> = {}): Operator {
  const fields = bidFields;
  return {
    id,
    uid: null,
    name: id,
    parallelism: 2,
    inputs: spec.kind === 'source' ? [] : [stream(fields)],
    output: stream(fields),
    state: [],
    origin: { file: 'q.pipe', line: 1, column: 1, offset: 0, length: 0 },
    spec,
    ...overrides,
  };
}

export const sourceSpec = (table: string): OperatorSpec => ({ kind: 'source', connector: 'nexmark', options: { table } });
export const filterSpec: OperatorSpec = { kind: 'filter', condition: call('>', column(1, 'price'), bigint(100)) };
export const forward = (from: string, to: string, toInput = 0): Edge => ({ from, to, toInput, partitioning: 'forward' });
export const hash = (from: string, to: string, keys: TypedExpr[], toInput = 0): Edge => ({ from, to, toInput, partitioning: 'hash', keys });

const windowFields = [TIMESTAMP_FIELD('window_start'), TIMESTAMP_FIELD('window_end')];

/**
 * A Nexmark-like pipeline: bids filtered (chained to the source), counted per auction in HOP windows behind a
 * hash edge, projected and written to an exactly-once file sink (both chained to the aggregate).
 */
export function sampleGraph(): JobGraph {
  const operators: Operator[] = [
    makeOperator('bid-source', sourceSpec('bid'), {
      uid: 'bid-source',
      name: 'Source: bid',
      output: { fields: bidFields, changelog: 'append', rowtime: 2 },
      state: [
        {
          name: 'splits',
          scope: 'operator',
          kind: 'list',
          valueType: [{ name: 'split', type: { name: 'STRING' }, nullable: false }, { name: 'position', type: { name: 'STRING' }, nullable: false }],
          redistribution: 'split',
          description: 'the splits this subtask reads and its position in each',
        },
      ],
    }),
    makeOperator('filter-1', filterSpec, { name: 'Filter(price > 100)' }),
    makeOperator(
      'count-per-auction',
      {
        kind: 'window_aggregate',
        window: { type: 'hop', timeIndex: 2, slideMs: 2_000, sizeMs: 10_000 },
        keys: [column(0, 'auction')],
        aggregates: [{ function: 'COUNT', args: [], distinct: false, name: 'num', resultType: { name: 'BIGINT' }, nullable: false }],
      },
      {
        uid: 'count-per-auction',
        name: 'WindowAggregate(HOP)',
        output: stream([BIGINT_FIELD('auction'), ...windowFields, BIGINT_FIELD('num')]),
        state: [
          {
            name: 'windows',
            scope: 'keyed',
            kind: 'map',
            keyType: [BIGINT_FIELD('auction')],
            mapKeyType: windowFields,
            valueType: [BIGINT_FIELD('num')],
            description: 'the accumulators of each open window',
          },
        ],
      },
    ),
    makeOperator(
      'project-3',
      { kind: 'project', exprs: [column(0, 'auction'), column(3, 'num'), call('=', call('MOD', column(0, 'auction'), bigint(123)), bigint(0))] },
      {
        name: 'Project',
        inputs: [stream([BIGINT_FIELD('auction'), ...windowFields, BIGINT_FIELD('num')])],
        output: stream([BIGINT_FIELD('auction'), BIGINT_FIELD('num'), { name: 'lucky', type: { name: 'BOOLEAN' }, nullable: false }]),
      },
    ),
    makeOperator(
      'out',
      { kind: 'sink', connector: 'file', options: { path: '/tmp/out', format: 'jsonl', 'sink.semantic': 'exactly-once' } },
      {
        uid: 'out',
        name: 'Sink: out',
        state: [
          {
            name: 'pending-commits',
            scope: 'operator',
            kind: 'list',
            valueType: [{ name: 'file', type: { name: 'STRING' }, nullable: false }],
            redistribution: 'split',
            description: 'files written before a checkpoint and committed when it completes',
          },
        ],
      },
    ),
  ];
  return {
    formatVersion: JOB_GRAPH_FORMAT_VERSION,
    name: 'nexmark-q5',
    file: 'q5.pipe',
    config: {
      pipelineName: 'nexmark-q5',
      parallelism: 2,
      maxParallelism: 128,
      heartbeatTimeoutMs: 50_000,
      checkpointing: {
        intervalMs: 10_000,
        mode: 'EXACTLY_ONCE',
        timeoutMs: 600_000,
        minPauseMs: 0,
        maxConcurrent: 1,
        retention: 'RETAIN_ON_CANCELLATION',
        tolerableFailures: 0,
        unaligned: false,
        alignedCheckpointTimeoutMs: 0,
      },
      state: { backend: 'memory', checkpointsDir: null, savepointsDir: null, numRetained: 1, ttlMs: 0, diskCacheBytes: 64 * 1024 ** 2, diskCacheCells: 100_000 },
      restartStrategy: { type: 'none' },
      settings: {},
    },
    operators,
    edges: [
      forward('bid-source', 'filter-1'),
      hash('filter-1', 'count-per-auction', [column(0, 'auction')]),
      forward('count-per-auction', 'project-3'),
      forward('project-3', 'out'),
    ],
    chains: [
      { id: 'bid-source', operators: ['bid-source', 'filter-1'], parallelism: 2 },
      { id: 'count-per-auction', operators: ['count-per-auction', 'project-3', 'out'], parallelism: 2 },
    ],
  };
}

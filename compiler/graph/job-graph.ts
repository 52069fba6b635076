import * as z from 'zod';
import { connectorDefinition } from '../../connectors/definitions.js';
import { JobConfigSchema } from '../config/job-config.js';
import { TypedExprSchema } from '../expressions/typed-expr.js';
import { FieldSchema, SqlTypeSchema } from '../types/sql-type.js';

/**
 * The typed job graph: the contract between the compiler and the runtime, and what savepoint compatibility
 * checks compare. Written as JSON by `sluice compile --graph json`; `formatVersion` changes with every
 * incompatible change of this shape.
 */
export const JOB_GRAPH_FORMAT_VERSION = 1;

/** Where in the `.pipe` file an operator comes from, for runtime errors and reports. */
export const OriginSchema = z.object({
  file: z.string(),
  line: z.number().int().min(1),
  column: z.number().int().min(1),
  offset: z.number().int().min(0),
  length: z.number().int().min(0),
});


/**
 * The TTL of a process function's keyed state (Flink's StateTtlConfig), per key and state: it expires `ms` after
 * its last write (`on-create-and-write`) or its last access (`on-read-and-write`); an expired value is never read
 * (`never-return-expired`) or read until the cleanup removed it (`return-expired-if-not-cleaned-up`).
 */
export const StateTtlConfigSchema = z.object({
  ms: z.number().int().positive(),
  update: z.enum(['on-create-and-write', 'on-read-and-write']),
  visibility: z.enum(['never-return-expired', 'return-expired-if-not-cleaned-up']),
});
export type StateTtlConfig = z.infer<typeof StateTtlConfigSchema>;

/**
 * What an operator keeps in state, declared so that checkpoints, savepoints and the compatibility check can
 * read it without running anything. Keyed state is scoped to the operator's key (`keyType`); operator state is
 * a list per subtask, redistributed on rescale by splitting the lists (`split`) or giving every subtask all of
 * them (`union`).
 */
export const StateDescriptorSchema = z.object({
  name: z.string(),
  scope: z.enum(['keyed', 'operator']),
  /** `raw`: a process function's per-subtask bytes (Flink's raw operator state), opaque to Sluice: no columns. */
  kind: z.enum(['value', 'list', 'map', 'reducing', 'aggregating', 'raw']),
  /** Keyed state: the key's columns. */
  keyType: z.array(FieldSchema).optional(),
  /** Map state: the map key's columns (e.g. a window's bounds, a distinct value). */
  mapKeyType: z.array(FieldSchema).optional(),
  /** The stored value's columns (for list state, one element's). */
  valueType: z.array(FieldSchema),
  /** Operator list state only. */
  redistribution: z.enum(['split', 'union']).optional(),
  /** Words for reports: what this state holds. */
  description: z.string(),
  /** Keyed state of a process function only: when it expires. */
  ttl: StateTtlConfigSchema.optional(),
});
export type StateDescriptor = z.infer<typeof StateDescriptorSchema>;

export const WindowSpecSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('tumble'), timeIndex: z.number().int().min(0), sizeMs: z.number().positive() }),
  z.object({ type: z.literal('hop'), timeIndex: z.number().int().min(0), slideMs: z.number().positive(), sizeMs: z.number().positive() }),
  z.object({ type: z.literal('session'), timeIndex: z.number().int().min(0), gapMs: z.number().positive() }),
]);
export type WindowSpec = z.infer<typeof WindowSpecSchema>;

/**
 * A stream's shape. `changelog`: `append` streams only insert; `upsert` streams carry inserts, updates and
 * deletes keyed by `upsertKey` (column positions), as a continuous aggregate emits them. `beforeImages`: an upsert
 * stream whose every update comes as -U (the previous row, in full) then +U and every delete as the full row — a
 * changelog source's after its ChangelogNormalize — so an aggregate may group it by any columns (a row that moves
 * to another group is retracted from the old one by its -U).
 * `rowtime` is the position of the event-time attribute, the column watermarks are about, if any.
 * `window` marks the window_start/window_end columns of a windowed stream (after WINDOW, and kept by a window
 * aggregate's output as Flink's window propagation does), so that a later AGGREGATE grouped by them or a JOIN on
 * them is planned as a window aggregate / window join.
 */
export const StreamSchemaSchema = z.object({
  fields: z.array(FieldSchema),
  changelog: z.enum(['append', 'upsert']),
  upsertKey: z.array(z.number().int().min(0)).optional(),
  /**
   * An `append` stream whose rows are unique by these columns (positions): a source's `PRIMARY KEY (…) NOT ENFORCED`,
   * kept by filters and by projections that pass its columns through. Not checked, as in Flink: the user vouches for it.
   */
  uniqueKey: z.array(z.number().int().min(0)).min(1).optional(),
  beforeImages: z.boolean().optional(),
  rowtime: z.number().int().min(0).optional(),
  window: z.object({ start: z.number().int().min(0), end: z.number().int().min(0), spec: WindowSpecSchema }).optional(),
});
export type StreamSchema = z.infer<typeof StreamSchemaSchema>;

export const AggregateCallSchema = z.object({
  /** COUNT, SUM, MIN, MAX, AVG, FIRST_VALUE, LAST_VALUE; `COUNT(*)` has no args. */
  function: z.enum(['COUNT', 'SUM', 'MIN', 'MAX', 'AVG', 'FIRST_VALUE', 'LAST_VALUE']),
  args: z.array(TypedExprSchema),
  distinct: z.boolean(),
  name: z.string(),
  resultType: SqlTypeSchema,
  nullable: z.boolean(),
});
export type AggregateCall = z.infer<typeof AggregateCallSchema>;

const JoinTypeSchema = z.enum(['inner', 'left']);

/**
 * State TTL of a step whose state is otherwise kept forever (`table.exec.state.ttl` or `UID '…' TTL …`): a key's
 * state (a join: each side's) is dropped this long after it was last written. Absent: kept forever.
 */
const StateTtlMsSchema = z.number().int().positive().optional();

/** The kind-specific part of an operator; `kind` decides the runtime operator that executes it. */
export const OperatorSpecSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('source'),
    /** A source connector's canonical name (connectors/definitions.ts). */
    connector: z.string().refine((name) => connectorDefinition('source', name) !== undefined, { message: 'not a source connector' }),
    /** Validated and normalised connector options (defaults filled in). */
    options: z.record(z.string(), z.string()),
    watermark: z.object({ column: z.number().int().min(0), expr: TypedExprSchema }).optional(),
    /** `PRIMARY KEY (…) NOT ENFORCED`: column names of the output. */
    primaryKey: z.array(z.string()).min(1).optional(),
  }),
  z.object({ kind: z.literal('filter'), condition: TypedExprSchema }),
  z.object({ kind: z.literal('project'), exprs: z.array(TypedExprSchema) }),
  /** TUMBLE/HOP assignment without a following aggregate or join: appends window_start, window_end (HOP copies a row into each of its windows). */
  z.object({ kind: z.literal('window_assign'), window: WindowSpecSchema }),
  z.object({
    kind: z.literal('group_aggregate'),
    keys: z.array(TypedExprSchema),
    aggregates: z.array(AggregateCallSchema),
    stateTtlMs: StateTtlMsSchema,
  }),
  /** Output: the group keys, then window_start and window_end, then the aggregates; final rows only, when the watermark passes window_end. */
  z.object({ kind: z.literal('window_aggregate'), window: WindowSpecSchema, keys: z.array(TypedExprSchema), aggregates: z.array(AggregateCallSchema) }),
  /** Regular equi-join: both sides kept in state indefinitely. Output: left columns then right columns. */
  z.object({
    kind: z.literal('join'),
    joinType: JoinTypeSchema,
    leftKeys: z.array(TypedExprSchema),
    rightKeys: z.array(TypedExprSchema),
    /** Non-equi part of the ON condition over the joined row (left columns then right columns). */
    residual: TypedExprSchema.optional(),
    stateTtlMs: StateTtlMsSchema,
    /**
     * INNER joins: the inputs (0 left, 1 right) that hold at most one row per join key, their unique key being part of
     * it. A row of the other side that finds that row stored is joined and not kept (no second row will come for it),
     * and that row's arrival joins and drops the other side's rows stored for its key.
     */
    uniqueInputs: z.array(z.number().int().min(0).max(1)).optional(),
  }),
  /** Joins rows whose times satisfy left.time + lowerMs <= right.time <= left.time + upperMs; state expires with the watermark. */
  z.object({
    kind: z.literal('interval_join'),
    joinType: JoinTypeSchema,
    leftKeys: z.array(TypedExprSchema),
    rightKeys: z.array(TypedExprSchema),
    leftTimeIndex: z.number().int().min(0),
    rightTimeIndex: z.number().int().min(0),
    lowerMs: z.number(),
    upperMs: z.number(),
    residual: TypedExprSchema.optional(),
  }),
  /** Both sides windowed alike; rows of the same key and window are joined when the watermark passes window_end. */
  z.object({
    kind: z.literal('window_join'),
    joinType: JoinTypeSchema,
    window: WindowSpecSchema,
    leftKeys: z.array(TypedExprSchema),
    rightKeys: z.array(TypedExprSchema),
    residual: TypedExprSchema.optional(),
  }),
  z.object({ kind: z.literal('union') }),
  z.object({ kind: z.literal('deduplicate'), keys: z.array(TypedExprSchema), keep: z.enum(['first', 'last']), stateTtlMs: StateTtlMsSchema }),
  /** `keys`: the PARTITION BY keys; with them the function runs keyed (keyed state and timers per key), without them unkeyed. */
  z.object({ kind: z.literal('process'), function: z.string(), args: z.array(TypedExprSchema), keys: z.array(TypedExprSchema).optional() }),
  z.object({
    kind: z.literal('sink'),
    /** A sink connector's canonical name (connectors/definitions.ts). */
    connector: z.string().refine((name) => connectorDefinition('sink', name) !== undefined, { message: 'not a sink connector' }),
    options: z.record(z.string(), z.string()),
    /** `PRIMARY KEY (…) NOT ENFORCED`: column names of the sink, which it upserts and deletes by. */
    primaryKey: z.array(z.string()).min(1).optional(),
  }),
]);
export type OperatorSpec = z.infer<typeof OperatorSpecSchema>;
export type OperatorKind = OperatorSpec['kind'];

export const OperatorSchema = z.object({
  /** Unique in the graph: the uid where there is one, else a generated id like `filter-3`. */
  id: z.string(),
  /** The user's stable id; stateful operators, sources and sinks always have one. */
  uid: z.string().nullable(),
  /** A short human description, e.g. `Filter(price > 100)`. */
  name: z.string(),
  parallelism: z.number().int().min(1),
  inputs: z.array(StreamSchemaSchema),
  output: StreamSchemaSchema,
  state: z.array(StateDescriptorSchema),
  origin: OriginSchema,
  spec: OperatorSpecSchema,
});
export type Operator = z.infer<typeof OperatorSchema>;

/**
 * How records travel from one operator to the next: `forward` keeps the subtask (and allows chaining),
 * `hash` routes by key group (keyGroup = hash(key) mod maxParallelism), `rebalance` round-robins,
 * `broadcast` copies to every subtask.
 */
export const EdgeSchema = z.object({
  from: z.string(),
  to: z.string(),
  /** Which input of `to` (0 = left/only, 1 = right of a join, n for union inputs). */
  toInput: z.number().int().min(0),
  partitioning: z.enum(['forward', 'hash', 'rebalance', 'broadcast']),
  /** Hash edges: the key, evaluated over `from`'s output row. */
  keys: z.array(TypedExprSchema).optional(),
});
export type Edge = z.infer<typeof EdgeSchema>;

/** Operators chained into one task (Flink's JobVertex): they run in one subtask, passing batches by call. */
export const ChainSchema = z.object({
  id: z.string(),
  operators: z.array(z.string()).min(1),
  parallelism: z.number().int().min(1),
});
export type Chain = z.infer<typeof ChainSchema>;

export const JobGraphSchema = z.object({
  formatVersion: z.literal(JOB_GRAPH_FORMAT_VERSION),
  name: z.string(),
  file: z.string(),
  config: JobConfigSchema,
  operators: z.array(OperatorSchema),
  edges: z.array(EdgeSchema),
  chains: z.array(ChainSchema),
});
export type JobGraph = z.infer<typeof JobGraphSchema>;

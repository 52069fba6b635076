import type { ProcessFunctionSignature } from '../../../compiler/functions/registry.js';
import type { ProcessStateDeclarationInput } from '../../../compiler/functions/signature-schema.js';

/**
 * The process-function API: user code that a `PROCESS fn(args…) [PARTITION BY keys] UID '…'` step runs on
 * every row, with managed state and timers (Flink's KeyedProcessFunction).
 *
 * One definition object serves both sides: its signature part (`name`, `args`, `output`, `state`) is what
 * `compile(text, { functions: { processes: [fn] } })` type-checks the step against, and the whole object is what
 * `Job.start(graph, { processFunctions: { [fn.name]: fn } })` runs. The CLI loads the same objects from the
 * `processes` export of a `--functions module.js` (where types may be spelt as strings such as `'BIGINT'`).
 *
 * ```ts
 * const alerts: ProcessFunction = {
 *   name: 'alerts',
 *   args: [{ name: 'DOUBLE' }],
 *   output: [{ name: 'account', type: { name: 'STRING' }, nullable: false }, { name: 'total', type: { name: 'DOUBLE' }, nullable: false }],
 *   state: [{ name: 'total', kind: 'value', valueType: [{ name: 'total', type: { name: 'DOUBLE' }, nullable: false }] }],
 *   processElement(row, ctx) {
 *     const total = ctx.state.value<number>('total');
 *     if (total.value() === undefined) ctx.timers.registerEventTime(ctx.timestamp! + 60_000);
 *     total.update((total.value() ?? 0) + (ctx.args[0] as number));
 *   },
 *   onTimer(timestamp, ctx) {
 *     ctx.emit({ account: ctx.currentKey![0], total: ctx.state.value<number>('total').value() });
 *     ctx.state.value('total').clear();
 *   },
 * };
 * ```
 *
 * Values are the runtime's representation of SQL values: BOOLEAN → boolean; INT, BIGINT, DOUBLE, DECIMAL →
 * number; STRING → string; TIMESTAMP(3) → epoch milliseconds (UTC); NULL → null.
 *
 * Keyed or not: with PARTITION BY, all rows of a key reach the same subtask, and state and timers are scoped to
 * the current row's (or timer's) key. Without it the function runs on each upstream subtask as is; only list
 * state is possible then (the compiler checks), one list per subtask, split between subtasks when the job is
 * rescaled; timers need a key, so they need PARTITION BY. Raw state (`ProcessRawState`) is per subtask either way.
 *
 * Each subtask runs its own instance (`Object.create(definition)`), so fields set on `this` in `open` are per
 * subtask. Fault tolerance: everything the function must remember has to live in its declared state;
 * checkpoints and savepoints see nothing else, and after a restore the instance's fields are as `open` left them. State
 * values must be plain data (null, booleans, numbers, strings, arrays and plain objects) and must not be
 * modified in place after being stored: store a new value with `update`/`put`.
 */
export type ProcessFunction = ObjectRowProcessFunction | ArrayRowProcessFunction;

/** A row given to `processElement` as an object: column name → value. */
export type ProcessRow = Readonly<Record<string, unknown>>;

/** A row's change kind (Flink's RowKind): insert, update-before, update-after, delete. Append streams only insert. */
export type ChangeKind = '+I' | '-U' | '+U' | '-D';

interface ProcessFunctionHooks extends Omit<ProcessFunctionSignature, 'state'> {
  /** The declared states; reducing and aggregating ones carry their `reduce`/`aggregate` functions. */
  readonly state: readonly ProcessStateDeclarationInput[];
  /**
   * Once per subtask before the first row, state already restored (Flink's `initializeState` and `open` in one):
   * without PARTITION BY, read the restored operator list state here (`ctx.state.list(name)`); raw state's
   * restored bytes with or without it (`ctx.state.raw(name).restored()`).
   */
  open?(ctx: ProcessOpenContext): void;
  /**
   * Just before each checkpoint or savepoint snapshots this subtask (Flink's `CheckpointedFunction.snapshotState`):
   * write what the function keeps in its own fields into its operator list state, or as bytes into raw state.
   */
  snapshotState?(ctx: ProcessSnapshotContext): void;
  /** A timer registered through `ctx.timers` fired; required as soon as the function registers timers. */
  onTimer?(timestamp: number, ctx: TimerContext): void;
  /** Once per subtask at the end, after success or failure alike: release what `open` acquired. */
  close?(): void;
}

/**
 * Rows as objects keyed by column name: the friendly default. The runtime builds one object per row (of a
 * fixed shape, compiled once per step), which costs an allocation per row that the array form avoids.
 */
export interface ObjectRowProcessFunction extends ProcessFunctionHooks {
  readonly rowFormat?: 'object';
  processElement(row: ProcessRow, ctx: ProcessContext): void;
}

/** Rows as arrays in the input's column order, with no copy: the fast form. The array must not be modified. */
export interface ArrayRowProcessFunction extends ProcessFunctionHooks {
  readonly rowFormat: 'array';
  processElement(row: readonly unknown[], ctx: ProcessContext): void;
}

/** What `open` sees. */
export interface ProcessOpenContext {
  /** The step's UID. */
  readonly uid: string | null;
  readonly subtask: number;
  readonly parallelism: number;
  /** Whether the job started from a checkpoint or savepoint (state holds what was saved). */
  readonly isRestored: boolean;
  /** The declared state; only operator (list) and raw state are usable here: keyed state needs a current key. */
  readonly state: ProcessStateAccess;
}

/** What `snapshotState` sees. */
export interface ProcessSnapshotContext {
  readonly checkpointId: number;
  readonly subtask: number;
  /** The declared state; only operator (list) and raw state are usable here: keyed state needs a current key. */
  readonly state: ProcessStateAccess;
}

/**
 * What `processElement` and `onTimer` share. The context object is reused from call to call: read it during
 * the call, do not keep it.
 */
export interface ProcessBaseContext {
  /**
   * Emits a row of the output: an object by column name (absent columns are NULL) or an array in column order.
   * Values are checked against the output's column types; a wrong one fails the job with a message naming the
   * column. `kind` defaults to `+I`; other kinds are only allowed when the output is an updating stream (an
   * `output: 'input'` function over an updating input).
   */
  emit(row: Readonly<Record<string, unknown>> | readonly unknown[], kind?: ChangeKind): void;
  /** The declared state, by name, scoped to the current key with PARTITION BY. */
  readonly state: ProcessStateAccess;
  readonly timers: ProcessTimers;
  /** The PARTITION BY values of the current row or timer; undefined without PARTITION BY. */
  readonly currentKey: readonly unknown[] | undefined;
  /** The last watermark the step received (epoch ms; -Infinity before the first, +Infinity at the end of input). */
  readonly currentWatermark: number;
  /** Processing time (epoch ms) from the job's clock. */
  currentProcessingTime(): number;
}

export interface ProcessContext extends ProcessBaseContext {
  /** The PROCESS arguments evaluated for this row, in order. */
  readonly args: readonly unknown[];
  /** The row's event time (its WATERMARK FOR column), or null when the input has none or it is NULL. */
  readonly timestamp: number | null;
  /** The row's change kind (`+I` on append-only inputs). */
  readonly kind: ChangeKind;
}

export interface TimerContext extends ProcessBaseContext {
  /** Which clock the timer was set on. */
  readonly timeDomain: 'event' | 'processing';
}

/** Declared state by name; asking for an undeclared name, or with another kind than declared, throws. */
export interface ProcessStateAccess {
  value<T>(name: string): ProcessValueState<T>;
  list<T>(name: string): ProcessListState<T>;
  map<K, V>(name: string): ProcessMapState<K, V>;
  reducing<T>(name: string): ProcessReducingState<T>;
  aggregating<IN, OUT>(name: string): ProcessAggregatingState<IN, OUT>;
  raw(name: string): ProcessRawState;
}

/**
 * Raw state (Flink's raw operator state): bytes per subtask that the function writes and reads back itself,
 * declared `{ name, kind: 'raw' }`, with or without PARTITION BY. Sluice never looks inside: no schema, no TTL,
 * no migration; the savepoint check matches it by the step's UID and the state's name only.
 *
 * A checkpoint stores the bytes last given to `write` in this run (write them in `snapshotState`). After a
 * restore, `restored()` holds what the previous run wrote: at the same parallelism, this subtask's own part (which
 * later checkpoints keep storing until the function writes); at another parallelism, every old subtask's part in
 * old subtask order (each subtask takes what it needs, as Flink's union redistribution), and nothing is stored
 * until the function writes.
 */
export interface ProcessRawState {
  /** The restored parts: none, this subtask's own, or every old subtask's (another parallelism). */
  restored(): readonly Uint8Array[];
  /** The bytes later checkpoints store for this subtask (copied now); `undefined` stores none. */
  write(bytes: Uint8Array | undefined): void;
}

/**
 * One value per key, combined by the declaration's `reduce(stored, added)` (Flink's ReducingState):
 * `{ name, kind: 'reducing', valueType, reduce: (a, b) => a + b }`.
 */
export interface ProcessReducingState<T> {
  /** The reduced value, or undefined before the first `add`. */
  get(): T | undefined;
  /** Stores `value` when empty, else `reduce(stored, value)`. */
  add(value: T): void;
  clear(): void;
}

/**
 * An accumulator per key, driven by the declaration's `aggregate` (Flink's AggregatingState):
 * `{ name, kind: 'aggregating', valueType: <the accumulator's fields>, aggregate: { createAccumulator() {…},
 * add(accumulator, value) {…}, getResult(accumulator) {…} } }`. `add` may modify the accumulator and return it.
 */
export interface ProcessAggregatingState<IN, OUT> {
  /** `getResult` of the accumulator, or undefined before the first `add`. */
  get(): OUT | undefined;
  /** Adds `value` to the accumulator (created by `createAccumulator` on the first add). */
  add(value: IN): void;
  clear(): void;
}

export interface ProcessValueState<T> {
  /** The stored value, or undefined. */
  value(): T | undefined;
  /** Stores `value` (undefined clears). */
  update(value: T): void;
  clear(): void;
}

export interface ProcessListState<T> {
  /** The elements (empty when none); valid until the next change. */
  get(): readonly T[];
  add(value: T): void;
  addAll(values: readonly T[]): void;
  /** Replaces the whole list. */
  update(values: readonly T[]): void;
  clear(): void;
}

export interface ProcessMapState<K, V> {
  get(key: K): V | undefined;
  put(key: K, value: V): void;
  remove(key: K): void;
  contains(key: K): boolean;
  /** Do not modify the map while iterating; collect keys first. */
  entries(): Iterable<readonly [K, V]>;
  keys(): Iterable<K>;
  values(): Iterable<V>;
  isEmpty(): boolean;
  clear(): void;
}

/**
 * Timers of the current key (PARTITION BY only). A timer fires once, at the first watermark (event time) or
 * clock time (processing time) at or after `timestamp`; registering the same time twice for a key gives one
 * timer. Timers are state: checkpoints keep them. At the end of bounded input the watermark becomes +Infinity,
 * so every event-time timer fires; pending processing-time timers do not.
 */
export interface ProcessTimers {
  registerEventTime(timestamp: number): void;
  deleteEventTime(timestamp: number): void;
  registerProcessingTime(timestamp: number): void;
  deleteProcessingTime(timestamp: number): void;
}

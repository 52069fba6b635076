import type { Operator, OperatorSpec } from '../../../compiler/graph/job-graph.js';
import { compileProjection, type UdfImplementations } from '../../expressions/compile-expr.js';
import { makeBatch, RowKind, type RecordBatch } from '../../record-batch.js';
import { isStateTtlTimer } from '../../state/state-ttl.js';
import type { Timer, Timers } from '../../time/timer-service.js';
import { BaseOperator, type OperatorContext } from '../operator.js';
import { describeRow, RowFailure } from '../row-failure.js';
import type {
  ChangeKind,
  ProcessContext,
  ProcessFunction,
  ProcessRow,
  ProcessStateAccess,
  ProcessTimers,
  TimerContext,
} from './process-function.js';
import { createProcessState, type ProcessState } from './process-state.js';
import { emittedRowReader, rowObjectBuilder } from './row-conversion.js';

const CHANGE_KINDS: readonly ChangeKind[] = ['+I', '-U', '+U', '-D'];
const ROW_KINDS: Readonly<Record<ChangeKind, RowKind>> = {
  '+I': RowKind.INSERT,
  '-U': RowKind.UPDATE_BEFORE,
  '+U': RowKind.UPDATE_AFTER,
  '-D': RowKind.DELETE,
};
const NO_ARGS: readonly unknown[] = Object.freeze([]);

/**
 * `PROCESS fn(args…) [PARTITION BY keys]`: runs a user process function (process-function.ts) on every row, in
 * one pass over each batch. Per row it sets the current key (PARTITION BY), evaluates the arguments (compiled
 * once) and, for object rows, builds the row object; what the function emits during a batch or a timer goes
 * downstream as one batch. A failure in user code fails the job naming the step and the row. Process functions
 * are not late-row filters: every row reaches them, and `ctx.timestamp` against `ctx.currentWatermark` tells the
 * function whether a row is late.
 */
export class ProcessOperator extends BaseOperator {
  private readonly fn: ProcessFunction;
  private readonly name: string;
  private readonly processElement: (row: unknown, ctx: ProcessContext) => void;
  private readonly keyOf: ((row: readonly unknown[]) => unknown[]) | undefined;
  private readonly argsOf: ((row: readonly unknown[]) => unknown[]) | undefined;
  private readonly toObject: ((row: readonly unknown[]) => ProcessRow) | undefined;
  private readonly readEmitted: (emitted: unknown) => unknown[];
  private readonly rowtime: number | undefined;
  private readonly updatingOutput: boolean;
  private readonly context: CallContext;
  private state!: ProcessState;
  private out: unknown[][] = [];
  private outKinds: RowKind[] = [];

  constructor(operator: Operator, definition: ProcessFunction, udfs: UdfImplementations) {
    super();
    // One instance per subtask, inheriting the definition's methods: what `this.x = …` sets in `open` stays per subtask.
    const fn = Object.create(definition) as ProcessFunction;
    this.fn = fn;
    const spec: OperatorSpec = operator.spec;
    if (spec.kind !== 'process') throw new Error(`${operator.id} is a ${spec.kind} operator, not a process operator`);
    const input = operator.inputs[0] ?? operator.output;
    this.name = spec.function;
    this.processElement = (fn.processElement as (row: unknown, ctx: ProcessContext) => void).bind(fn);
    this.keyOf = spec.keys !== undefined && spec.keys.length > 0 ? compileProjection(spec.keys, udfs) : undefined;
    this.argsOf = spec.args.length > 0 ? compileProjection(spec.args, udfs) : undefined;
    this.toObject = fn.rowFormat === 'array' ? undefined : rowObjectBuilder(input.fields);
    this.readEmitted = emittedRowReader(operator.output.fields, spec.function);
    this.rowtime = input.rowtime;
    this.updatingOutput = operator.output.changelog !== 'append';
    this.context = new CallContext(this);
  }

  override open(ctx: OperatorContext): void {
    super.open(ctx);
    const timers = this.keyOf === undefined ? unkeyedTimers(this.name) : new KeyedTimers(ctx.timers, this.name, this.fn.onTimer !== undefined);
    this.state = createProcessState(ctx, this.name, this.fn.state);
    const state = this.state.access;
    this.context.bind(ctx, state, timers);
    this.fn.open?.({ uid: ctx.operator.uid, subtask: ctx.subtask, parallelism: ctx.parallelism, isRestored: ctx.isRestored, state });
  }

  processBatch(batch: RecordBatch): void {
    const { rows, kinds } = batch;
    const { keyOf, argsOf, toObject, rowtime, context } = this;
    let i = 0;
    try {
      for (; i < rows.length; i++) {
        const row = rows[i]!;
        if (keyOf !== undefined) this.ctx.setCurrentKey(keyOf(row));
        context.args = argsOf === undefined ? NO_ARGS : argsOf(row);
        const time = rowtime === undefined ? null : row[rowtime];
        context.timestamp = typeof time === 'number' ? time : null;
        context.kind = kinds === undefined ? '+I' : CHANGE_KINDS[kinds[i]!]!;
        this.processElement(toObject === undefined ? row : toObject(row), context);
      }
    } catch (error) {
      throw new RowFailure(rows[i]!, error);
    }
    this.flush();
  }

  override onTimer(timer: Timer): void {
    if (isStateTtlTimer(timer)) return this.state.onTtlTimer(timer);
    const context = this.context;
    context.args = NO_ARGS;
    context.timestamp = null;
    context.kind = '+I';
    context.timeDomain = timer.domain;
    try {
      this.fn.onTimer?.(timer.timestamp, context);
    } catch (error) {
      throw new Error(
        `process function '${this.name}' failed in onTimer(${timer.timestamp}) for key ${describeRow(timer.key)}: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
    }
    this.flush();
  }

  override snapshotState(checkpointId: number): void {
    this.fn.snapshotState?.({ checkpointId, subtask: this.ctx.subtask, state: this.context.state });
  }

  override close(): void {
    this.fn.close?.();
  }

  /** `ctx.emit`: buffers the row for the batch emitted at the end of the current call. */
  emit(row: unknown, kind: ChangeKind = '+I'): void {
    const code = ROW_KINDS[kind];
    if (code === undefined) throw new Error(`process function '${this.name}' emitted a row of kind ${JSON.stringify(kind)}: use '+I', '-U', '+U' or '-D'`);
    if (code !== RowKind.INSERT && !this.updatingOutput) {
      throw new Error(`process function '${this.name}' emitted a ${kind} row, but its output is append-only: emit inserts ('+I') only`);
    }
    this.out.push(this.readEmitted(row));
    this.outKinds.push(code);
  }

  private flush(): void {
    if (this.out.length === 0) return;
    const batch = makeBatch(this.out, this.updatingOutput ? Uint8Array.from(this.outKinds) : undefined);
    this.out = [];
    this.outKinds = [];
    this.ctx.output(batch);
  }
}

/** The one context object handed to every call of the function; its per-call fields are set by the operator. */
class CallContext implements ProcessContext, TimerContext {
  args: readonly unknown[] = NO_ARGS;
  timestamp: number | null = null;
  kind: ChangeKind = '+I';
  timeDomain: 'event' | 'processing' = 'event';
  private ctx!: OperatorContext;
  state!: ProcessStateAccess;
  timers!: ProcessTimers;

  constructor(private readonly operator: ProcessOperator) {}

  bind(ctx: OperatorContext, state: ProcessStateAccess, timers: ProcessTimers): void {
    this.ctx = ctx;
    this.state = state;
    this.timers = timers;
  }

  emit(row: Readonly<Record<string, unknown>> | readonly unknown[], kind?: ChangeKind): void {
    this.operator.emit(row, kind);
  }

  get currentKey(): readonly unknown[] | undefined {
    return this.ctx.currentKey;
  }

  get currentWatermark(): number {
    return this.ctx.currentWatermark;
  }

  currentProcessingTime(): number {
    return this.ctx.clock.now();
  }
}

function checkTime(name: string, timestamp: unknown): void {
  if (typeof timestamp !== 'number' || Number.isNaN(timestamp)) {
    throw new Error(`process function '${name}' registered a timer at ${String(timestamp)}: give a time in epoch milliseconds`);
  }
}

/** Timers of the current key, checked so that a mistake is reported where it is made, not when nothing fires. */
class KeyedTimers implements ProcessTimers {
  constructor(
    private readonly timers: Timers,
    private readonly name: string,
    private readonly hasOnTimer: boolean,
  ) {}

  private check(timestamp: number): void {
    checkTime(this.name, timestamp);
    if (!this.hasOnTimer) throw new Error(`process function '${this.name}' registers a timer but has no onTimer(timestamp, ctx) method: add one`);
  }

  registerEventTime(timestamp: number): void {
    this.check(timestamp);
    this.timers.registerEventTimeTimer(timestamp);
  }
  deleteEventTime(timestamp: number): void {
    this.timers.deleteEventTimeTimer(timestamp);
  }
  registerProcessingTime(timestamp: number): void {
    this.check(timestamp);
    this.timers.registerProcessingTimeTimer(timestamp);
  }
  deleteProcessingTime(timestamp: number): void {
    this.timers.deleteProcessingTimeTimer(timestamp);
  }
}

function unkeyedTimers(name: string): ProcessTimers {
  const refuse = (): never => {
    throw new Error(`process function '${name}' uses timers, which are per key: add PARTITION BY to its PROCESS step`);
  };
  return { registerEventTime: refuse, deleteEventTime: refuse, registerProcessingTime: refuse, deleteProcessingTime: refuse };
}

import type { WindowFunction, WindowStep } from '../../grammar/ast/index.js';
import { Diagnostics } from '../diagnostics/catalogue.js';
import { checkExpr } from '../expressions/check-expr.js';
import type { StreamSchema, WindowSpec } from '../graph/job-graph.js';
import { constantIntervalMs } from './constant-interval.js';
import { operatorName, stepText } from './operator-names.js';
import type { PlanContext } from './plan-context.js';
import { scopeOf, type PlannedStream } from './planned-stream.js';
import { WINDOW_BOUNDS } from './state-declarations.js';

/** What each duration after the time column is, in the order written (the parser checks their number). */
const DURATIONS: Record<WindowFunction, readonly string[]> = {
  TUMBLE: ['size'],
  HOP: ['slide', 'size'],
  SESSION: ['gap'],
};

function windowSpec(fn: WindowFunction, timeIndex: number, ms: readonly number[]): WindowSpec {
  switch (fn) {
    case 'TUMBLE':
      return { type: 'tumble', timeIndex, sizeMs: ms[0]! };
    case 'HOP':
      return { type: 'hop', timeIndex, slideMs: ms[0]!, sizeMs: ms[1]! };
    case 'SESSION':
      return { type: 'session', timeIndex, gapMs: ms[0]! };
  }
}

/** The durations of the step in milliseconds, each checked constant and positive; undefined after an error. */
function durations(step: WindowStep, stream: PlannedStream, ctx: PlanContext): number[] | undefined {
  const fn = step.function;
  const scope = scopeOf(stream);
  const values: number[] = [];
  step.args.forEach((arg, i) => {
    const what = DURATIONS[fn][i]!;
    const before = ctx.bag.items.length;
    const ms = constantIntervalMs(arg, scope, ctx.exprs);
    if (ms === undefined) {
      if (ctx.bag.items.length === before) ctx.bag.report(Diagnostics.DurationNotConstant, arg.span, { what, function: fn });
    } else if (ms <= 0) {
      ctx.bag.report(Diagnostics.DurationNotPositive, arg.span, { what, function: fn, ms });
    } else {
      values.push(ms);
    }
  });
  if (values.length !== step.args.length) return undefined;
  if (fn === 'HOP' && values[1]! % values[0]! !== 0) {
    const [slide, size] = values as [number, number];
    ctx.bag.report(Diagnostics.HopSizeNotMultipleOfSlide, step.args[1]!.span, { size, slide, suggestion: Math.max(1, Math.round(size / slide)) * slide });
    return undefined;
  }
  return values;
}

/**
 * Plans `WINDOW TUMBLE|HOP|SESSION(time, …)`: checks it and returns the stream with a pending window (its
 * schema gains window_start and window_end); the next step decides what it becomes (see `materializeWindow`).
 */
export function planWindow(input: PlannedStream, step: WindowStep, ctx: PlanContext): PlannedStream | undefined {
  const stream = materializeWindow(input, ctx);
  if (stream === undefined) return undefined;
  const { schema } = stream;
  const fn = step.function;
  if (schema.rowtime === undefined) {
    ctx.bag.report(Diagnostics.NoTimeAttribute, step.timeColumn.span, { function: fn });
    return undefined;
  }
  const rowtime = schema.rowtime;
  const time = checkExpr(step.timeColumn, scopeOf(stream), ctx.exprs);
  if (time === undefined) return undefined;
  if (time.op !== 'column' || time.index !== rowtime) {
    ctx.bag.report(Diagnostics.WindowOnNonTimeAttribute, step.timeColumn.span, { function: fn, rowtime: schema.fields[rowtime]!.name });
    return undefined;
  }
  const ms = durations(step, stream, ctx);
  if (ms === undefined) return undefined;
  const clash = WINDOW_BOUNDS.find((b) => schema.fields.some((f) => f.name === b.name));
  if (clash !== undefined) {
    ctx.bag.report(Diagnostics.WindowColumnsExist, step.functionSpan, { name: clash.name });
    return undefined;
  }
  const spec = windowSpec(fn, rowtime, ms);
  const n = schema.fields.length;
  const windowed: StreamSchema = {
    fields: [...schema.fields, ...WINDOW_BOUNDS],
    changelog: 'append',
    rowtime,
    window: { start: n, end: n + 1, spec },
  };
  // The window columns belong to the stream of the time column, so `p.window_start` works after a JOIN.
  const owner = stream.qualifiers[rowtime];
  return { ...stream, pendingWindow: { step, spec, schema: windowed, qualifiers: [...stream.qualifiers, owner, owner] } };
}

/**
 * The stream with its pending WINDOW (if any) turned into a `window_assign` operator, made once per WINDOW step
 * and shared by all readers of a view ending in WINDOW. A SESSION cannot be assigned without its aggregate.
 */
export function materializeWindow(stream: PlannedStream, ctx: PlanContext): PlannedStream | undefined {
  const pending = stream.pendingWindow;
  if (pending === undefined) return stream;
  if (!ctx.materializedWindows.has(pending.step)) ctx.materializedWindows.set(pending.step, assignWindows(stream, ctx));
  const made = ctx.materializedWindows.get(pending.step);
  return made === undefined ? undefined : { ...made, qualifiers: pending.qualifiers };
}

function assignWindows(stream: PlannedStream, ctx: PlanContext): PlannedStream | undefined {
  const { step, spec, schema, qualifiers } = stream.pendingWindow!;
  if (spec.type === 'session') {
    ctx.bag.report(Diagnostics.SessionWithoutAggregate, step.functionSpan);
    return undefined;
  }
  const node = ctx.graph.add({
    uid: step.uid?.value ?? null,
    name: operatorName('Window', stepText(ctx.source, step)),
    inputs: [stream.schema],
    output: schema,
    state: [],
    span: step.span,
    spec: { kind: 'window_assign', window: spec },
  });
  ctx.graph.connect(stream.node, node, 0);
  return { node, schema, qualifiers };
}

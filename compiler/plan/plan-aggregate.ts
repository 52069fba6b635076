import type { AggregateStep } from '../../grammar/ast/index.js';
import { Diagnostics } from '../diagnostics/catalogue.js';
import { checkExpr } from '../expressions/check-expr.js';
import type { TypedExpr } from '../expressions/typed-expr.js';
import { checkAggregate } from '../functions/aggregates.js';
import type { AggregateCall, StreamSchema } from '../graph/job-graph.js';
import type { Field } from '../types/sql-type.js';
import { operatorName, stepText } from './operator-names.js';
import { checkDistinctNames, outputName } from './output-names.js';
import type { PlanContext } from './plan-context.js';
import { materializeWindow } from './plan-window.js';
import { scopeOf, visibleShape, type PlannedStream } from './planned-stream.js';
import { addProjection, pruneColumns } from './project.js';
import { groupAggregateState, windowAggregateState } from './state-declarations.js';
import { collectColumns, renumberColumns } from './typed-expr-columns.js';

/** The checked parts of an AGGREGATE step: GROUP BY keys, then aggregates, with their output names. */
interface Aggregation {
  readonly step: AggregateStep;
  readonly keys: readonly TypedExpr[];
  readonly keyNames: readonly string[];
  readonly keyQualifiers: readonly (string | undefined)[];
  readonly calls: readonly AggregateCall[];
}

function keyFields(keys: readonly TypedExpr[], names: readonly string[]): Field[] {
  return keys.map((k, i) => ({ name: names[i]!, type: k.type, nullable: k.nullable }));
}

function callFields(calls: readonly AggregateCall[]): Field[] {
  return calls.map((c) => ({ name: c.name, type: c.resultType, nullable: c.nullable }));
}

/**
 * `AGGREGATE … [GROUP BY …]`. Grouped by window_start and window_end of a windowed stream it is a
 * `window_aggregate`: folded with the WINDOW right before it when nothing else reads the window columns, else
 * over rows that carry their window (after a window_assign, or a window aggregate's output — Flink's window
 * propagation). Otherwise it is a continuous `group_aggregate`, an upsert stream keyed by the group keys.
 * Output columns: the GROUP BY items in order, then the aggregates.
 */
export function planAggregate(input: PlannedStream, step: AggregateStep, ctx: PlanContext): PlannedStream | undefined {
  const shape = visibleShape(input);
  const scope = scopeOf(shape);
  const keys = step.groupBy.map((g) => checkExpr(g.expr, scope, ctx.exprs));
  const calls = step.aggregates.map((a) => checkAggregate(a, scope, ctx.exprs, step.groupBy.length === 0));
  const keyNames = step.groupBy.map((g, i) => outputName(g.expr, g.alias, i));
  const names = [
    ...step.groupBy.map((g, i) => ({ name: keyNames[i]!, span: g.alias?.span ?? g.span })),
    ...step.aggregates.map((a) => ({ name: a.alias.name, span: a.alias.span })),
  ];
  if (!checkDistinctNames(names, ctx.bag)) return undefined;
  if (keys.some((k) => k === undefined) || calls.some((c) => c === undefined)) return undefined;
  const typedKeys = keys as TypedExpr[];
  const aggregation: Aggregation = {
    step,
    keys: typedKeys,
    keyNames,
    keyQualifiers: typedKeys.map((k) => (k.op === 'column' ? shape.qualifiers[k.index] : undefined)),
    calls: calls as AggregateCall[],
  };

  const window = shape.schema.window;
  const isColumn = (k: TypedExpr, index: number): boolean => k.op === 'column' && k.index === index;
  if (window !== undefined && typedKeys.some((k) => isColumn(k, window.start)) && typedKeys.some((k) => isColumn(k, window.end))) {
    const pending = input.pendingWindow;
    if (pending !== undefined && !readsWindowColumns(aggregation, window.start, window.end)) {
      if (pending.step.uid !== undefined) {
        ctx.bag.report(Diagnostics.UnusedWindowUid, pending.step.uid.span, { uid: pending.step.uid.value, step: 'AGGREGATE' });
      }
      const name = `${stepText(ctx.source, pending.step)} |> ${stepText(ctx.source, step)}`;
      const folded = pruneFolded({ node: input.node, schema: input.schema, qualifiers: input.qualifiers }, aggregation, window, pending.spec, ctx);
      return windowAggregate(folded.stream, folded.aggregation, folded.window, folded.window.spec, name, ctx);
    }
    const carried = materializeWindow(input, ctx);
    return carried === undefined ? undefined : windowAggregate(carried, aggregation, window, window.spec, stepText(ctx.source, step), ctx);
  }
  const stream = materializeWindow(input, ctx);
  return stream === undefined ? undefined : groupAggregate(stream, aggregation, ctx);
}

/**
 * A WINDOW folded into its aggregate: the aggregate reads the input's time column, its other GROUP BY keys and its
 * aggregates' arguments, so the other columns are pruned before the exchange (pruneColumns) and keys, arguments
 * and window re-based onto the pruned row; the window columns, appended to the input's in the WINDOW's shape,
 * follow the pruned row. An input that carries a window of its own is left whole (its window columns stay).
 */
function pruneFolded(
  stream: PlannedStream,
  aggregation: Aggregation,
  window: NonNullable<StreamSchema['window']>,
  spec: NonNullable<StreamSchema['window']>['spec'],
  ctx: PlanContext,
): { stream: PlannedStream; aggregation: Aggregation; window: NonNullable<StreamSchema['window']> } {
  const unchanged = { stream, aggregation, window: { ...window, spec } };
  if (stream.schema.window !== undefined) return unchanged;
  const width = stream.schema.fields.length;
  const read = new Set([spec.timeIndex]);
  for (const k of aggregation.keys) if (!(k.op === 'column' && (k.index === window.start || k.index === window.end))) collectColumns(k, read);
  for (const c of aggregation.calls) for (const a of c.args) collectColumns(a, read);
  const pruned = pruneColumns(ctx, stream, read, aggregation.step.span);
  if (pruned === undefined) return unchanged;
  const prunedWidth = pruned.stream.schema.fields.length;
  const at = (index: number): number => (index >= width ? index - width + prunedWidth : pruned.positionOf(index));
  return {
    stream: pruned.stream,
    aggregation: {
      ...aggregation,
      keys: aggregation.keys.map((k) => renumberColumns(k, at)),
      calls: aggregation.calls.map((c) => ({ ...c, args: c.args.map((a) => renumberColumns(a, at)) })),
    },
    window: { start: at(window.start), end: at(window.end), spec: { ...spec, timeIndex: at(spec.timeIndex) } },
  };
}

/** Whether a GROUP BY key other than the bare window columns, or an aggregate argument, reads a window column. */
function readsWindowColumns(aggregation: Aggregation, start: number, end: number): boolean {
  const read = new Set<number>();
  for (const k of aggregation.keys) if (!(k.op === 'column' && (k.index === start || k.index === end))) collectColumns(k, read);
  for (const c of aggregation.calls) for (const a of c.args) collectColumns(a, read);
  return read.has(start) || read.has(end);
}

/**
 * Windowed streams are append-only (an updating stream has no time attribute, so it is never windowed).
 * The operator emits the other keys, window_start, window_end, then the aggregates (the job graph's contract);
 * a projection restores the GROUP BY order when it differs. Its time attribute is window_end.
 */
function windowAggregate(
  stream: PlannedStream,
  aggregation: Aggregation,
  window: NonNullable<StreamSchema['window']>,
  spec: NonNullable<StreamSchema['window']>['spec'],
  detail: string,
  ctx: PlanContext,
): PlannedStream | undefined {
  const { step, keys, keyNames, keyQualifiers, calls } = aggregation;
  const startAt = keys.findIndex((k) => k.op === 'column' && k.index === window.start);
  const endAt = keys.findIndex((k) => k.op === 'column' && k.index === window.end);
  const others = keys.flatMap((_, i) => (i === startAt || i === endAt ? [] : [i]));
  const order = [...others, startAt, endAt];
  const otherKeys = others.map((i) => keys[i]!);
  const otherFields = keyFields(otherKeys, others.map((i) => keyNames[i]!));
  const bound = (i: number): Field => ({ name: keyNames[i]!, type: keys[i]!.type, nullable: false });
  const k = others.length;
  const output: StreamSchema = {
    fields: [...otherFields, bound(startAt), bound(endAt), ...callFields(calls)],
    changelog: 'append',
    rowtime: k + 1,
    window: { start: k, end: k + 1, spec: { ...spec, timeIndex: k + 1 } },
  };
  const node = ctx.graph.add({
    uid: step.uid?.value ?? null,
    name: operatorName('WindowAggregate', detail),
    inputs: [stream.schema],
    output,
    state: windowAggregateState(otherFields, calls, spec.type === 'session'),
    span: step.span,
    spec: { kind: 'window_aggregate', window: spec, keys: otherKeys, aggregates: [...calls] },
  });
  ctx.graph.connect(stream.node, node, 0, otherKeys);
  const qualifiers = [...order.map((i) => keyQualifiers[i]), ...calls.map(() => undefined)];
  const planned: PlannedStream = { node, schema: output, qualifiers };
  if (order.every((position, i) => position === i)) return planned;

  // Back to the GROUP BY order: position i of the result reads column `from[i]` of the operator's output.
  const from = [...keys.map((_, i) => order.indexOf(i)), ...calls.map((_, j) => keys.length + j)];
  return addProjection(
    ctx,
    planned,
    from.map((p) => ({ op: 'column', index: p, name: output.fields[p]!.name, type: output.fields[p]!.type, nullable: output.fields[p]!.nullable })),
    from.map((p) => output.fields[p]!.name),
    from.map((p) => qualifiers[p]),
    { uid: null, name: operatorName('Project', from.map((p) => output.fields[p]!.name).join(', ')), span: step.span },
  );
}

/**
 * A continuous aggregate. Over an updating input each GROUP BY key must be a column of the input's upsert key:
 * an update then stays in its group, and the operator retracts the previous row of that upsert key itself — unless
 * the input sends before-images (a changelog source's), whose -U retracts a row from the group it leaves.
 */
function groupAggregate(stream: PlannedStream, aggregation: Aggregation, ctx: PlanContext): PlannedStream | undefined {
  const { step, keys, keyNames, keyQualifiers, calls } = aggregation;
  const { schema } = stream;
  let retraction: { upsertKey: Field[]; row: Field[] } | undefined;
  if (schema.changelog === 'upsert') {
    const upsertKey = schema.upsertKey ?? [];
    const inKey = (k: TypedExpr): boolean => k.op === 'column' && upsertKey.includes(k.index);
    if (schema.upsertKey === undefined || (schema.beforeImages !== true && !keys.every(inKey))) {
      const names = upsertKey.map((i) => schema.fields[i]!.name);
      ctx.bag.report(Diagnostics.UpdatingAggregateKeys, step.span, { keys: names.length === 0 ? 'it has none' : names.join(', ') });
      return undefined;
    }
    retraction = { upsertKey: upsertKey.map((i) => schema.fields[i]!), row: [...schema.fields] };
  }
  const key = keyFields(keys, keyNames);
  const output: StreamSchema = {
    fields: [...key, ...callFields(calls)],
    changelog: 'upsert',
    upsertKey: keys.map((_, i) => i),
  };
  const node = ctx.graph.add({
    uid: step.uid?.value ?? null,
    name: operatorName('Aggregate', stepText(ctx.source, step)),
    inputs: [schema],
    output,
    state: groupAggregateState(key, calls, retraction),
    span: step.span,
    spec: { kind: 'group_aggregate', keys: [...keys], aggregates: [...calls] },
  });
  ctx.graph.connect(stream.node, node, 0, keys);
  return { node, schema: output, qualifiers: [...keyQualifiers, ...calls.map(() => undefined)] };
}

import { spanBetween, type AggregateStep, type Expr, type JoinStep, type Step } from '../../grammar/ast/index.js';
import { Diagnostics } from '../diagnostics/catalogue.js';
import { DiagnosticBag } from '../diagnostics/diagnostic.js';
import { describeWindow } from '../exporters/describe.js';
import { checkCondition, checkExpr } from '../expressions/check-expr.js';
import { Scope } from '../expressions/scope.js';
import { checkAggregate } from '../functions/aggregates.js';
import type { TypedExpr } from '../expressions/typed-expr.js';
import type { OperatorSpec, StateDescriptor, StreamSchema, WindowSpec } from '../graph/job-graph.js';
import { resolveStream } from '../names/resolve.js';
import { analyzeJoinCondition, type KeyEquality } from './join-condition.js';
import { operatorName, stepText } from './operator-names.js';
import type { PlanContext } from './plan-context.js';
import { materializeWindow } from './plan-window.js';
import { requalify, scopeOf, visibleShape, type PlannedStream } from './planned-stream.js';
import { pruneColumns } from './project.js';
import { intervalJoinState, joinState, keyFieldsOf, windowJoinState } from './state-declarations.js';
import { collectColumns, columnsOf, shiftColumns } from './typed-expr-columns.js';

type Strategy =
  | { readonly kind: 'join' }
  | { readonly kind: 'interval_join'; readonly lowerMs: number; readonly upperMs: number; readonly used: readonly Expr[] }
  | { readonly kind: 'window_join'; readonly window: WindowSpec };

const LABEL: Record<Strategy['kind'], string> = { join: 'Join', interval_join: 'IntervalJoin', window_join: 'WindowJoin' };

/** Window functions and durations alike; where the time column was is irrelevant once rows carry their window. */
function sameWindow(a: WindowSpec, b: WindowSpec): boolean {
  return JSON.stringify({ ...a, timeIndex: 0 }) === JSON.stringify({ ...b, timeIndex: 0 });
}

function isColumn(e: TypedExpr, index: number): boolean {
  return e.op === 'column' && e.index === index;
}

/**
 * `[LEFT] JOIN name [AS alias] ON cond`. Equalities between a left-only and a right-only expression are the
 * keys. Both sides windowed alike with window_start and window_end equated → `window_join` (the window
 * bounds are part of the key, so windows spread over subtasks even without other keys); else both time attributes bounded against each other
 * → `interval_join`; else a regular `join`, whose state grows forever. The rest of the condition is the
 * residual. Output: left columns then right columns (nullable for LEFT), both sides' qualifiers in scope.
 * A window join's inputs carry their window columns: a WINDOW right before it becomes a window_assign. An inner
 * regular join followed by an AGGREGATE (`next`) keeps only the columns the two read (`prunedForAggregate`).
 */
export function planJoin(input: PlannedStream, step: JoinStep, at: number, ctx: PlanContext, next?: Step): PlannedStream | undefined {
  const ref = step.right;
  if (resolveStream(ref.name, at, ctx.catalog, ctx.bag) === undefined) return undefined;
  const planned = ctx.streams.get(ref.name.name);
  if (planned === undefined) return undefined;
  const qualifier = ref.alias?.name ?? ref.name.name;
  if (visibleShape(input).qualifiers.includes(qualifier)) {
    ctx.bag.report(Diagnostics.DuplicateQualifier, (ref.alias ?? ref.name).span, { name: qualifier, stream: ref.name.name, suggestion: `${qualifier}2` });
    return undefined;
  }
  return joinStreams(input, requalify(planned, qualifier), step, ctx, next);
}

/** Plans the join of `input` and `right` (qualified as the step names it); `next`, the step after it, may let it prune its inputs. */
function joinStreams(input: PlannedStream, right: PlannedStream, step: JoinStep, ctx: PlanContext, next: Step | undefined): PlannedStream | undefined {
  const leftShape = visibleShape(input);
  const rightShape = visibleShape(right);
  const leftWidth = leftShape.schema.fields.length;
  const scope = scopeOf(leftShape).concat(scopeOf(rightShape));
  const rightTime = rightShape.schema.rowtime;
  const condition = analyzeJoinCondition(
    step.condition,
    { scope, leftWidth, leftTime: leftShape.schema.rowtime, rightTime: rightTime === undefined ? undefined : leftWidth + rightTime },
    ctx.exprs,
  );
  if (condition === undefined) return undefined;
  if (condition.equalities.length === 0) {
    const example = `${leftShape.qualifiers.find((q) => q !== undefined) ?? 'left'}.<column> = ${step.right.alias?.name ?? step.right.name.name}.<column>`;
    ctx.bag.report(Diagnostics.JoinWithoutEquality, step.condition.span, { example });
    return undefined;
  }
  const strategy = chooseStrategy(leftShape.schema, rightShape.schema, leftWidth, condition, step, ctx);
  if (strategy === undefined) return undefined;
  if (strategy.kind === 'join' && next?.kind === 'AggregateStep') {
    const pruned = prunedForAggregate(input, right, leftWidth, scope, step, next, ctx);
    if (pruned !== undefined) return joinStreams(pruned.left, pruned.right, step, ctx, undefined);
  }

  const left = materializeWindow(input, ctx);
  const rightStream = materializeWindow(right, ctx);
  if (left === undefined || rightStream === undefined) return undefined;
  for (const side of [left, rightStream]) {
    if (side.schema.changelog !== 'append') {
      ctx.bag.report(Diagnostics.UpdatingInput, step.span, { operation: 'JOIN' });
      return undefined;
    }
  }

  const keys = condition.equalities;
  const consumed = new Set<Expr>([...condition.equalities.map((e) => e.conjunct), ...(strategy.kind === 'interval_join' ? strategy.used : [])]);
  const rest = condition.conjuncts.filter((c) => !consumed.has(c));
  const residual = residualOf(rest, scope, ctx);
  const leftKeys = keys.map((k) => k.left);
  const rightKeys = keys.map((k) => shiftColumns(k.right, -leftWidth));
  const joinType = step.joinType === 'LEFT' ? 'left' : 'inner';
  const keyType = keyFieldsOf(leftKeys);
  const leftFields = left.schema.fields;
  const rightFields = rightStream.schema.fields;

  let spec: OperatorSpec;
  let state: StateDescriptor[];
  let extra: Pick<StreamSchema, 'rowtime' | 'window'> = {};
  const common = { joinType, leftKeys, rightKeys, ...(residual === undefined ? {} : { residual }) } as const;
  switch (strategy.kind) {
    case 'join': {
      const uniqueInputs = joinType === 'inner' ? [left.schema, rightStream.schema].flatMap((side, input) => (uniqueByKey(side, input === 0 ? leftKeys : rightKeys) ? [input] : [])) : [];
      spec = { kind: 'join', ...common, ...(uniqueInputs.length === 0 ? {} : { uniqueInputs }) };
      state = joinState(joinType, keyType, leftFields, rightFields);
      if (left.schema.rowtime !== undefined && rightStream.schema.rowtime !== undefined && !hasStateTtl(step, ctx)) {
        const name = (shape: typeof leftShape, index: number): string => {
          const q = shape.qualifiers[index];
          return `${q === undefined ? '' : `${q}.`}${shape.schema.fields[index]!.name}`;
        };
        ctx.bag.report(Diagnostics.UnboundedJoinState, step.span, {
          kept: keptForever(uniqueInputs),
          left: name(leftShape, left.schema.rowtime),
          right: name(rightShape, rightStream.schema.rowtime),
        });
      }
      break;
    }
    case 'interval_join': {
      const leftTimeIndex = left.schema.rowtime!;
      const rightTimeIndex = rightStream.schema.rowtime!;
      spec = { kind: 'interval_join', ...common, leftTimeIndex, rightTimeIndex, lowerMs: strategy.lowerMs, upperMs: strategy.upperMs };
      state = intervalJoinState(joinType, keyType, leftFields, rightFields, leftFields[leftTimeIndex]!, rightFields[rightTimeIndex]!);
      extra = { rowtime: leftTimeIndex };
      break;
    }
    case 'window_join': {
      spec = { kind: 'window_join', ...common, window: strategy.window };
      state = windowJoinState(keyType, leftFields, rightFields);
      const window = left.schema.window!;
      extra = { rowtime: window.end, window: { ...window, spec: { ...window.spec, timeIndex: window.end } } };
      break;
    }
  }

  const output: StreamSchema = {
    fields: [...leftFields, ...rightFields.map((f) => (joinType === 'left' ? { ...f, nullable: true } : f))],
    changelog: strategy.kind === 'join' && joinType === 'left' ? 'upsert' : 'append',
    ...extra,
  };
  const node = ctx.graph.add({
    uid: step.uid?.value ?? null,
    name: operatorName(`${joinType === 'left' ? 'Left' : ''}${LABEL[strategy.kind]}`, stepText(ctx.source, step)),
    inputs: [left.schema, rightStream.schema],
    output,
    state,
    span: step.span,
    spec,
  });
  ctx.graph.connect(left.node, node, 0, leftKeys);
  ctx.graph.connect(rightStream.node, node, 1, rightKeys);
  return { node, schema: output, qualifiers: [...leftShape.qualifiers, ...rightShape.qualifiers] };
}

/**
 * An inner regular join read only by the AGGREGATE right after it keeps every row of both sides in state for ever,
 * so it keeps only the columns its condition and the aggregate read: each side is pruned (pruneColumns) before it,
 * as Flink's planner pushes projections below a join, and unread columns (Nexmark's long strings) die with their
 * batch instead of living in state. The join's state then declares the pruned rows; a savepoint of the unpruned
 * join restores with those columns dropped (value-schema rule). Undefined when nothing is pruned, when a side
 * carries a window or has two columns of one name (restores match columns by name), or when the aggregate does not
 * check (it reports its own errors when planned).
 */
function prunedForAggregate(
  left: PlannedStream,
  right: PlannedStream,
  leftWidth: number,
  scope: Scope,
  step: JoinStep,
  aggregate: AggregateStep,
  ctx: PlanContext,
): { readonly left: PlannedStream; readonly right: PlannedStream } | undefined {
  if (step.joinType === 'LEFT') return undefined;
  const quiet = { ...ctx.exprs, bag: new DiagnosticBag(ctx.bag.file) };
  const condition = checkCondition(step.condition, scope, quiet);
  if (condition === undefined) return undefined;
  const read = columnsOf(condition);
  for (const item of aggregate.groupBy) {
    const key = checkExpr(item.expr, scope, quiet);
    if (key === undefined) return undefined;
    collectColumns(key, read);
  }
  for (const item of aggregate.aggregates) {
    const call = checkAggregate(item, scope, quiet, aggregate.groupBy.length === 0);
    if (call === undefined) return undefined;
    for (const arg of call.args) collectColumns(arg, read);
  }
  const side = (stream: PlannedStream, columns: number[]): PlannedStream => {
    const names = stream.schema.fields.map((f) => f.name);
    if (stream.pendingWindow !== undefined || stream.schema.window !== undefined || new Set(names).size < names.length) return stream;
    return pruneColumns(ctx, stream, new Set(columns), step.span, true)?.stream ?? stream;
  };
  const prunedLeft = side(left, [...read].filter((i) => i < leftWidth));
  const prunedRight = side(right, [...read].filter((i) => i >= leftWidth).map((i) => i - leftWidth));
  return prunedLeft === left && prunedRight === right ? undefined : { left: prunedLeft, right: prunedRight };
}

function chooseStrategy(
  left: StreamSchema,
  right: StreamSchema,
  leftWidth: number,
  condition: NonNullable<ReturnType<typeof analyzeJoinCondition>>,
  step: JoinStep,
  ctx: PlanContext,
): Strategy | undefined {
  const lw = left.window;
  const rw = right.window;
  if (lw !== undefined && rw !== undefined) {
    const equating = (l: number, r: number): KeyEquality | undefined =>
      condition.equalities.find((e) => isColumn(e.left, l) && isColumn(e.right, leftWidth + r));
    const start = equating(lw.start, rw.start);
    const end = equating(lw.end, rw.end);
    if (start !== undefined && end !== undefined) {
      if (!sameWindow(lw.spec, rw.spec)) {
        ctx.bag.report(Diagnostics.WindowJoinMismatch, step.condition.span, { left: describeWindow(lw.spec), right: describeWindow(rw.spec) });
        return undefined;
      }
      return { kind: 'window_join', window: lw.spec };
    }
  }
  const { lowerMs, upperMs, conjuncts } = condition.bounds;
  if (lowerMs !== undefined && upperMs !== undefined) return { kind: 'interval_join', lowerMs, upperMs, used: conjuncts };
  return { kind: 'join' };
}

/** The conjuncts no strategy consumed, as one condition over the joined row (already checked, so checked quietly). */
function residualOf(rest: readonly Expr[], scope: Scope, ctx: PlanContext): TypedExpr | undefined {
  if (rest.length === 0) return undefined;
  const combined = rest.reduce(
    (left, right): Expr => ({ kind: 'BinaryExpr', operator: 'AND', left, right, operatorSpan: right.span, span: spanBetween(left.span, right.span) }),
  );
  return checkCondition(combined, scope, { ...ctx.exprs, bag: new DiagnosticBag(ctx.bag.file) });
}

/** Whether the join's state expires: its own `TTL` (not a zero one), else `table.exec.state.ttl`. */
function hasStateTtl(step: JoinStep, ctx: PlanContext): boolean {
  const ttl = step.uid?.ttl;
  return ttl === undefined ? ctx.stateTtlMs > 0 : Number(ttl.value) !== 0;
}

/** What a regular inner join keeps for ever, given its unique inputs: a side facing a unique side keeps only rows still waiting for it. */
function keptForever(uniqueInputs: readonly number[]): string {
  if (uniqueInputs.length === 0) return 'every row of both sides';
  if (uniqueInputs.length === 2) return 'every row of both sides that has not met its match';
  const [unique, other] = uniqueInputs[0] === 0 ? ['left', 'right'] : ['right', 'left'];
  return `every row of its ${unique} side (of its ${other} side, the rows whose ${unique} row has not arrived)`;
}

/** Whether `side` holds at most one row per join key: its unique key's columns are all among `keys` (bare columns). */
function uniqueByKey(side: StreamSchema, keys: readonly TypedExpr[]): boolean {
  const unique = side.uniqueKey;
  return unique !== undefined && unique.every((column) => keys.some((k) => k.op === 'column' && k.index === column));
}

import { spanBetween, type Expr, type JoinStep } from '../../grammar/ast/index.js';
import { Diagnostics } from '../diagnostics/catalogue.js';
import { DiagnosticBag } from '../diagnostics/diagnostic.js';
import { describeWindow } from '../exporters/describe.js';
import { checkCondition } from '../expressions/check-expr.js';
import { Scope } from '../expressions/scope.js';
import type { TypedExpr } from '../expressions/typed-expr.js';
import type { OperatorSpec, StateDescriptor, StreamSchema, WindowSpec } from '../graph/job-graph.js';
import { resolveStream } from '../names/resolve.js';
import { analyzeJoinCondition, type KeyEquality } from './join-condition.js';
import { operatorName, stepText } from './operator-names.js';
import type { PlanContext } from './plan-context.js';
import { materializeWindow } from './plan-window.js';
import { requalify, scopeOf, visibleShape, type PlannedStream } from './planned-stream.js';
import { intervalJoinState, joinState, keyFieldsOf, windowJoinState } from './state-declarations.js';
import { shiftColumns } from './typed-expr-columns.js';

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
 * A window join's inputs carry their window columns: a WINDOW right before it becomes a window_assign.
 */
export function planJoin(input: PlannedStream, step: JoinStep, at: number, ctx: PlanContext): PlannedStream | undefined {
  const ref = step.right;
  if (resolveStream(ref.name, at, ctx.catalog, ctx.bag) === undefined) return undefined;
  const planned = ctx.streams.get(ref.name.name);
  if (planned === undefined) return undefined;
  const qualifier = ref.alias?.name ?? ref.name.name;
  const leftShape = visibleShape(input);
  if (leftShape.qualifiers.includes(qualifier)) {
    ctx.bag.report(Diagnostics.DuplicateQualifier, (ref.alias ?? ref.name).span, { name: qualifier, stream: ref.name.name, suggestion: `${qualifier}2` });
    return undefined;
  }
  const right = requalify(planned, qualifier);
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
    const example = `${leftShape.qualifiers.find((q) => q !== undefined) ?? 'left'}.<column> = ${qualifier}.<column>`;
    ctx.bag.report(Diagnostics.JoinWithoutEquality, step.condition.span, { example });
    return undefined;
  }
  const strategy = chooseStrategy(leftShape.schema, rightShape.schema, leftWidth, condition, step, ctx);
  if (strategy === undefined) return undefined;

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
    case 'join':
      spec = { kind: 'join', ...common };
      state = joinState(joinType, keyType, leftFields, rightFields);
      if (left.schema.rowtime !== undefined && rightStream.schema.rowtime !== undefined && !hasStateTtl(step, ctx)) {
        const name = (shape: typeof leftShape, index: number): string => {
          const q = shape.qualifiers[index];
          return `${q === undefined ? '' : `${q}.`}${shape.schema.fields[index]!.name}`;
        };
        ctx.bag.report(Diagnostics.UnboundedJoinState, step.span, {
          left: name(leftShape, left.schema.rowtime),
          right: name(rightShape, rightStream.schema.rowtime),
        });
      }
      break;
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

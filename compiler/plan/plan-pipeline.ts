import type { Pipeline, Step, StepKind } from '../../grammar/ast/index.js';
import { resolveStream } from '../names/resolve.js';
import { planAggregate } from './plan-aggregate.js';
import type { PlanContext } from './plan-context.js';
import { planDeduplicate } from './plan-deduplicate.js';
import { planExtend } from './plan-extend.js';
import { planJoin } from './plan-join.js';
import { planProcess } from './plan-process.js';
import { planSelect } from './plan-select.js';
import { planUnion } from './plan-union.js';
import { planWhere } from './plan-where.js';
import { planWindow } from './plan-window.js';
import { requalify, type PlannedStream } from './planned-stream.js';

/** `next`: the step after this one, for a step that plans differently by what reads its output. */
type StepPlanner<S extends Step> = (stream: PlannedStream, step: S, at: number, ctx: PlanContext, next: Step | undefined) => PlannedStream | undefined;

/** One planner per step kind; a new kind without a planner is a compile error. */
const PLANNERS: { readonly [K in StepKind]: StepPlanner<Extract<Step, { kind: K }>> } = {
  WhereStep: (stream, step, _at, ctx) => planWhere(stream, step, ctx),
  SelectStep: (stream, step, _at, ctx) => planSelect(stream, step, ctx),
  ExtendStep: (stream, step, _at, ctx) => planExtend(stream, step, ctx),
  WindowStep: (stream, step, _at, ctx) => planWindow(stream, step, ctx),
  AggregateStep: (stream, step, _at, ctx) => planAggregate(stream, step, ctx),
  JoinStep: planJoin,
  UnionStep: planUnion,
  DeduplicateStep: (stream, step, _at, ctx) => planDeduplicate(stream, step, ctx),
  ProcessStep: (stream, step, _at, ctx) => planProcess(stream, step, ctx),
};

/**
 * Plans `FROM name [AS alias] |> step …` of the statement at position `at`. The result may end in a pending
 * WINDOW (a view's readers decide what it becomes). Planning stops at the first step with an error: the
 * steps after it would only report consequences of it.
 */
export function planPipeline(pipeline: Pipeline, at: number, ctx: PlanContext): PlannedStream | undefined {
  const from = pipeline.from;
  if (resolveStream(from.name, at, ctx.catalog, ctx.bag) === undefined) return undefined;
  const planned = ctx.streams.get(from.name.name);
  if (planned === undefined) return undefined;
  let stream = requalify(planned, from.alias?.name ?? from.name.name);
  for (let i = 0; i < pipeline.steps.length; i++) {
    const step = pipeline.steps[i]!;
    const result = (PLANNERS[step.kind] as StepPlanner<Step>)(stream, step, at, ctx, pipeline.steps[i + 1]);
    if (result === undefined) return undefined;
    stream = result;
  }
  return stream;
}

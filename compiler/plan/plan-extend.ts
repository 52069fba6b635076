import type { ExtendStep } from '../../grammar/ast/index.js';
import { checkExpr } from '../expressions/check-expr.js';
import type { TypedExpr } from '../expressions/typed-expr.js';
import { operatorName, stepText } from './operator-names.js';
import { checkDistinctNames } from './output-names.js';
import type { PlanContext } from './plan-context.js';
import { materializeWindow } from './plan-window.js';
import { scopeOf, type PlannedStream } from './planned-stream.js';
import { addProjection } from './project.js';

/** `EXTEND expr AS name, …` → `project` keeping every input column (and its qualifier) and appending the new ones. */
export function planExtend(input: PlannedStream, step: ExtendStep, ctx: PlanContext): PlannedStream | undefined {
  const stream = materializeWindow(input, ctx);
  if (stream === undefined) return undefined;
  const scope = scopeOf(stream);
  const kept: TypedExpr[] = stream.schema.fields.map((f, index) => ({ op: 'column', index, name: f.name, type: f.type, nullable: f.nullable }));
  const added = step.items.map((item) => checkExpr(item.expr, scope, ctx.exprs));
  // Input columns may share a name (both sides' `id` after a JOIN); only the new names must be distinct.
  const existing = new Map(stream.schema.fields.map((f) => [f.name, { name: f.name, span: step.span }]));
  const names = step.items.map((item) => ({ name: item.alias.name, span: item.alias.span }));
  if (!checkDistinctNames([...existing.values(), ...names], ctx.bag)) return undefined;
  if (added.some((e) => e === undefined)) return undefined;
  return addProjection(
    ctx,
    stream,
    [...kept, ...(added as TypedExpr[])],
    [...stream.schema.fields.map((f) => f.name), ...names.map((n) => n.name)],
    [...stream.qualifiers, ...step.items.map(() => undefined)],
    { uid: step.uid?.value ?? null, name: operatorName('Extend', stepText(ctx.source, step)), span: step.span },
  );
}

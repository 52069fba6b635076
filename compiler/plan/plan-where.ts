import type { WhereStep } from '../../grammar/ast/index.js';
import { checkCondition } from '../expressions/check-expr.js';
import { operatorName, stepText } from './operator-names.js';
import type { PlanContext } from './plan-context.js';
import { materializeWindow } from './plan-window.js';
import { scopeOf, type PlannedStream } from './planned-stream.js';

/** `WHERE cond` → `filter`; the schema is unchanged, so planning goes on after an error in the condition. */
export function planWhere(input: PlannedStream, step: WhereStep, ctx: PlanContext): PlannedStream | undefined {
  const stream = materializeWindow(input, ctx);
  if (stream === undefined) return undefined;
  const condition = checkCondition(step.condition, scopeOf(stream), ctx.exprs);
  if (condition === undefined) return stream;
  const node = ctx.graph.add({
    uid: step.uid?.value ?? null,
    name: operatorName('Filter', stepText(ctx.source, step)),
    inputs: [stream.schema],
    output: stream.schema,
    state: [],
    span: step.span,
    spec: { kind: 'filter', condition },
  });
  ctx.graph.connect(stream.node, node, 0);
  return { ...stream, node };
}

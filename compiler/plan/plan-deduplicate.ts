import type { DeduplicateStep } from '../../grammar/ast/index.js';
import { Diagnostics } from '../diagnostics/catalogue.js';
import { checkExpr } from '../expressions/check-expr.js';
import type { TypedExpr } from '../expressions/typed-expr.js';
import type { StreamSchema } from '../graph/job-graph.js';
import { operatorName, stepText } from './operator-names.js';
import type { PlanContext } from './plan-context.js';
import { materializeWindow } from './plan-window.js';
import { scopeOf, type PlannedStream } from './planned-stream.js';
import { deduplicateState, keyFieldsOf } from './state-declarations.js';

/**
 * `DEDUPLICATE BY keys [KEEP FIRST|LAST]` → `deduplicate`. KEEP FIRST emits the first row of each key and stays
 * append-only (time attribute kept); KEEP LAST emits every row as the new value of its key: an upsert stream,
 * keyed by the key columns when every key is a bare column.
 */
export function planDeduplicate(input: PlannedStream, step: DeduplicateStep, ctx: PlanContext): PlannedStream | undefined {
  const stream = materializeWindow(input, ctx);
  if (stream === undefined) return undefined;
  const scope = scopeOf(stream);
  const checked = step.keys.map((k) => checkExpr(k, scope, ctx.exprs));
  if (checked.some((k) => k === undefined)) return undefined;
  const keys = checked as TypedExpr[];
  const { schema } = stream;
  if (schema.changelog !== 'append') {
    ctx.bag.report(Diagnostics.UpdatingInput, step.span, { operation: 'DEDUPLICATE' });
    return undefined;
  }
  const keep = step.keep === 'LAST' ? 'last' : 'first';
  const positions = keys.map((k) => (k.op === 'column' ? k.index : undefined));
  const output: StreamSchema =
    keep === 'first'
      ? schema
      : {
          fields: schema.fields,
          changelog: 'upsert',
          ...(positions.every((p) => p !== undefined) ? { upsertKey: positions as number[] } : {}),
        };
  const node = ctx.graph.add({
    uid: step.uid?.value ?? null,
    name: operatorName('Deduplicate', stepText(ctx.source, step)),
    inputs: [schema],
    output,
    state: deduplicateState(keep, keyFieldsOf(keys), schema.fields),
    span: step.span,
    spec: { kind: 'deduplicate', keys, keep },
  });
  ctx.graph.connect(stream.node, node, 0, keys);
  return { node, schema: output, qualifiers: stream.qualifiers };
}

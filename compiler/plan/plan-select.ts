import type { SelectStep, Span } from '../../grammar/ast/index.js';
import { Diagnostics } from '../diagnostics/catalogue.js';
import { checkExpr } from '../expressions/check-expr.js';
import type { TypedExpr } from '../expressions/typed-expr.js';
import { operatorName, stepText } from './operator-names.js';
import { checkDistinctNames, freshName, outputName } from './output-names.js';
import type { PlanContext } from './plan-context.js';
import { materializeWindow } from './plan-window.js';
import { scopeOf, type PlannedStream } from './planned-stream.js';
import { addProjection } from './project.js';

interface OutputColumn {
  readonly expr: TypedExpr;
  readonly name: string;
  readonly qualifier: string | undefined;
  readonly span: Span;
}

/**
 * `SELECT item, …` → `project`. `*` and `alias.*` expand to the columns in scope (keeping their qualifiers;
 * a name taken by an earlier column gets a numeric suffix, as in Flink); an unnamed expression is named after
 * its column, else `EXPR$<position>`; two explicit columns of one name are an error. Bare column references
 * keep their qualifier, so `b.price` still resolves after `SELECT b.price`.
 */
export function planSelect(input: PlannedStream, step: SelectStep, ctx: PlanContext): PlannedStream | undefined {
  const stream = materializeWindow(input, ctx);
  if (stream === undefined) return undefined;
  const scope = scopeOf(stream);
  const columns: OutputColumn[] = [];
  let failed = false;
  for (const item of step.items) {
    if (item.kind === 'StarItem') {
      const qualifier = item.qualifier?.name;
      const matching = scope.columns.filter((c) => qualifier === undefined || c.qualifier === qualifier);
      if (qualifier !== undefined && matching.length === 0) {
        const qualifiers = scope.qualifiers;
        ctx.bag.report(Diagnostics.UnknownStarQualifier, item.span, { name: qualifier, qualifiers: qualifiers.length === 0 ? '(none)' : qualifiers.join(', ') });
        failed = true;
      }
      for (const c of matching) {
        const name = freshName(c.field.name, new Set(columns.map((o) => o.name)));
        columns.push({ expr: { op: 'column', index: c.index, name: c.field.name, type: c.field.type, nullable: c.field.nullable }, name, qualifier: c.qualifier, span: item.span });
      }
      continue;
    }
    const expr = checkExpr(item.expr, scope, ctx.exprs);
    if (expr === undefined) {
      failed = true;
      continue;
    }
    const qualifier = expr.op === 'column' ? stream.qualifiers[expr.index] : undefined;
    columns.push({ expr, name: outputName(item.expr, item.alias, columns.length), qualifier, span: item.alias?.span ?? item.span });
  }
  if (!checkDistinctNames(columns, ctx.bag) || failed) return undefined;
  return addProjection(
    ctx,
    stream,
    columns.map((c) => c.expr),
    columns.map((c) => c.name),
    columns.map((c) => c.qualifier),
    { uid: step.uid?.value ?? null, name: operatorName('Project', stepText(ctx.source, step)), span: step.span },
  );
}

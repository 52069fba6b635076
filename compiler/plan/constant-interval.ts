import type { Expr } from '../../grammar/ast/index.js';
import { checkExpr, evaluateConstant, type ExprContext } from '../expressions/check-expr.js';
import type { Scope } from '../expressions/scope.js';
import { isConstant } from './typed-expr-columns.js';

/**
 * The milliseconds of a constant INTERVAL expression (`INTERVAL '10' SECOND`, `INTERVAL '1' MINUTE * 2`);
 * undefined when `expr` is not one (type errors in it are reported to `ctx`).
 */
export function constantIntervalMs(expr: Expr, scope: Scope, ctx: ExprContext): number | undefined {
  const typed = checkExpr(expr, scope, ctx);
  if (typed === undefined || typed.type.name !== 'INTERVAL' || !isConstant(typed)) return undefined;
  // A literal needs no evaluation; anything else is run through the runtime's expression compiler.
  const value = typed.op === 'literal' ? typed.value : evaluateConstant(typed);
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

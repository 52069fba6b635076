import type { Expr } from './expressions.js';

/** The expressions directly inside `expr`, in source order. */
export function subExpressions(expr: Expr): readonly Expr[] {
  switch (expr.kind) {
    case 'UnaryExpr':
      return [expr.operand];
    case 'BinaryExpr':
      return [expr.left, expr.right];
    case 'ChainExpr':
      return expr.operands;
    case 'IsNullExpr':
      return [expr.operand];
    case 'BetweenExpr':
      return [expr.operand, expr.low, expr.high];
    case 'InExpr':
      return [expr.operand, ...expr.list];
    case 'LikeExpr':
      return [expr.operand, expr.pattern];
    case 'CaseExpr':
      return [
        ...(expr.operand === undefined ? [] : [expr.operand]),
        ...expr.whens.flatMap((w) => [w.when, w.then]),
        ...(expr.else === undefined ? [] : [expr.else]),
      ];
    case 'CastExpr':
      return [expr.operand];
    case 'FunctionCall':
      return expr.args;
    default:
      return [];
  }
}

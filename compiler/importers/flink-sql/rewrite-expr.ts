import type { Expr } from '../../../grammar/ast/index.js';

/**
 * Rebuilds `expr` bottom-up: `replace` sees each node (its children already rebuilt) and returns its
 * replacement, or the node itself. `undefined` from `replace` (an error it reported) makes the result undefined.
 */
export function rewriteExpr(expr: Expr, replace: (node: Expr) => Expr | undefined): Expr | undefined {
  const r = (e: Expr): Expr | undefined => rewriteExpr(e, replace);
  const all = (es: readonly Expr[]): Expr[] | undefined => {
    const out: Expr[] = [];
    for (const e of es) {
      const rebuilt = r(e);
      if (rebuilt === undefined) return undefined;
      out.push(rebuilt);
    }
    return out;
  };
  let rebuilt: Expr | undefined;
  switch (expr.kind) {
    case 'UnaryExpr': {
      const operand = r(expr.operand);
      rebuilt = operand && { ...expr, operand };
      break;
    }
    case 'BinaryExpr': {
      const left = r(expr.left);
      const right = r(expr.right);
      rebuilt = left && right && { ...expr, left, right };
      break;
    }
    case 'ChainExpr': {
      const operands = all(expr.operands);
      rebuilt = operands && { ...expr, operands };
      break;
    }
    case 'IsNullExpr': {
      const operand = r(expr.operand);
      rebuilt = operand && { ...expr, operand };
      break;
    }
    case 'BetweenExpr': {
      const operand = r(expr.operand);
      const low = r(expr.low);
      const high = r(expr.high);
      rebuilt = operand && low && high && { ...expr, operand, low, high };
      break;
    }
    case 'InExpr': {
      const operand = r(expr.operand);
      const list = all(expr.list);
      rebuilt = operand && list && { ...expr, operand, list };
      break;
    }
    case 'LikeExpr': {
      const operand = r(expr.operand);
      const pattern = r(expr.pattern);
      rebuilt = operand && pattern && { ...expr, operand, pattern };
      break;
    }
    case 'CaseExpr': {
      const operand = expr.operand === undefined ? null : r(expr.operand);
      const otherwise = expr.else === undefined ? null : r(expr.else);
      const whens = all(expr.whens.flatMap((w) => [w.when, w.then]));
      if (operand === undefined || otherwise === undefined || whens === undefined) return undefined;
      rebuilt = {
        kind: 'CaseExpr',
        ...(operand === null ? {} : { operand }),
        whens: expr.whens.map((_, i) => ({ when: whens[2 * i]!, then: whens[2 * i + 1]! })),
        ...(otherwise === null ? {} : { else: otherwise }),
        span: expr.span,
      };
      break;
    }
    case 'CastExpr': {
      const operand = r(expr.operand);
      rebuilt = operand && { ...expr, operand };
      break;
    }
    case 'FunctionCall': {
      const args = all(expr.args);
      rebuilt = args && { ...expr, args };
      break;
    }
    default:
      rebuilt = expr;
  }
  return rebuilt && replace(rebuilt);
}

/** Whether two expressions are the same tree, whatever their positions in the text and their quoting. */
export function sameExpr(a: Expr, b: Expr): boolean {
  return shape(a) === shape(b);
}

function shape(expr: Expr): string {
  return JSON.stringify(expr, (key, value: unknown) => (key === 'span' || key === 'quoted' || key.endsWith('Span') || key.endsWith('Spans') ? undefined : value));
}

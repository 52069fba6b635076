import type { IToken } from 'chevrotain';
import { typeDiagnostics } from '../compiler/diagnostics/catalogue/types.js';
import type { DiagnosticBag } from '../compiler/diagnostics/diagnostic.js';
import { subExpressions, type Expr, type ExprKind, type Span, type Statement } from './ast/index.js';
import { Case, End, LParen, RParen, Semicolon } from './tokens.js';

/**
 * How deeply expressions may nest. The parser and every pass over an expression (type checking, code
 * generation, the graph's schema) recurse once per level, so past a limit the input gets an error instead of
 * a stack overflow. 200 is far beyond hand-written SQL and half of where the parser runs out of stack (some
 * 450 nested calls). A chain of one operator level (`a + b - c …`) is one level however long.
 */
export const MAX_EXPRESSION_DEPTH = 200;

/**
 * Reports parentheses and CASE … END nested deeper than the limit, once per statement, before the parser
 * recurses into them. True if there were any: the file is then not parsed.
 */
export function reportDeepBrackets(tokens: readonly IToken[], bag: DiagnosticBag): boolean {
  let depth = 0;
  let deepest = 0;
  let first: IToken | undefined;
  let found = false;
  const endStatement = (): void => {
    if (first !== undefined) bag.report(typeDiagnostics.ExpressionTooDeep, tokenSpan(first), { depth: deepest, max: MAX_EXPRESSION_DEPTH });
    found ||= first !== undefined;
    [depth, deepest, first] = [0, 0, undefined];
  };
  for (const token of tokens) {
    if (token.tokenType === Semicolon) endStatement();
    else if (token.tokenType === RParen || token.tokenType === End) depth = Math.max(0, depth - 1);
    else if (token.tokenType === LParen || token.tokenType === Case) {
      depth++;
      deepest = Math.max(deepest, depth);
      if (depth > MAX_EXPRESSION_DEPTH) first ??= token;
    }
  }
  endStatement();
  return found;
}

function tokenSpan(token: IToken): Span {
  return { offset: token.startOffset, length: token.image.length };
}

const EXPR_KINDS: Readonly<Record<ExprKind, true>> = {
  NumberLiteral: true, StringLiteral: true, BooleanLiteral: true, NullLiteral: true, IntervalLiteral: true,
  TimestampLiteral: true, ColumnRef: true, UnaryExpr: true, BinaryExpr: true, ChainExpr: true, IsNullExpr: true,
  BetweenExpr: true, InExpr: true, LikeExpr: true, CaseExpr: true, CastExpr: true, FunctionCall: true,
};

function isExpr(node: object): node is Expr {
  const kind = (node as { kind?: unknown }).kind;
  return typeof kind === 'string' && Object.hasOwn(EXPR_KINDS, kind);
}

/**
 * The statements whose expressions stay within the limit; the others are reported (at the outermost
 * sub-expression past the limit, with the depth reached) and left out, so no later pass sees them. Nesting that
 * brackets do not show (`NOT NOT …`, `a = b = c …`, `x IS NULL IS NULL …`) is found here. Walks with a stack of
 * its own, as the input is deeper than the call stack allows.
 */
export function withinDepth(statements: readonly Statement[], bag: DiagnosticBag): Statement[] {
  return statements.filter((statement) => {
    let deepest = 0;
    let first: Expr | undefined;
    const pending: [unknown, number][] = [[statement, 0]];
    for (let item = pending.pop(); item !== undefined; item = pending.pop()) {
      const [node, outerDepth] = item;
      if (typeof node !== 'object' || node === null) continue;
      if (!isExpr(node)) {
        for (const child of Object.values(node)) pending.push([child, outerDepth]);
        continue;
      }
      const depth = outerDepth + 1;
      deepest = Math.max(deepest, depth);
      if (depth === MAX_EXPRESSION_DEPTH + 1 && (first === undefined || node.span.offset < first.span.offset)) first = node;
      for (const child of subExpressions(node)) pending.push([child, depth]);
    }
    if (first === undefined) return true;
    bag.report(typeDiagnostics.ExpressionTooDeep, first.span, { depth: deepest, max: MAX_EXPRESSION_DEPTH });
    return false;
  });
}

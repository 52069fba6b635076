import type { BinaryOperator, Expr } from './ast/index.js';

/** Binding strength of expression forms, loosest first; shared by the AST builder and the printer. */
export const Precedence = {
  Or: 1,
  And: 2,
  Not: 3,
  /** Comparisons, IS [NOT] NULL, [NOT] BETWEEN / IN / LIKE; left-associative like every binary level. */
  Predicate: 4,
  Additive: 5,
  Multiplicative: 6,
  Unary: 7,
  Primary: 8,
} as const;

export type Precedence = (typeof Precedence)[keyof typeof Precedence];

export const binaryPrecedence: Readonly<Record<BinaryOperator, Precedence>> = {
  'OR': Precedence.Or,
  'AND': Precedence.And,
  '=': Precedence.Predicate, '<>': Precedence.Predicate, '<': Precedence.Predicate,
  '<=': Precedence.Predicate, '>': Precedence.Predicate, '>=': Precedence.Predicate,
  '+': Precedence.Additive, '-': Precedence.Additive, '||': Precedence.Additive,
  '*': Precedence.Multiplicative, '/': Precedence.Multiplicative, '%': Precedence.Multiplicative,
};

export function precedenceOf(expr: Expr): Precedence {
  switch (expr.kind) {
    case 'BinaryExpr':
      return binaryPrecedence[expr.operator];
    case 'ChainExpr':
      return binaryPrecedence[expr.operators[0]!];
    case 'UnaryExpr':
      return expr.operator === 'NOT' ? Precedence.Not : Precedence.Unary;
    case 'IsNullExpr':
    case 'BetweenExpr':
    case 'InExpr':
    case 'LikeExpr':
      return Precedence.Predicate;
    default:
      return Precedence.Primary;
  }
}

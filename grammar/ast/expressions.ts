import type { Identifier, Span } from './span.js';
import type { TypeRef } from './types.js';

/** Every expression form of the language; tagged by `kind`, one interface each. */
export type Expr =
  | NumberLiteral
  | StringLiteral
  | BooleanLiteral
  | NullLiteral
  | IntervalLiteral
  | TimestampLiteral
  | ColumnRef
  | UnaryExpr
  | BinaryExpr
  | ChainExpr
  | IsNullExpr
  | BetweenExpr
  | InExpr
  | LikeExpr
  | CaseExpr
  | CastExpr
  | FunctionCall;

export type ExprKind = Expr['kind'];

/** `42`, `3.14`, `1e3`. `text` is the literal as written so the compiler can pick INT/BIGINT/DECIMAL/DOUBLE. */
export interface NumberLiteral {
  readonly kind: 'NumberLiteral';
  readonly text: string;
  readonly span: Span;
}

export interface StringLiteral {
  readonly kind: 'StringLiteral';
  readonly value: string;
  readonly span: Span;
}

export interface BooleanLiteral {
  readonly kind: 'BooleanLiteral';
  readonly value: boolean;
  readonly span: Span;
}

export interface NullLiteral {
  readonly kind: 'NullLiteral';
  readonly span: Span;
}

export type IntervalUnit = 'MILLISECOND' | 'SECOND' | 'MINUTE' | 'HOUR' | 'DAY';

/** `INTERVAL '10' SECOND`. The singular and plural unit spellings are accepted and normalised to the singular. */
export interface IntervalLiteral {
  readonly kind: 'IntervalLiteral';
  readonly value: string;
  readonly unit: IntervalUnit;
  readonly span: Span;
}

/** `TIMESTAMP '2024-01-01 12:00:00.000'`. */
export interface TimestampLiteral {
  readonly kind: 'TimestampLiteral';
  readonly value: string;
  readonly span: Span;
}

/** `col` or `alias.col`. */
export interface ColumnRef {
  readonly kind: 'ColumnRef';
  readonly qualifier?: Identifier;
  readonly name: Identifier;
  readonly span: Span;
}

export type UnaryOperator = '-' | '+' | 'NOT';

export interface UnaryExpr {
  readonly kind: 'UnaryExpr';
  readonly operator: UnaryOperator;
  readonly operand: Expr;
  readonly span: Span;
}

export type BinaryOperator =
  | '+' | '-' | '*' | '/' | '%'
  | '=' | '<>' | '<' | '<=' | '>' | '>='
  | 'AND' | 'OR'
  | '||';

export interface BinaryExpr {
  readonly kind: 'BinaryExpr';
  readonly operator: BinaryOperator;
  readonly left: Expr;
  readonly right: Expr;
  /** Span of the operator token itself, for diagnostics that blame the operator. */
  readonly operatorSpan: Span;
  readonly span: Span;
}

/**
 * Three or more operands joined by operators of one precedence level, `a + b - c` or `p OR q OR r`: the left fold
 * `(a + b) - c`, kept flat so that a chain of thousands of terms does not nest thousands deep (every consumer
 * loops over it). Two operands are a BinaryExpr; comparisons (`a = b = c`) always nest.
 */
export interface ChainExpr {
  readonly kind: 'ChainExpr';
  readonly operands: readonly Expr[];
  /** `operators[i]` joins the fold of `operands[0..i]` with `operands[i + 1]`. */
  readonly operators: readonly BinaryOperator[];
  readonly operatorSpans: readonly Span[];
  readonly span: Span;
}

/** `x IS NULL`, `x IS NOT NULL`. */
export interface IsNullExpr {
  readonly kind: 'IsNullExpr';
  readonly operand: Expr;
  readonly negated: boolean;
  readonly span: Span;
}

/** `x [NOT] BETWEEN low AND high` (inclusive at both ends, as in SQL). */
export interface BetweenExpr {
  readonly kind: 'BetweenExpr';
  readonly operand: Expr;
  readonly low: Expr;
  readonly high: Expr;
  readonly negated: boolean;
  readonly span: Span;
}

/** `x [NOT] IN (a, b, …)`. */
export interface InExpr {
  readonly kind: 'InExpr';
  readonly operand: Expr;
  readonly list: readonly Expr[];
  readonly negated: boolean;
  readonly span: Span;
}

/** `x [NOT] LIKE pattern` with SQL `%` and `_` wildcards. */
export interface LikeExpr {
  readonly kind: 'LikeExpr';
  readonly operand: Expr;
  readonly pattern: Expr;
  readonly negated: boolean;
  readonly span: Span;
}

export interface WhenClause {
  readonly when: Expr;
  readonly then: Expr;
}

/** Searched (`CASE WHEN c THEN …`) and simple (`CASE x WHEN v THEN …`) forms; `operand` is set for the simple form. */
export interface CaseExpr {
  readonly kind: 'CaseExpr';
  readonly operand?: Expr;
  readonly whens: readonly WhenClause[];
  readonly else?: Expr;
  readonly span: Span;
}

/** `CAST(x AS type)`; `TRY_CAST(x AS type)` (`try`) gives NULL instead of failing when a value does not convert. */
export interface CastExpr {
  readonly kind: 'CastExpr';
  readonly operand: Expr;
  readonly type: TypeRef;
  readonly try?: boolean;
  readonly span: Span;
}

/**
 * A function or aggregate call: `UPPER(s)`, `COUNT(*)` (`star`), `COUNT(DISTINCT x)` (`distinct`).
 * Whether a name is a scalar built-in, an aggregate or a registered UDF is decided by the compiler.
 */
export interface FunctionCall {
  readonly kind: 'FunctionCall';
  readonly name: Identifier;
  readonly args: readonly Expr[];
  readonly distinct: boolean;
  readonly star: boolean;
  readonly span: Span;
}

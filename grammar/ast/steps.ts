import type { Expr, FunctionCall } from './expressions.js';
import type { Identifier, Span, UidClause } from './span.js';

/** One `|> …` step of a pipeline. Every step may carry a `UID 'id'`; stateful steps must. */
export type Step =
  | WhereStep
  | SelectStep
  | ExtendStep
  | WindowStep
  | AggregateStep
  | JoinStep
  | UnionStep
  | DeduplicateStep
  | ProcessStep;

export type StepKind = Step['kind'];

interface StepBase {
  readonly uid?: UidClause;
  readonly span: Span;
}

export interface WhereStep extends StepBase {
  readonly kind: 'WhereStep';
  readonly condition: Expr;
}

/** `expr [AS name]`, `*` or `alias.*`. */
export type SelectItem =
  | { readonly kind: 'ExprItem'; readonly expr: Expr; readonly alias?: Identifier; readonly span: Span }
  | { readonly kind: 'StarItem'; readonly qualifier?: Identifier; readonly span: Span };

export interface SelectStep extends StepBase {
  readonly kind: 'SelectStep';
  readonly items: readonly SelectItem[];
}

export interface NamedExpr {
  readonly expr: Expr;
  readonly alias: Identifier;
  readonly span: Span;
}

/** `EXTEND expr AS name, …`: keeps every input column and appends the new ones. */
export interface ExtendStep extends StepBase {
  readonly kind: 'ExtendStep';
  readonly items: readonly NamedExpr[];
}

export type WindowFunction = 'TUMBLE' | 'HOP' | 'SESSION';

/**
 * `WINDOW TUMBLE(col, size)` | `HOP(col, slide, size)` | `SESSION(col, gap)`.
 * `args` are the durations after the time column, in the order written.
 */
export interface WindowStep extends StepBase {
  readonly kind: 'WindowStep';
  readonly function: WindowFunction;
  readonly functionSpan: Span;
  readonly timeColumn: Expr;
  readonly args: readonly Expr[];
}

export interface AggregateItem {
  readonly call: FunctionCall;
  readonly alias: Identifier;
  readonly span: Span;
}

export interface GroupItem {
  readonly expr: Expr;
  readonly alias?: Identifier;
  readonly span: Span;
}

export interface AggregateStep extends StepBase {
  readonly kind: 'AggregateStep';
  readonly aggregates: readonly AggregateItem[];
  readonly groupBy: readonly GroupItem[];
}

/** `FROM name [AS alias]`, also used for the right side of a join. */
export interface StreamRef {
  readonly kind: 'StreamRef';
  readonly name: Identifier;
  readonly alias?: Identifier;
  readonly span: Span;
}

export type JoinType = 'INNER' | 'LEFT';

export interface JoinStep extends StepBase {
  readonly kind: 'JoinStep';
  readonly joinType: JoinType;
  readonly right: StreamRef;
  readonly condition: Expr;
}

export interface UnionStep extends StepBase {
  readonly kind: 'UnionStep';
  readonly other: StreamRef;
}

export interface DeduplicateStep extends StepBase {
  readonly kind: 'DeduplicateStep';
  readonly keys: readonly Expr[];
  readonly keep: 'FIRST' | 'LAST';
}

/**
 * `PROCESS fn(args…) [PARTITION BY expr, …]`: a JavaScript process function registered through the Node API.
 * With PARTITION BY (an extension of the language) it runs keyed: keyed state and timers per key.
 */
export interface ProcessStep extends StepBase {
  readonly kind: 'ProcessStep';
  readonly function: Identifier;
  readonly args: readonly Expr[];
  readonly partitionBy: readonly Expr[];
}

/** `FROM name [AS alias] |> step |> step …` */
export interface Pipeline {
  readonly kind: 'Pipeline';
  readonly from: StreamRef;
  readonly steps: readonly Step[];
  readonly span: Span;
}

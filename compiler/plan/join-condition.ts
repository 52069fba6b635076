import type { BinaryOperator, Expr } from '../../grammar/ast/index.js';
import { DiagnosticBag } from '../diagnostics/diagnostic.js';
import { checkCondition, checkExpr, type ExprContext } from '../expressions/check-expr.js';
import type { Scope } from '../expressions/scope.js';
import type { TypedExpr } from '../expressions/typed-expr.js';
import { constantIntervalMs } from './constant-interval.js';
import { columnsOf } from './typed-expr-columns.js';

/** The joined row: left columns at [0, leftWidth), right columns after; time attributes as positions in it. */
export interface JoinedRow {
  readonly scope: Scope;
  readonly leftWidth: number;
  readonly leftTime: number | undefined;
  readonly rightTime: number | undefined;
}

/** `left = right` between an expression of the left side only and one of the right side only. */
export interface KeyEquality {
  readonly conjunct: Expr;
  /** Over the joined row; reads left columns only, so it is also valid over the left input's row. */
  readonly left: TypedExpr;
  /** Over the joined row; reads right columns only. */
  readonly right: TypedExpr;
}

/** `right.time - left.time` bounded below and/or above (inclusive), with the conjuncts that say so. */
export interface TimeBounds {
  readonly lowerMs: number | undefined;
  readonly upperMs: number | undefined;
  readonly conjuncts: readonly Expr[];
}

export interface JoinCondition {
  readonly conjuncts: readonly Expr[];
  readonly equalities: readonly KeyEquality[];
  readonly bounds: TimeBounds;
}

/** `a AND b AND c` → [a, b, c]. */
export function conjunctsOf(expr: Expr): Expr[] {
  if (expr.kind === 'BinaryExpr' && expr.operator === 'AND') return [...conjunctsOf(expr.left), ...conjunctsOf(expr.right)];
  // A chain at AND's level has only ANDs.
  if (expr.kind === 'ChainExpr' && expr.operators[0] === 'AND') return expr.operands.flatMap(conjunctsOf);
  return [expr];
}

type Side = 'left' | 'right' | 'both' | 'none';

function sideOf(expr: TypedExpr, leftWidth: number): Side {
  const columns = [...columnsOf(expr)];
  if (columns.length === 0) return 'none';
  if (columns.every((c) => c < leftWidth)) return 'left';
  return columns.every((c) => c >= leftWidth) ? 'right' : 'both';
}

/** A side's time attribute plus a constant: `b.ts`, `a.ts - INTERVAL '1' HOUR`, `INTERVAL '5' SECOND + a.ts`. */
interface TimeTerm {
  readonly side: 'left' | 'right';
  readonly offsetMs: number;
}

type Comparison = '<' | '<=' | '>' | '>=';

const FLIPPED: Record<Comparison, Comparison> = { '<': '>', '<=': '>=', '>': '<', '>=': '<=' };

function isComparison(op: BinaryOperator): op is Comparison {
  return op === '<' || op === '<=' || op === '>' || op === '>=';
}

/**
 * Splits a join's ON condition into conjuncts and finds its key equalities and the time bounds an interval
 * join can use. Every conjunct is type-checked once with `ctx` (so errors are reported once); the pieces are
 * then re-checked silently. Undefined when a conjunct has an error.
 */
export function analyzeJoinCondition(condition: Expr, row: JoinedRow, ctx: ExprContext): JoinCondition | undefined {
  const conjuncts = conjunctsOf(condition);
  const checked = conjuncts.map((c) => checkCondition(c, row.scope, ctx));
  if (checked.some((c) => c === undefined)) return undefined;
  const quiet: ExprContext = { ...ctx, bag: new DiagnosticBag(ctx.bag.file) };
  const typed = (e: Expr): TypedExpr | undefined => checkExpr(e, row.scope, quiet);

  const equalities: KeyEquality[] = [];
  for (const conjunct of conjuncts) {
    if (conjunct.kind !== 'BinaryExpr' || conjunct.operator !== '=') continue;
    const a = typed(conjunct.left);
    const b = typed(conjunct.right);
    if (a === undefined || b === undefined) continue;
    const sides = `${sideOf(a, row.leftWidth)}=${sideOf(b, row.leftWidth)}`;
    if (sides === 'left=right') equalities.push({ conjunct, left: a, right: b });
    if (sides === 'right=left') equalities.push({ conjunct, left: b, right: a });
  }

  const timeTerm = (e: Expr): TimeTerm | undefined => {
    if (e.kind === 'ColumnRef') {
      const t = typed(e);
      if (t?.op !== 'column') return undefined;
      if (t.index === row.leftTime) return { side: 'left', offsetMs: 0 };
      return t.index === row.rightTime ? { side: 'right', offsetMs: 0 } : undefined;
    }
    if (e.kind === 'BinaryExpr') return additiveTerm([e.left, e.right], [e.operator]);
    return e.kind === 'ChainExpr' ? additiveTerm(e.operands, e.operators) : undefined;
  };

  // `t ± i ± …` or `i + t ± …` with constant intervals `i`, folded from the left like the nested form it stands for.
  const additiveTerm = (operands: readonly Expr[], operators: readonly BinaryOperator[]): TimeTerm | undefined => {
    let term = timeTerm(operands[0]!);
    let constantMs = term === undefined ? constantIntervalMs(operands[0]!, row.scope, quiet) : undefined;
    for (let i = 0; i < operators.length; i++) {
      const operator = operators[i]!;
      const operand = operands[i + 1]!;
      if (operator !== '+' && operator !== '-') return undefined;
      const sign = operator === '+' ? 1 : -1;
      const right = term === undefined && constantMs !== undefined && operator === '+' ? timeTerm(operand) : undefined;
      if (right !== undefined) {
        term = { side: right.side, offsetMs: right.offsetMs + constantMs! };
        continue;
      }
      const ms = term === undefined && constantMs === undefined ? undefined : constantIntervalMs(operand, row.scope, quiet);
      if (ms === undefined) return undefined;
      if (term === undefined) constantMs = constantMs! + sign * ms;
      else term = { side: term.side, offsetMs: term.offsetMs + sign * ms };
    }
    return term;
  };

  // `x op y` over the two time attributes, as a bound of d = right.time - left.time.
  const bound = (x: Expr, op: Comparison, y: Expr): { lower?: number; upper?: number } | undefined => {
    const tx = timeTerm(x);
    const ty = timeTerm(y);
    if (tx === undefined || ty === undefined || tx.side === ty.side) return undefined;
    // right + a op left + b  ⇔  d op b - a;   left + a op right + b  ⇔  d flip(op) a - b
    const [relation, value] = tx.side === 'right' ? [op, ty.offsetMs - tx.offsetMs] : [FLIPPED[op], tx.offsetMs - ty.offsetMs];
    switch (relation) {
      case '>=':
        return { lower: value };
      case '>':
        return { lower: value + 1 };
      case '<=':
        return { upper: value };
      case '<':
        return { upper: value - 1 };
    }
  };

  let lowerMs: number | undefined;
  let upperMs: number | undefined;
  const used: Expr[] = [];
  for (const conjunct of conjuncts) {
    let found: { lower?: number; upper?: number }[] | undefined;
    if (conjunct.kind === 'BinaryExpr' && isComparison(conjunct.operator)) {
      const b = bound(conjunct.left, conjunct.operator, conjunct.right);
      found = b === undefined ? undefined : [b];
    } else if (conjunct.kind === 'BetweenExpr' && !conjunct.negated) {
      const low = bound(conjunct.operand, '>=', conjunct.low);
      const high = bound(conjunct.operand, '<=', conjunct.high);
      found = low === undefined || high === undefined ? undefined : [low, high];
    }
    if (found === undefined) continue;
    used.push(conjunct);
    for (const b of found) {
      if (b.lower !== undefined) lowerMs = lowerMs === undefined ? b.lower : Math.max(lowerMs, b.lower);
      if (b.upper !== undefined) upperMs = upperMs === undefined ? b.upper : Math.min(upperMs, b.upper);
    }
  }
  return { conjuncts, equalities, bounds: { lowerMs, upperMs, conjuncts: used } };
}

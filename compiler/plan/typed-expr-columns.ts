import type { TypedExpr } from '../expressions/typed-expr.js';

/** Adds the input positions `expr` reads to `into`. */
export function collectColumns(expr: TypedExpr, into: Set<number>): Set<number> {
  if (expr.op === 'column') into.add(expr.index);
  else if (expr.op === 'call' || expr.op === 'udf') for (const arg of expr.args) collectColumns(arg, into);
  else if (expr.op === 'chain') for (const operand of expr.operands) collectColumns(operand, into);
  return into;
}

export function columnsOf(expr: TypedExpr): Set<number> {
  return collectColumns(expr, new Set());
}

/** `expr` with every column position moved by `delta`: a right-side join key re-based onto the right input's row. */
export function shiftColumns(expr: TypedExpr, delta: number): TypedExpr {
  return renumberColumns(expr, (index) => index + delta);
}

/** `expr` reading column `positionOf(i)` wherever it read column i: re-based onto another row layout. */
export function renumberColumns(expr: TypedExpr, positionOf: (index: number) => number): TypedExpr {
  switch (expr.op) {
    case 'literal':
      return expr;
    case 'column':
      return { ...expr, index: positionOf(expr.index) };
    case 'call':
    case 'udf':
      return { ...expr, args: expr.args.map((a) => renumberColumns(a, positionOf)) };
    case 'chain':
      return { ...expr, operands: expr.operands.map((o) => renumberColumns(o, positionOf)) };
  }
}

/** The position of a bare column reference, else undefined. */
export function columnIndex(expr: TypedExpr): number | undefined {
  return expr.op === 'column' ? expr.index : undefined;
}

/** Whether `expr` can be evaluated at compile time: it reads no column and calls no user function. */
export function isConstant(expr: TypedExpr): boolean {
  switch (expr.op) {
    case 'literal':
      return true;
    case 'column':
    case 'udf':
      return false;
    case 'call':
      return expr.args.every(isConstant);
    case 'chain':
      return expr.operands.every(isConstant);
  }
}

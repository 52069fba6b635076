import { subExpressions, type AggregateItem, type Expr } from '../../grammar/ast/index.js';
import { Diagnostics } from '../diagnostics/catalogue.js';
import { checkExpr, type ExprContext } from '../expressions/check-expr.js';
import { isComparable } from '../expressions/coercion.js';
import type { Scope } from '../expressions/scope.js';
import type { AggregateCall } from '../graph/job-graph.js';
import { BIGINT, DOUBLE, decimal, isNumeric, typeToString, type Field, type SqlType } from '../types/sql-type.js';

export type AggregateFunction = AggregateCall['function'];

interface AggregateRule {
  /** What the argument may be, for the error message. */
  readonly accepted: string;
  readonly accepts: (type: SqlType) => boolean;
  readonly result: (arg: SqlType) => SqlType;
}

const same = (arg: SqlType): SqlType => arg;

/**
 * Result types follow Flink: COUNT → BIGINT NOT NULL; SUM keeps INT, BIGINT and DOUBLE and widens DECIMAL(p, s)
 * to DECIMAL(38, s); MIN, MAX, FIRST_VALUE and LAST_VALUE keep the argument's type. AVG is DOUBLE for every
 * numeric argument (Flink keeps the argument type, so AVG of INTs truncates; a double is what users expect).
 * Every result but COUNT is nullable when the argument is, or when the aggregate has no GROUP BY keys (an empty
 * group), as Calcite derives it. FIRST_VALUE and LAST_VALUE skip NULLs, as Flink's do.
 */
const RULES: Record<AggregateFunction, AggregateRule> = {
  COUNT: { accepted: 'a value of any type, or *', accepts: () => true, result: () => BIGINT },
  SUM: {
    accepted: 'a number: INT, BIGINT, DECIMAL or DOUBLE',
    accepts: isNumeric,
    result: (arg) => (arg.name === 'DECIMAL' ? decimal(38, arg.scale) : arg),
  },
  AVG: { accepted: 'a number: INT, BIGINT, DECIMAL or DOUBLE', accepts: isNumeric, result: () => DOUBLE },
  MIN: { accepted: 'a comparable value', accepts: isComparable, result: same },
  MAX: { accepted: 'a comparable value', accepts: isComparable, result: same },
  FIRST_VALUE: { accepted: 'a typed value', accepts: (t) => t.name !== 'NULL', result: same },
  LAST_VALUE: { accepted: 'a typed value', accepts: (t) => t.name !== 'NULL', result: same },
};

export function aggregateFunction(name: string): AggregateFunction | undefined {
  const upper = name.toUpperCase();
  return Object.hasOwn(RULES, upper) ? (upper as AggregateFunction) : undefined;
}

/** The first aggregate call inside `expr`, if any. */
function findAggregate(expr: Expr): Extract<Expr, { kind: 'FunctionCall' }> | undefined {
  if (expr.kind === 'FunctionCall' && aggregateFunction(expr.name.name) !== undefined) return expr;
  for (const child of subExpressions(expr)) {
    const found = findAggregate(child);
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * Type-checks one `agg(args) AS alias` item of an AGGREGATE step over `scope`. `global`: the step has no
 * GROUP BY keys, so a group may be empty and every result but COUNT's is nullable.
 */
export function checkAggregate(item: AggregateItem, scope: Scope, ctx: ExprContext, global: boolean): AggregateCall | undefined {
  const { call, alias } = item;
  const name = call.name.name;
  const fn = aggregateFunction(name);
  if (fn === undefined) {
    ctx.bag.report(Diagnostics.NotAnAggregate, call.name.span, { name });
    return undefined;
  }
  if (call.distinct && fn !== 'COUNT') {
    ctx.bag.report(Diagnostics.DistinctNotSupported, call.span, { name: fn });
    return undefined;
  }
  if (call.star ? fn !== 'COUNT' || call.distinct || call.args.length > 0 : call.args.length !== 1) {
    ctx.bag.report(Diagnostics.BadAggregateCall, call.span, { name: fn, expected: fn === 'COUNT' ? '* or one argument' : 'one argument' });
    return undefined;
  }
  if (call.star) {
    return { function: fn, args: [], distinct: false, name: alias.name, resultType: BIGINT, nullable: false };
  }
  const argument = call.args[0]!;
  const nested = findAggregate(argument);
  if (nested !== undefined) {
    ctx.bag.report(Diagnostics.NestedAggregate, nested.span, { name: nested.name.name.toUpperCase() });
    return undefined;
  }
  const typed = checkExpr(argument, scope, ctx);
  if (typed === undefined) return undefined;
  const rule = RULES[fn];
  if (!rule.accepts(typed.type)) {
    ctx.bag.report(Diagnostics.AggregateArgumentType, argument.span, { name: fn, type: typeToString(typed.type), accepted: rule.accepted });
    return undefined;
  }
  return {
    function: fn,
    args: [typed],
    distinct: call.distinct,
    name: alias.name,
    resultType: rule.result(typed.type),
    nullable: fn !== 'COUNT' && (typed.nullable || global),
  };
}

const COUNT_FIELD = (name: string): Field => ({ name: `${name}.count`, type: BIGINT, nullable: false });

/**
 * The accumulator an aggregate keeps per group (and per window), as declared in state: COUNT a count;
 * SUM and AVG a sum and the count of non-NULL values (so that retraction knows when the result becomes NULL);
 * MIN, MAX, FIRST_VALUE, LAST_VALUE the current value. COUNT(DISTINCT x) also keeps a map of the distinct values.
 */
export function accumulatorFields(call: AggregateCall): Field[] {
  switch (call.function) {
    case 'COUNT':
      return [COUNT_FIELD(call.name)];
    case 'SUM':
      return [{ name: `${call.name}.sum`, type: call.resultType, nullable: false }, COUNT_FIELD(call.name)];
    case 'AVG':
      return [{ name: `${call.name}.sum`, type: DOUBLE, nullable: false }, COUNT_FIELD(call.name)];
    case 'MIN':
    case 'MAX':
    case 'FIRST_VALUE':
    case 'LAST_VALUE':
      return [{ name: `${call.name}.value`, type: call.resultType, nullable: true }];
  }
}

/** The map key of a COUNT(DISTINCT x) state: the distinct value, named after the argument. */
export function distinctValueField(call: AggregateCall): Field {
  const arg = call.args[0]!;
  return { name: arg.op === 'column' ? arg.name : `${call.name}.value`, type: arg.type, nullable: arg.nullable };
}

import type {
  BetweenExpr,
  BinaryExpr,
  CaseExpr,
  ChainExpr,
  CastExpr,
  ColumnRef,
  Expr,
  ExprKind,
  FunctionCall,
  InExpr,
  IsNullExpr,
  LikeExpr,
  UnaryExpr,
} from '../../grammar/ast/expressions.js';
import { spanBetween, type Span } from '../../grammar/ast/span.js';
import { closestMatch, didYouMean } from '../config/closest-match.js';
import { Diagnostics } from '../diagnostics/catalogue.js';
import type { DiagnosticArgs, DiagnosticBag, DiagnosticDefinition } from '../diagnostics/diagnostic.js';
import { renderExpr } from '../exporters/render-expr.js';
import { builtinByFn, functionNames, lookupFunction, type Builtin, type TypeCheckContext } from '../functions/builtins.js';
import { castCanFail, castProblem } from '../functions/builtins/cast.js';
import type { ScalarUdfSignature } from '../functions/registry.js';
import { resolveType } from '../types/resolve-type.js';
import { BOOLEAN, NULL_TYPE, STRING, typeToString } from '../types/sql-type.js';
import { widensTo } from './coercion.js';
import { intervalLiteral, numberLiteral, timestampLiteral } from './literals.js';
import type { Scope } from './scope.js';
import type { ChainLink, TypedExpr } from './typed-expr.js';
import { compileExpr } from '../../runtime/expressions/compile-expr.js';
import { ExpressionError } from '../../runtime/expressions/expression-error.js';

export interface ExprContext {
  readonly bag: DiagnosticBag;
  readonly udfs: ReadonlyMap<string, ScalarUdfSignature>;
  /** Aggregates are typed by the AGGREGATE step itself (compiler/functions/aggregates.ts); inside an expression an aggregate call is an error. */
  readonly allowAggregates?: false;
}

const AGGREGATES: ReadonlySet<string> = new Set(['COUNT', 'SUM', 'MIN', 'MAX', 'AVG', 'FIRST_VALUE', 'LAST_VALUE']);

/** Whether `name` (any case) is an aggregate function: COUNT, SUM, MIN, MAX, AVG, FIRST_VALUE, LAST_VALUE. */
export function isAggregateName(name: string): boolean {
  return AGGREGATES.has(name.toUpperCase());
}

interface Env {
  readonly scope: Scope;
  readonly ctx: ExprContext;
}

type Handler<K extends ExprKind> = (node: Extract<Expr, { kind: K }>, env: Env) => TypedExpr | undefined;

/**
 * Type-checks an expression against the columns in `scope`, resolving names and builtins into a TypedExpr.
 * Reports every error it finds to `ctx.bag` (it keeps checking sibling operands after an error) and returns
 * undefined when there was at least one; never throws.
 */
export function checkExpr(expr: Expr, scope: Scope, ctx: ExprContext): TypedExpr | undefined {
  return check(expr, { scope, ctx });
}

/** Like checkExpr, for WHERE and ON conditions: the expression must be BOOLEAN. `what` names it in the message. */
export function checkCondition(expr: Expr, scope: Scope, ctx: ExprContext, what = 'the condition'): TypedExpr | undefined {
  const typed = checkExpr(expr, scope, ctx);
  if (typed === undefined) return undefined;
  if (typed.type.name !== 'BOOLEAN' && typed.type.name !== 'NULL') {
    ctx.bag.report(Diagnostics.NonBooleanCondition, expr.span, { what, type: typeToString(typed.type), example: renderExpr(typed) });
    return undefined;
  }
  return typed;
}

/**
 * The value of an expression that reads no column and calls no UDF (window sizes, interval bounds), computed
 * with the same compiled code the runtime uses. Undefined when the expression is not constant or fails
 * (a division by zero, say).
 */
export function evaluateConstant(expr: TypedExpr): unknown {
  if (!readsNothing(expr)) return undefined;
  try {
    return compileExpr(expr)([]);
  } catch (error) {
    if (error instanceof ExpressionError) return undefined;
    throw error;
  }
}

function readsNothing(expr: TypedExpr): boolean {
  if (expr.op === 'chain') return expr.operands.every(readsNothing);
  return expr.op === 'literal' || (expr.op === 'call' && expr.args.every(readsNothing));
}

function check(expr: Expr, env: Env): TypedExpr | undefined {
  return (HANDLERS[expr.kind] as Handler<ExprKind>)(expr, env);
}

/** Checks every operand (so that all their errors are reported), then gives them all or undefined. */
function checkAll(exprs: readonly Expr[], env: Env): TypedExpr[] | undefined {
  const typed = exprs.map((e) => check(e, env));
  return typed.every((t) => t !== undefined) ? (typed as TypedExpr[]) : undefined;
}

function builtin(fn: string): Builtin {
  const entry = builtinByFn(fn);
  if (entry === undefined) throw new Error(`internal error: '${fn}' is missing from the builtin catalogue`);
  return entry;
}

/** Reports at the argument blamed, with the arguments every SLC3xxx template may need. */
function argumentContext(bag: DiagnosticBag, spans: readonly Span[], fallback: Span, defaults: DiagnosticArgs, args: readonly TypedExpr[]): Omit<TypeCheckContext, 'badArgument'> {
  return {
    report(definition: DiagnosticDefinition, index: number, extra: DiagnosticArgs = {}): undefined {
      bag.report(definition, spans[index] ?? fallback, { position: index + 1, actual: typeToString(args[index]?.type ?? NULL_TYPE), ...defaults, ...extra });
      return undefined;
    },
  };
}

/** Applies a builtin's type rule; the call node on success. */
function apply(entry: Builtin, args: readonly TypedExpr[], context: TypeCheckContext): TypedExpr | undefined {
  const result = entry.check!(args, context);
  return result === undefined ? undefined : { op: 'call', fn: entry.name, args, type: result.type, nullable: result.nullable };
}

/** A function call's context: a type problem points at the argument and shows the signature. */
function functionContext(entry: Builtin, name: string, args: readonly TypedExpr[], spans: readonly Span[], callSpan: Span, bag: DiagnosticBag): TypeCheckContext {
  const base = argumentContext(bag, spans, callSpan, { name, signature: entry.signature }, args);
  return {
    ...base,
    badArgument: (index, expected) => base.report(Diagnostics.WrongArgumentType, index, { expected }),
  };
}

function binaryOperator(fn: string, operator: string, left: TypedExpr, right: TypedExpr, operands: readonly Span[], operatorSpan: Span, bag: DiagnosticBag): TypedExpr | undefined {
  const entry = builtin(fn);
  const args = [left, right];
  const base = argumentContext(bag, operands, operatorSpan, { operator }, args);
  return apply(entry, args, {
    ...base,
    badArgument: (_index, expected) => {
      bag.report(Diagnostics.OperatorTypeMismatch, operatorSpan, { operator, left: typeToString(left.type), right: typeToString(right.type), expected });
      return undefined;
    },
  });
}

const BINARY_FN: Readonly<Record<BinaryExpr['operator'], string>> = {
  '+': '+',
  '-': '-',
  '*': '*',
  '/': '/',
  '%': '%',
  '=': '=',
  '<>': '<>',
  '<': '<',
  '<=': '<=',
  '>': '>',
  '>=': '>=',
  AND: 'AND',
  OR: 'OR',
  '||': '||',
};

function checkUnary(node: UnaryExpr, env: Env): TypedExpr | undefined {
  if (node.operator === '-' && node.operand.kind === 'NumberLiteral') {
    return numberLiteral({ ...node.operand, text: `-${node.operand.text}`, span: node.span }, env.ctx.bag);
  }
  const operand = check(node.operand, env);
  if (operand === undefined) return undefined;
  const bag = env.ctx.bag;
  const entry = builtin(node.operator === 'NOT' ? 'NOT' : 'NEGATE');
  const base = argumentContext(bag, [node.operand.span], node.span, { operator: node.operator }, [operand]);
  const typed = apply(entry, [operand], {
    ...base,
    badArgument: (_index, expected) => {
      bag.report(Diagnostics.UnaryOperatorTypeMismatch, node.operand.span, { operator: node.operator, type: typeToString(operand.type), expected });
      return undefined;
    },
  });
  // Unary plus only asserts a number; the value is the operand's.
  return node.operator === '+' ? typed && operand : typed;
}

function checkBinary(node: BinaryExpr, env: Env): TypedExpr | undefined {
  const operands = checkAll([node.left, node.right], env);
  if (operands === undefined) return undefined;
  const [left, right] = operands as [TypedExpr, TypedExpr];
  return binaryOperator(BINARY_FN[node.operator], node.operator, left, right, [node.left.span, node.right.span], node.operatorSpan, env.ctx.bag);
}

/**
 * Each link is typed as the binary operator it stands for, its left operand being the fold so far (a call
 * node that only the type rules see), so types, messages and blame are those of the nested form.
 */
function checkChain(node: ChainExpr, env: Env): TypedExpr | undefined {
  const operands = checkAll(node.operands, env);
  if (operands === undefined) return undefined;
  const links: ChainLink[] = [];
  let left = operands[0]!;
  for (let i = 0; i < node.operators.length; i++) {
    const operator = node.operators[i]!;
    const right = node.operands[i + 1]!;
    const leftSpan = spanBetween(node.operands[0]!.span, node.operands[i]!.span);
    const typed = binaryOperator(BINARY_FN[operator], operator, left, operands[i + 1]!, [leftSpan, right.span], node.operatorSpans[i]!, env.ctx.bag);
    if (typed === undefined) return undefined;
    links.push({ fn: BINARY_FN[operator], type: typed.type, nullable: typed.nullable });
    left = typed;
  }
  return { op: 'chain', operands, links, type: left.type, nullable: left.nullable };
}

function checkSpecialForm(fn: string, name: string, exprs: readonly Expr[], span: Span, env: Env): TypedExpr | undefined {
  const args = checkAll(exprs, env);
  if (args === undefined) return undefined;
  const entry = builtin(fn);
  return apply(entry, args, functionContext(entry, name, args, exprs.map((e) => e.span), span, env.ctx.bag));
}

function checkColumn(node: ColumnRef, env: Env): TypedExpr | undefined {
  const column = env.scope.resolve(node, env.ctx.bag);
  return column && { op: 'column', index: column.index, name: column.field.name, type: column.field.type, nullable: column.field.nullable };
}

/**
 * A simple CASE (`CASE x WHEN v THEN …`) is stored as the searched form `CASE WHEN x = v THEN …`; each
 * comparison blames its WHEN value when the types do not compare.
 */
function checkCase(node: CaseExpr, env: Env): TypedExpr | undefined {
  const operand = node.operand === undefined ? undefined : check(node.operand, env);
  const whens = node.whens.map((w) => check(w.when, env));
  const thens = checkAll(node.whens.map((w) => w.then), env);
  const otherwise = node.else === undefined ? undefined : check(node.else, env);
  if ((node.operand !== undefined && operand === undefined) || whens.some((w) => w === undefined) || thens === undefined) return undefined;
  if (node.else !== undefined && otherwise === undefined) return undefined;

  const conditions = whens.map((when, i) =>
    operand === undefined ? when : binaryOperator('=', '=', operand, when!, [node.operand!.span, node.whens[i]!.when.span], node.whens[i]!.when.span, env.ctx.bag),
  );
  if (conditions.some((c) => c === undefined)) return undefined;
  const args = [...conditions.flatMap((c, i) => [c!, thens[i]!]), ...(otherwise === undefined ? [] : [otherwise])];
  const spans = [...node.whens.flatMap((w) => [w.when.span, w.then.span]), ...(node.else === undefined ? [] : [node.else.span])];
  const entry = builtin('CASE');
  return apply(entry, args, functionContext(entry, 'CASE', args, spans, node.span, env.ctx.bag));
}

function checkCast(node: CastExpr, env: Env): TypedExpr | undefined {
  const operand = check(node.operand, env);
  const target = resolveType(node.type, env.ctx.bag);
  if (operand === undefined || target === undefined) return undefined;
  const problem = castProblem(operand.type, target);
  if (problem !== undefined) {
    env.ctx.bag.report(Diagnostics.InvalidCast, node.span, { from: typeToString(operand.type), to: typeToString(target), help: problem });
    return undefined;
  }
  const isTry = node.try === true;
  const nullable = operand.nullable || (isTry && castCanFail(operand.type, target));
  return { op: 'call', fn: isTry ? 'TRY_CAST' : 'CAST', args: [operand], type: target, nullable };
}

function arityText(min: number, max: number): string {
  const plural = (n: number): string => `${n} argument${n === 1 ? '' : 's'}`;
  if (min === max) return plural(min);
  if (max === Infinity) return `at least ${plural(min)}`;
  return max === min + 1 ? `${min} or ${plural(max)}` : `${min} to ${plural(max)}`;
}

function givenText(n: number): string {
  return `${n} ${n === 1 ? 'is' : 'are'}`;
}

function findUdf(name: string, udfs: ReadonlyMap<string, ScalarUdfSignature>): ScalarUdfSignature | undefined {
  const exact = udfs.get(name);
  if (exact !== undefined) return exact;
  const lower = name.toLowerCase();
  return [...udfs.values()].find((u) => u.name.toLowerCase() === lower);
}

function udfSignature(udf: ScalarUdfSignature): string {
  return `${udf.name}(${udf.args.map(typeToString).join(', ')}) → ${typeToString(udf.returns)}`;
}

/** A UDF call: arguments must be of, or widen to, the declared types; a NULL argument gives NULL unless `callOnNull`. */
function checkUdfCall(node: FunctionCall, udf: ScalarUdfSignature, args: readonly TypedExpr[], bag: DiagnosticBag): TypedExpr | undefined {
  const signature = udfSignature(udf);
  if (args.length !== udf.args.length) {
    bag.report(Diagnostics.WrongArgumentCount, node.span, { name: udf.name, expected: arityText(udf.args.length, udf.args.length), actual: givenText(args.length), signature });
    return undefined;
  }
  let ok = true;
  args.forEach((arg, i) => {
    const expected = udf.args[i]!;
    if (!widensTo(arg.type, expected)) {
      bag.report(Diagnostics.WrongArgumentType, node.args[i]!.span, {
        position: i + 1,
        name: udf.name,
        expected: typeToString(expected),
        actual: typeToString(arg.type),
        signature,
      });
      ok = false;
    }
  });
  if (!ok) return undefined;
  const nullable = udf.nullable === true || args.some((a) => a.nullable);
  return { op: 'udf', name: udf.name, args, type: udf.returns, nullable };
}

function checkFunctionCall(node: FunctionCall, env: Env): TypedExpr | undefined {
  const { bag, udfs } = env.ctx;
  const name = node.name.name;
  if (isAggregateName(name)) {
    bag.report(Diagnostics.AggregateOutsideAggregate, node.name.span, { name: name.toUpperCase() });
    return undefined;
  }
  const udf = findUdf(name, udfs);
  const entry = udf === undefined ? lookupFunction(name) : undefined;
  if (udf === undefined && entry === undefined) {
    const candidates = [...functionNames(), ...udfs.keys()];
    bag.report(Diagnostics.UnknownFunction, node.name.span, { name, suggestion: didYouMean(closestMatch(name, candidates)) });
    checkAll(node.args, env);
    return undefined;
  }
  if (node.star || node.distinct) {
    bag.report(Diagnostics.ScalarCallWithStarOrDistinct, node.span, { form: node.star ? '*' : 'DISTINCT', name: name.toUpperCase() });
    return undefined;
  }
  const args = checkAll(node.args, env);
  if (args === undefined) return undefined;
  if (udf !== undefined) return checkUdfCall(node, udf, args, bag);

  const fn = entry!;
  if (args.length < fn.minArgs || args.length > fn.maxArgs) {
    bag.report(Diagnostics.WrongArgumentCount, node.span, {
      name: name.toUpperCase(),
      expected: arityText(fn.minArgs, fn.maxArgs),
      actual: givenText(args.length),
      signature: fn.signature,
    });
    return undefined;
  }
  return apply(fn, args, functionContext(fn, name.toUpperCase(), args, node.args.map((a) => a.span), node.span, bag));
}

const HANDLERS: { readonly [K in ExprKind]: Handler<K> } = {
  NumberLiteral: (node, env) => numberLiteral(node, env.ctx.bag),
  StringLiteral: (node) => ({ op: 'literal', value: node.value, type: STRING, nullable: false }),
  BooleanLiteral: (node) => ({ op: 'literal', value: node.value, type: BOOLEAN, nullable: false }),
  NullLiteral: () => ({ op: 'literal', value: null, type: NULL_TYPE, nullable: true }),
  IntervalLiteral: (node, env) => intervalLiteral(node, env.ctx.bag),
  TimestampLiteral: (node, env) => timestampLiteral(node, env.ctx.bag),
  ColumnRef: checkColumn,
  UnaryExpr: checkUnary,
  BinaryExpr: checkBinary,
  ChainExpr: checkChain,
  IsNullExpr: (node: IsNullExpr, env) => checkSpecialForm(node.negated ? 'IS_NOT_NULL' : 'IS_NULL', 'IS NULL', [node.operand], node.span, env),
  BetweenExpr: (node: BetweenExpr, env) => checkSpecialForm(node.negated ? 'NOT_BETWEEN' : 'BETWEEN', 'BETWEEN', [node.operand, node.low, node.high], node.span, env),
  InExpr: (node: InExpr, env) => checkSpecialForm(node.negated ? 'NOT_IN' : 'IN', 'IN', [node.operand, ...node.list], node.span, env),
  LikeExpr: (node: LikeExpr, env) => checkSpecialForm(node.negated ? 'NOT_LIKE' : 'LIKE', 'LIKE', [node.operand, node.pattern], node.span, env),
  CaseExpr: checkCase,
  CastExpr: checkCast,
  FunctionCall: checkFunctionCall,
};

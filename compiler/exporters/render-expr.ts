import type { TypedExpr } from '../expressions/typed-expr.js';
import { typeToString } from '../types/sql-type.js';

/**
 * How a built-in call is written back as SQL. Binding strength follows the grammar: OR < AND < NOT <
 * comparison/IS/BETWEEN/IN/LIKE < `||` `+` `-` < `*` `/` `%` < unary minus.
 */
type Syntax =
  | { readonly form: 'infix'; readonly symbol: string; readonly precedence: number }
  | { readonly form: 'prefix'; readonly symbol: string; readonly precedence: number }
  | { readonly form: 'postfix'; readonly symbol: string }
  | { readonly form: 'between'; readonly negated: boolean }
  | { readonly form: 'in'; readonly negated: boolean }
  | { readonly form: 'like'; readonly negated: boolean }
  | { readonly form: 'case' }
  | { readonly form: 'cast'; readonly keyword: string };

const OR = 1;
const AND = 2;
const NOT = 3;
const COMPARISON = 4;
const ADDITIVE = 5;
const MULTIPLICATIVE = 6;
const UNARY = 7;
const ATOM = 8;

const infix = (symbol: string, precedence: number): Syntax => ({ form: 'infix', symbol, precedence });

/** Built-in names (upper-cased) that are operators or special forms rather than `NAME(args)` calls. */
const SYNTAX: ReadonlyMap<string, Syntax> = new Map<string, Syntax>([
  ['OR', infix('OR', OR)],
  ['AND', infix('AND', AND)],
  ['NOT', { form: 'prefix', symbol: 'NOT ', precedence: NOT }],
  ['=', infix('=', COMPARISON)],
  ['<>', infix('<>', COMPARISON)],
  ['<', infix('<', COMPARISON)],
  ['<=', infix('<=', COMPARISON)],
  ['>', infix('>', COMPARISON)],
  ['>=', infix('>=', COMPARISON)],
  ['IS_NULL', { form: 'postfix', symbol: 'IS NULL' }],
  ['IS_NOT_NULL', { form: 'postfix', symbol: 'IS NOT NULL' }],
  ['BETWEEN', { form: 'between', negated: false }],
  ['NOT_BETWEEN', { form: 'between', negated: true }],
  ['IN', { form: 'in', negated: false }],
  ['NOT_IN', { form: 'in', negated: true }],
  ['LIKE', { form: 'like', negated: false }],
  ['NOT_LIKE', { form: 'like', negated: true }],
  ['||', infix('||', ADDITIVE)],
  ['+', infix('+', ADDITIVE)],
  ['-', infix('-', ADDITIVE)],
  ['*', infix('*', MULTIPLICATIVE)],
  ['/', infix('/', MULTIPLICATIVE)],
  ['%', infix('%', MULTIPLICATIVE)],
  ['NEGATE', { form: 'prefix', symbol: '-', precedence: UNARY }],
  ['CASE', { form: 'case' }],
  ['CAST', { form: 'cast', keyword: 'CAST' }],
  ['TRY_CAST', { form: 'cast', keyword: 'TRY_CAST' }],
]);

/** Whether a built-in is written as an operator or special form (`+`, `IS NULL`, `CASE`, `CAST`) rather than a call. */
export function isSqlSyntax(fn: string): boolean {
  return SYNTAX.has(fn.toUpperCase());
}

const PLAIN_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** An identifier as written in a .pipe file: back-quoted unless it is a plain name. */
export function identifier(name: string): string {
  return PLAIN_IDENTIFIER.test(name) ? name : quoteIdentifier(name);
}

export function quoteIdentifier(name: string): string {
  return `\`${name.replaceAll('`', '``')}\``;
}

export function stringLiteral(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

const INTERVAL_UNITS: readonly (readonly [string, number])[] = [
  ['DAY', 86_400_000],
  ['HOUR', 3_600_000],
  ['MINUTE', 60_000],
  ['SECOND', 1_000],
];

function intervalLiteral(ms: number): string {
  const [unit, size] = INTERVAL_UNITS.find(([, size]) => ms % size === 0 && ms !== 0) ?? ['MILLISECOND', 1];
  return `INTERVAL ${stringLiteral(String(ms / size))} ${unit}`;
}

/**
 * What differs between the dialects an expression is written back in: Sluice's own (for messages and
 * diagrams) and Flink SQL (compiler/exporters/flink-sql/), which has no MILLISECOND interval unit.
 */
export interface SqlDialect {
  readonly interval: (ms: number) => string;
}

export const SLUICE_DIALECT: SqlDialect = { interval: intervalLiteral };

function timestampLiteral(epochMs: number): string {
  const date = new Date(epochMs);
  const text = Number.isNaN(date.getTime()) ? String(epochMs) : date.toISOString().replace('T', ' ').replace('Z', '');
  return `TIMESTAMP ${stringLiteral(text)}`;
}

function renderLiteral(expr: Extract<TypedExpr, { op: 'literal' }>, dialect: SqlDialect): string {
  const { value, type } = expr;
  if (value === null) return 'NULL';
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (typeof value === 'string') return stringLiteral(value);
  if (type.name === 'TIMESTAMP') return timestampLiteral(value);
  if (type.name === 'INTERVAL') return dialect.interval(value);
  // A DOUBLE literal needs its exponent, or it would read back as a DECIMAL (or BIGINT).
  if (type.name === 'DOUBLE') return Number.isFinite(value) ? value.toExponential().toUpperCase() : String(value);
  return String(value);
}

interface Rendered {
  readonly text: string;
  readonly precedence: number;
}

/**
 * Renders a resolved expression as readable SQL (`price > 100`, `MOD(auction, 123) = 0`), adding only the
 * parentheses the precedence needs. Columns print as `fieldNames[index]` when given (the operator's input
 * columns), else under the name recorded in the expression.
 */
export function renderExpr(expr: TypedExpr, fieldNames?: readonly string[]): string {
  return render(expr, { column: (index, name) => identifier(fieldNames?.[index] ?? name), dialect: SLUICE_DIALECT }).text;
}

/**
 * Renders an expression in another dialect, with each column written as `columns[index]`: SQL text the caller
 * has already quoted and qualified (`l.price`, `` `value` ``).
 */
export function renderExprIn(dialect: SqlDialect, expr: TypedExpr, columns: readonly string[]): string {
  return render(expr, { column: (index, name) => columns[index] ?? identifier(name), dialect }).text;
}

interface RenderContext {
  readonly column: (index: number, name: string) => string;
  readonly dialect: SqlDialect;
}

function render(expr: TypedExpr, ctx: RenderContext): Rendered {
  switch (expr.op) {
    case 'literal':
      return { text: renderLiteral(expr, ctx.dialect), precedence: ATOM };
    case 'column':
      return { text: ctx.column(expr.index, expr.name), precedence: ATOM };
    case 'udf':
      return { text: `${expr.name}(${expr.args.map((a) => render(a, ctx).text).join(', ')})`, precedence: ATOM };
    case 'call':
      return renderCall(expr, ctx);
    case 'chain':
      return renderChain(expr, ctx);
  }
}

/** Binding strength an infix operator needs of its left operand: comparisons do not associate. */
function leftMinimum(precedence: number): number {
  return precedence === COMPARISON ? COMPARISON + 1 : precedence;
}

/** Written as the nested calls it folds would be, in a loop: `a + b - c`, `(a = b) = c`. */
function renderChain(expr: Extract<TypedExpr, { op: 'chain' }>, ctx: RenderContext): Rendered {
  let left = render(expr.operands[0]!, ctx);
  expr.links.forEach((link, i) => {
    const right = render(expr.operands[i + 1]!, ctx);
    const syntax = SYNTAX.get(link.fn);
    if (syntax?.form !== 'infix') {
      left = { text: `${link.fn.toUpperCase()}(${left.text}, ${right.text})`, precedence: ATOM };
      return;
    }
    const leftText = left.precedence >= leftMinimum(syntax.precedence) ? left.text : `(${left.text})`;
    const rightText = right.precedence > syntax.precedence ? right.text : `(${right.text})`;
    left = { text: `${leftText} ${syntax.symbol} ${rightText}`, precedence: syntax.precedence };
  });
  return left;
}

function renderCall(expr: Extract<TypedExpr, { op: 'call' }>, ctx: RenderContext): Rendered {
  const syntax = SYNTAX.get(expr.fn.toUpperCase());
  const args = expr.args;
  // Operand at a position that needs at least `min` binding strength to go without parentheses.
  const operand = (arg: TypedExpr, min: number): string => {
    const r = render(arg, ctx);
    return r.precedence >= min ? r.text : `(${r.text})`;
  };
  const list = (items: readonly TypedExpr[]): string => items.map((a) => render(a, ctx).text).join(', ');
  const not = (negated: boolean): string => (negated ? 'NOT ' : '');

  if (syntax === undefined) return { text: `${expr.fn.toUpperCase()}(${list(args)})`, precedence: ATOM };
  switch (syntax.form) {
    case 'infix': {
      // Left-associative (a right operand of equal strength needs parentheses: `a - (b - c)`); comparisons
      // do not associate at all.
      return {
        text: args.map((a, i) => operand(a, i === 0 ? leftMinimum(syntax.precedence) : syntax.precedence + 1)).join(` ${syntax.symbol} `),
        precedence: syntax.precedence,
      };
    }
    case 'prefix':
      return { text: `${syntax.symbol}${operand(args[0]!, syntax.precedence)}`, precedence: syntax.precedence };
    case 'postfix':
      return { text: `${operand(args[0]!, COMPARISON + 1)} ${syntax.symbol}`, precedence: COMPARISON };
    case 'between':
      return {
        text: `${operand(args[0]!, COMPARISON + 1)} ${not(syntax.negated)}BETWEEN ${operand(args[1]!, COMPARISON + 1)} AND ${operand(args[2]!, COMPARISON + 1)}`,
        precedence: COMPARISON,
      };
    case 'in':
      return { text: `${operand(args[0]!, COMPARISON + 1)} ${not(syntax.negated)}IN (${list(args.slice(1))})`, precedence: COMPARISON };
    case 'like':
      return { text: `${operand(args[0]!, COMPARISON + 1)} ${not(syntax.negated)}LIKE ${operand(args[1]!, COMPARISON + 1)}`, precedence: COMPARISON };
    case 'cast':
      return { text: `${syntax.keyword}(${render(args[0]!, ctx).text} AS ${typeToString(expr.type)})`, precedence: ATOM };
    case 'case':
      return { text: renderCase(args, ctx), precedence: ATOM };
  }
}

/** A searched CASE as stored: `when₁, then₁, when₂, then₂, …[, else]`. */
function renderCase(args: readonly TypedExpr[], ctx: RenderContext): string {
  const parts = ['CASE'];
  let i = 0;
  for (; i + 1 < args.length; i += 2) {
    parts.push(`WHEN ${render(args[i]!, ctx).text} THEN ${render(args[i + 1]!, ctx).text}`);
  }
  if (i < args.length) parts.push(`ELSE ${render(args[i]!, ctx).text}`);
  parts.push('END');
  return parts.join(' ');
}

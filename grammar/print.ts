import type * as ast from './ast/index.js';
import { binaryPrecedence, Precedence, precedenceOf } from './precedence.js';
import { reservedWords } from './tokens.js';

/**
 * Prints a script as canonical `.pipe` source: upper-case keywords, one step per line, a blank line between
 * statements, identifiers back-quoted where needed (or where they were), strings escaped and only the
 * parentheses that precedence requires. `parse(printScript(s))` gives back `s` apart from spans.
 */
export function printScript(script: ast.Script): string {
  return script.statements.map((statement) => `${printStatement(statement)};\n`).join('\n');
}

export function printStatement(statement: ast.Statement): string {
  return statementPrinters[statement.kind](statement as never);
}

type Printers<T extends { kind: string }> = { readonly [K in T['kind']]: (node: Extract<T, { kind: K }>) => string };

const statementPrinters: Printers<ast.Statement> = {
  SetStatement: (s) => `SET ${printString(s.key.value)} = ${printString(s.value.value)}`,
  CreateSource: (s) =>
    `CREATE SOURCE ${printIdentifier(s.name)} ${printTableElements(s.columns, s.watermark, s.primaryKey)}` +
    ` ${printOptions(s.options)}${printUid(s.uid)}`,
  CreateSink: (s) =>
    `CREATE SINK ${printIdentifier(s.name)}${s.columns === undefined && s.primaryKey === undefined ? '' : ` ${printTableElements(s.columns ?? [], undefined, s.primaryKey)}`}` +
    ` ${printOptions(s.options)}${printUid(s.uid)}`,
  CreateView: (s) => `CREATE VIEW ${printIdentifier(s.name)} AS\n${printPipeline(s.pipeline)}`,
  CreateFunction: (s) => `CREATE FUNCTION ${printIdentifier(s.name)} AS ${printString(s.module.value)}${s.languageWritten ? ' LANGUAGE JAVASCRIPT' : ''}`,
  InsertInto: (s) => `INSERT INTO ${printIdentifier(s.sink)}\n${printPipeline(s.pipeline)}`,
};

function printTableElements(columns: readonly ast.ColumnDef[], watermark: ast.WatermarkDef | undefined, primaryKey: ast.PrimaryKeyDef | undefined): string {
  const lines = columns.map(
    (c) =>
      `${printIdentifier(c.name)} ${printType(c.type)}${c.notNull ? ' NOT NULL' : ''}` +
      (c.metadata === undefined ? '' : ` METADATA${c.metadata.key === undefined ? '' : ` FROM ${printString(c.metadata.key.value)}`}`),
  );
  if (watermark !== undefined) lines.push(`WATERMARK FOR ${printIdentifier(watermark.column)} AS ${printExpr(watermark.expr)}`);
  if (primaryKey !== undefined) lines.push(`PRIMARY KEY (${primaryKey.columns.map(printIdentifier).join(', ')}) NOT ENFORCED`);
  return `(\n${lines.map((line) => `  ${line}`).join(',\n')}\n)`;
}

function printOptions(options: readonly ast.OptionEntry[]): string {
  if (options.length === 0) return 'WITH ()';
  return `WITH (\n${options.map((o) => `  ${printString(o.key.value)} = ${printString(o.value.value)}`).join(',\n')}\n)`;
}

function printUid(uid: ast.UidClause | undefined): string {
  if (uid === undefined) return '';
  return ` UID ${printString(uid.value)}${uid.ttl === undefined ? '' : ` TTL ${printExpr(uid.ttl)}`}`;
}

export function printType(type: ast.TypeRef): string {
  const name = isPlainName(type.name) ? type.name : quoteIdentifier(type.name);
  return type.params.length === 0 ? name : `${name}(${type.params.join(', ')})`;
}

// ---- Pipelines ----------------------------------------------------------------------------------------

export function printPipeline(pipeline: ast.Pipeline): string {
  return [`FROM ${printStreamRef(pipeline.from)}`, ...pipeline.steps.map((step) => `|> ${printStep(step)}`)].join('\n');
}

function printStreamRef(ref: ast.StreamRef): string {
  return ref.alias === undefined ? printIdentifier(ref.name) : `${printIdentifier(ref.name)} AS ${printIdentifier(ref.alias)}`;
}

export function printStep(step: ast.Step): string {
  return stepPrinters[step.kind](step as never) + printUid(step.uid);
}

const list = (exprs: readonly ast.Expr[]): string => exprs.map((e) => printExpr(e)).join(', ');
const aliased = (expr: ast.Expr, alias: ast.Identifier | undefined): string =>
  alias === undefined ? printExpr(expr) : `${printExpr(expr)} AS ${printIdentifier(alias)}`;

const stepPrinters: Printers<ast.Step> = {
  WhereStep: (s) => `WHERE ${printExpr(s.condition)}`,
  SelectStep: (s) =>
    `SELECT ${s.items
      .map((item) =>
        item.kind === 'ExprItem'
          ? aliased(item.expr, item.alias)
          : item.qualifier === undefined ? '*' : `${printIdentifier(item.qualifier)}.*`,
      )
      .join(', ')}`,
  ExtendStep: (s) => `EXTEND ${s.items.map((item) => aliased(item.expr, item.alias)).join(', ')}`,
  WindowStep: (s) => `WINDOW ${s.function}(${list([s.timeColumn, ...s.args])})`,
  AggregateStep: (s) =>
    `AGGREGATE ${s.aggregates.map((a) => aliased(a.call, a.alias)).join(', ')}` +
    (s.groupBy.length === 0 ? '' : ` GROUP BY ${s.groupBy.map((g) => aliased(g.expr, g.alias)).join(', ')}`),
  JoinStep: (s) => `${s.joinType === 'LEFT' ? 'LEFT JOIN' : 'JOIN'} ${printStreamRef(s.right)} ON ${printExpr(s.condition)}`,
  UnionStep: (s) => `UNION ALL ${printIdentifier(s.other.name)}`,
  DeduplicateStep: (s) => `DEDUPLICATE BY ${list(s.keys)} KEEP ${s.keep}`,
  ProcessStep: (s) =>
    `PROCESS ${printIdentifier(s.function)}(${list(s.args)})` +
    (s.partitionBy.length === 0 ? '' : ` PARTITION BY ${list(s.partitionBy)}`),
};

// ---- Expressions --------------------------------------------------------------------------------------

export function printExpr(expr: ast.Expr): string {
  return printAt(expr, Precedence.Or);
}

/** Prints `expr`, parenthesised if it binds more loosely than `min` allows at this position. */
function printAt(expr: ast.Expr, min: Precedence): string {
  const text = exprPrinters[expr.kind](expr as never);
  return precedenceOf(expr) < min ? `(${text})` : text;
}

const not = (negated: boolean): string => (negated ? 'NOT ' : '');

const exprPrinters: Printers<ast.Expr> = {
  NumberLiteral: (e) => e.text,
  StringLiteral: (e) => printString(e.value),
  BooleanLiteral: (e) => (e.value ? 'TRUE' : 'FALSE'),
  NullLiteral: () => 'NULL',
  IntervalLiteral: (e) => `INTERVAL ${printString(e.value)} ${e.unit}`,
  TimestampLiteral: (e) => `TIMESTAMP ${printString(e.value)}`,
  ColumnRef: (e) => (e.qualifier === undefined ? '' : `${printIdentifier(e.qualifier)}.`) + printIdentifier(e.name),
  UnaryExpr: (e) =>
    e.operator === 'NOT'
      ? `NOT ${printAt(e.operand, Precedence.Not)}`
      // A nested sign is parenthesised: `--x` would start a comment.
      : `${e.operator}${e.operand.kind === 'UnaryExpr' ? `(${printExpr(e.operand)})` : printAt(e.operand, Precedence.Unary)}`,
  BinaryExpr: (e) => {
    const level = binaryPrecedence[e.operator];
    // Left-associative: the right operand must bind strictly tighter.
    const rightMin = (level === Precedence.Predicate ? Precedence.Additive : level + 1) as Precedence;
    return `${printAt(e.left, level)} ${e.operator} ${printAt(e.right, rightMin)}`;
  },
  ChainExpr: (e) => {
    const level = binaryPrecedence[e.operators[0]!];
    return e.operands.map((o, i) => (i === 0 ? printAt(o, level) : `${e.operators[i - 1]} ${printAt(o, level + 1 as Precedence)}`)).join(' ');
  },
  IsNullExpr: (e) => `${printAt(e.operand, Precedence.Predicate)} IS ${not(e.negated)}NULL`,
  BetweenExpr: (e) =>
    `${printAt(e.operand, Precedence.Predicate)} ${not(e.negated)}BETWEEN ` +
    `${printAt(e.low, Precedence.Additive)} AND ${printAt(e.high, Precedence.Additive)}`,
  InExpr: (e) => `${printAt(e.operand, Precedence.Predicate)} ${not(e.negated)}IN (${list(e.list)})`,
  LikeExpr: (e) => `${printAt(e.operand, Precedence.Predicate)} ${not(e.negated)}LIKE ${printAt(e.pattern, Precedence.Additive)}`,
  CaseExpr: (e) =>
    ['CASE', ...(e.operand === undefined ? [] : [printExpr(e.operand)]),
      ...e.whens.map((w) => `WHEN ${printExpr(w.when)} THEN ${printExpr(w.then)}`),
      ...(e.else === undefined ? [] : [`ELSE ${printExpr(e.else)}`]), 'END'].join(' '),
  CastExpr: (e) => `${e.try === true ? 'TRY_CAST' : 'CAST'}(${printExpr(e.operand)} AS ${printType(e.type)})`,
  FunctionCall: (e) =>
    `${printIdentifier(e.name)}(${e.star ? '*' : `${e.distinct ? 'DISTINCT ' : ''}${list(e.args)}`})`,
};

// ---- Names and strings --------------------------------------------------------------------------------

export function printString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** Back-quotes a name that was quoted, is not a plain identifier, or is spelled like a reserved word. */
export function printIdentifier(id: ast.Identifier): string {
  return isPlainName(id.name) && !id.quoted ? id.name : quoteIdentifier(id.name);
}

function isPlainName(name: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && !reservedWords.has(name.toUpperCase());
}

function quoteIdentifier(name: string): string {
  return `\`${name.replaceAll('`', '``')}\``;
}

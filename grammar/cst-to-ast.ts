import type { CstElement, CstNode, IToken } from 'chevrotain';
import { syntaxDiagnostics } from '../compiler/diagnostics/catalogue/syntax.js';
import type { DiagnosticBag } from '../compiler/diagnostics/diagnostic.js';
import type * as ast from './ast/index.js';
import { spanBetween } from './ast/index.js';
import type * as cst from './cst.js';
import { pipeParser } from './parser.js';
import { UnterminatedQuotedIdentifier, UnterminatedString } from './tokens.js';

/**
 * Turns the concrete syntax tree into the AST.
 *
 * Error recovery can leave any child missing, and tokens it invented (`isInsertedInRecovery`) carry no text,
 * so every builder returns `undefined` when a part it needs is absent and its caller gives up in turn:
 * a statement that is not whole is dropped (its syntax errors are already reported), the others are kept.
 * Forms the grammar leaves open (interval units, window functions, type parameters, aggregate calls) are
 * checked here and reported into the bag.
 */
export function buildScript(root: cst.ScriptCstNode, bag: DiagnosticBag, textLength: number, parsedWithErrors: boolean): ast.Script {
  const builder = new AstBuilder(bag, parsedWithErrors);
  return { kind: 'Script', statements: builder.script(root.children), span: { offset: 0, length: textLength } };
}

type Span = ast.Span;
type StepBase = Pick<ast.WhereStep, 'uid' | 'span'>;
type PredicateSuffix = (left: ast.Expr) => ast.Expr;

interface FunctionArguments {
  readonly args: readonly ast.Expr[];
  readonly distinct: boolean;
  readonly star: boolean;
}

interface TableElements {
  readonly columns: readonly ast.ColumnDef[];
  readonly watermarks: readonly ast.WatermarkDef[];
}

interface AliasedExpression {
  readonly expr: ast.Expr;
  readonly alias?: ast.Identifier;
  readonly span: Span;
}

const intervalUnits: Readonly<Record<string, ast.IntervalUnit>> = {
  MILLISECOND: 'MILLISECOND', MILLISECONDS: 'MILLISECOND',
  SECOND: 'SECOND', SECONDS: 'SECOND',
  MINUTE: 'MINUTE', MINUTES: 'MINUTE',
  HOUR: 'HOUR', HOURS: 'HOUR',
  DAY: 'DAY', DAYS: 'DAY',
};

/** Each window function's arguments after the time column, and how to write it. */
const windowFunctions: Readonly<Record<ast.WindowFunction, { readonly arity: number; readonly usage: string }>> = {
  TUMBLE: { arity: 2, usage: 'TUMBLE(time_col, size)' },
  HOP: { arity: 3, usage: 'HOP(time_col, slide, size)' },
  SESSION: { arity: 2, usage: 'SESSION(time_col, gap)' },
};

const comparisonOperators: Readonly<Record<string, ast.BinaryOperator>> = {
  '=': '=', '<>': '<>', '!=': '<>', '<': '<', '<=': '<=', '>': '>', '>=': '>=',
};

// ---- Tokens and nodes -------------------------------------------------------------------------------------

/** The i-th token of a child list, unless recovery invented it. */
function real(tokens: readonly IToken[] | undefined, index = 0): IToken | undefined {
  const token = tokens?.[index];
  return token === undefined || token.isInsertedInRecovery === true ? undefined : token;
}

function tokenSpan(token: IToken): Span {
  return { offset: token.startOffset, length: token.image.length };
}

function nodeSpan(node: CstNode): Span | undefined {
  const location = node.location;
  if (location === undefined || !Number.isFinite(location.startOffset) || !Number.isFinite(location.endOffset)) return undefined;
  return { offset: location.startOffset, length: (location.endOffset ?? location.startOffset) + 1 - location.startOffset };
}

function hasRecoveredNode(element: CstElement): boolean {
  if (!('children' in element)) return false;
  if (element.recoveredNode === true) return true;
  return Object.values(element.children).some((list) => list.some(hasRecoveredNode));
}

function identifier(token: IToken | undefined): ast.Identifier | undefined {
  if (token === undefined) return undefined;
  const image = token.image;
  if (!image.startsWith('`')) return { kind: 'Identifier', name: image, quoted: false, span: tokenSpan(token) };
  const body = token.tokenType === UnterminatedQuotedIdentifier ? image.slice(1) : image.slice(1, -1);
  return { kind: 'Identifier', name: body.replaceAll('``', '`'), quoted: true, span: tokenSpan(token) };
}

function stringValue(token: IToken): string {
  const body = token.tokenType === UnterminatedString ? token.image.slice(1) : token.image.slice(1, -1);
  return body.replaceAll("''", "'");
}

function stringNode(token: IToken | undefined): ast.StringLiteralNode | undefined {
  return token === undefined ? undefined : { kind: 'StringLiteralNode', value: stringValue(token), span: tokenSpan(token) };
}

/** Left-folds `operands[0] op operands[1] op …`; undefined if recovery lost an operand or an operator. */
function foldBinary(
  operands: readonly ast.Expr[] | undefined,
  operators: readonly IToken[] | undefined,
  operatorOf: (token: IToken) => ast.BinaryOperator,
): ast.Expr | undefined {
  if (operands === undefined || operands.length === 0) return undefined;
  const ops = operators ?? [];
  if (ops.length !== operands.length - 1) return undefined;
  let left = operands[0] as ast.Expr;
  for (let i = 0; i < ops.length; i++) {
    const operator = real(ops, i);
    const right = operands[i + 1] as ast.Expr;
    if (operator === undefined) return undefined;
    left = {
      kind: 'BinaryExpr',
      operator: operatorOf(operator),
      left,
      right,
      operatorSpan: tokenSpan(operator),
      span: spanBetween(left.span, right.span),
    };
  }
  return left;
}

/** Applies prefix operators (`NOT NOT x`, `- -x`) innermost first. */
function applyPrefixes(
  prefixes: readonly IToken[] | undefined,
  operand: ast.Expr | undefined,
  operatorOf: (token: IToken) => ast.UnaryOperator,
): ast.Expr | undefined {
  let result = operand;
  for (let i = (prefixes?.length ?? 0) - 1; i >= 0 && result !== undefined; i--) {
    const token = real(prefixes, i);
    result = token === undefined
      ? undefined
      : { kind: 'UnaryExpr', operator: operatorOf(token), operand: result, span: spanBetween(tokenSpan(token), result.span) };
  }
  return result;
}

// ---- The visitor ------------------------------------------------------------------------------------------

const BaseCstVisitor = pipeParser.getBaseCstVisitorConstructor<Span, unknown>();

/**
 * One method per grammar rule (checked by `validateVisitor`), each taking the node's children and span.
 * Builders call each other through `one`/`all` rather than the untyped `visit`, so results stay typed.
 */
class AstBuilder extends BaseCstVisitor {
  constructor(
    private readonly bag: DiagnosticBag,
    private readonly parsedWithErrors: boolean,
  ) {
    super();
    this.validateVisitor();
  }

  /** Builds the first node of a child list. */
  private one<N extends CstNode, R>(nodes: readonly N[] | undefined, build: (children: N['children'], span: Span) => R | undefined): R | undefined {
    const node = nodes?.[0];
    if (node === undefined) return undefined;
    const span = nodeSpan(node);
    return span === undefined ? undefined : build(node.children, span);
  }

  /** Builds every node of a child list; undefined if any of them fails. */
  private all<N extends CstNode, R>(nodes: readonly N[] | undefined, build: (children: N['children'], span: Span) => R | undefined): R[] | undefined {
    const results: R[] = [];
    for (const node of nodes ?? []) {
      const result = this.one([node], build);
      if (result === undefined) return undefined;
      results.push(result);
    }
    return results;
  }

  // ---- Statements ----

  script(ctx: cst.ScriptCstChildren): ast.Statement[] {
    const statements: ast.Statement[] = [];
    for (const node of ctx.statements ?? []) {
      if (this.parsedWithErrors && hasRecoveredNode(node)) continue;
      const statement = this.one([node], (c, span) => this.statement(c, span));
      if (statement !== undefined) statements.push(statement);
    }
    return statements;
  }

  statement(ctx: cst.StatementCstChildren, span: Span): ast.Statement | undefined {
    // The statement's span stops before its `;`.
    const body = ctx.setStatement?.[0] ?? ctx.createStatement?.[0] ?? ctx.insertStatement?.[0];
    const bodySpan = body === undefined ? undefined : nodeSpan(body);
    if (bodySpan === undefined) return undefined;
    const statementSpan = spanBetween(span, bodySpan);
    return (
      this.one(ctx.setStatement, (c) => this.setStatement(c, statementSpan)) ??
      this.one(ctx.createStatement, (c) => this.createStatement(c, statementSpan)) ??
      this.one(ctx.insertStatement, (c) => this.insertStatement(c, statementSpan))
    );
  }

  setStatement(ctx: cst.SetStatementCstChildren, span: Span): ast.SetStatement | undefined {
    const key = stringNode(real(ctx.key));
    const value = stringNode(real(ctx.value));
    return key && value && { kind: 'SetStatement', key, value, span };
  }

  createStatement(ctx: cst.CreateStatementCstChildren, span: Span): ast.Statement | undefined {
    return (
      this.one(ctx.createSource, (c) => this.createSource(c, span)) ??
      this.one(ctx.createSink, (c) => this.createSink(c, span)) ??
      this.one(ctx.createView, (c) => this.createView(c, span))
    );
  }

  createSource(ctx: cst.CreateSourceCstChildren, span: Span): ast.CreateSource | undefined {
    const name = identifier(real(ctx.name));
    const elements = this.one(ctx.tableElements, (c) => this.tableElements(c));
    const options = this.one(ctx.withOptions, (c) => this.withOptions(c));
    const uid = this.optionalUid(ctx.uidClause);
    if (!name || !elements || !options || uid === null) return undefined;
    const [watermark, ...extra] = elements.watermarks;
    for (const duplicate of extra) this.bag.report(syntaxDiagnostics.DuplicateWatermark, duplicate.span);
    if (extra.length > 0) return undefined;
    return {
      kind: 'CreateSource',
      name,
      columns: elements.columns,
      ...(watermark === undefined ? {} : { watermark }),
      options,
      ...(uid === undefined ? {} : { uid }),
      span,
    };
  }

  createSink(ctx: cst.CreateSinkCstChildren, span: Span): ast.CreateSink | undefined {
    const name = identifier(real(ctx.name));
    const elements = ctx.tableElements === undefined ? null : this.one(ctx.tableElements, (c) => this.tableElements(c));
    const options = this.one(ctx.withOptions, (c) => this.withOptions(c));
    const uid = this.optionalUid(ctx.uidClause);
    if (!name || elements === undefined || !options || uid === null) return undefined;
    for (const watermark of elements?.watermarks ?? []) this.bag.report(syntaxDiagnostics.WatermarkInSink, watermark.span);
    if (elements !== null && elements.watermarks.length > 0) return undefined;
    return {
      kind: 'CreateSink',
      name,
      ...(elements === null ? {} : { columns: elements.columns }),
      options,
      ...(uid === undefined ? {} : { uid }),
      span,
    };
  }

  createView(ctx: cst.CreateViewCstChildren, span: Span): ast.CreateView | undefined {
    const name = identifier(real(ctx.name));
    const pipeline = this.one(ctx.pipeline, (c, s) => this.pipeline(c, s));
    return name && pipeline && { kind: 'CreateView', name, pipeline, span };
  }

  insertStatement(ctx: cst.InsertStatementCstChildren, span: Span): ast.InsertInto | undefined {
    const sink = identifier(real(ctx.sink));
    const pipeline = this.one(ctx.pipeline, (c, s) => this.pipeline(c, s));
    return sink && pipeline && { kind: 'InsertInto', sink, pipeline, span };
  }

  tableElements(ctx: cst.TableElementsCstChildren): TableElements | undefined {
    const elements = this.all(ctx.elements, (c) => this.tableElement(c));
    if (elements === undefined) return undefined;
    const columns: ast.ColumnDef[] = [];
    const watermarks: ast.WatermarkDef[] = [];
    for (const element of elements) {
      if (element.kind === 'ColumnDef') columns.push(element);
      else watermarks.push(element);
    }
    return { columns, watermarks };
  }

  tableElement(ctx: cst.TableElementCstChildren): ast.ColumnDef | ast.WatermarkDef | undefined {
    return this.one(ctx.columnDef, (c, s) => this.columnDef(c, s)) ?? this.one(ctx.watermarkDef, (c, s) => this.watermarkDef(c, s));
  }

  columnDef(ctx: cst.ColumnDefCstChildren, span: Span): ast.ColumnDef | undefined {
    const name = identifier(real(ctx.name));
    const type = this.one(ctx.typeRef, (c, s) => this.typeRef(c, s));
    return name && type && { kind: 'ColumnDef', name, type, notNull: ctx.Null !== undefined, span };
  }

  watermarkDef(ctx: cst.WatermarkDefCstChildren, span: Span): ast.WatermarkDef | undefined {
    const column = identifier(real(ctx.column));
    const expr = this.expressionOf(ctx.expression);
    return column && expr && { kind: 'WatermarkDef', column, expr, span };
  }

  typeRef(ctx: cst.TypeRefCstChildren, span: Span): ast.TypeRef | undefined {
    const name = real(ctx.name);
    if (name === undefined) return undefined;
    const params: number[] = [];
    for (let i = 0; i < (ctx.params?.length ?? 0); i++) {
      const param = real(ctx.params, i);
      if (param === undefined) return undefined;
      if (!/^\d+$/.test(param.image)) {
        this.bag.report(syntaxDiagnostics.InvalidTypeParameter, tokenSpan(param), { text: param.image });
        return undefined;
      }
      params.push(Number(param.image));
    }
    const typeName = identifier(name)?.name ?? name.image;
    return { kind: 'TypeRef', name: typeName.toUpperCase(), params, span };
  }

  withOptions(ctx: cst.WithOptionsCstChildren): ast.OptionEntry[] | undefined {
    return this.all(ctx.entries, (c, s) => this.optionEntry(c, s));
  }

  optionEntry(ctx: cst.OptionEntryCstChildren, span: Span): ast.OptionEntry | undefined {
    const key = stringNode(real(ctx.key));
    const value = stringNode(real(ctx.value));
    return key && value && { kind: 'OptionEntry', key, value, span };
  }

  uidClause(ctx: cst.UidClauseCstChildren, span: Span): ast.UidClause | undefined {
    const value = real(ctx.value);
    return value && { kind: 'UidClause', value: stringValue(value), span };
  }

  /** An optional `UID '…'`: absent is `undefined`, present but broken is `null`. */
  private optionalUid(nodes: cst.UidClauseCstNode[] | undefined): ast.UidClause | undefined | null {
    if (nodes === undefined) return undefined;
    return this.one(nodes, (c, s) => this.uidClause(c, s)) ?? null;
  }

  // ---- Pipelines and steps ----

  pipeline(ctx: cst.PipelineCstChildren, span: Span): ast.Pipeline | undefined {
    const from = this.one(ctx.from, (c, s) => this.streamRef(c, s));
    const steps = this.all(ctx.steps, (c, s) => this.step(c, s));
    return from && steps && { kind: 'Pipeline', from, steps, span };
  }

  streamRef(ctx: cst.StreamRefCstChildren, span: Span): ast.StreamRef | undefined {
    const name = identifier(real(ctx.name));
    if (name === undefined) return undefined;
    if (ctx.alias === undefined) return { kind: 'StreamRef', name, span };
    const alias = identifier(real(ctx.alias));
    return alias && { kind: 'StreamRef', name, alias, span };
  }

  step(ctx: cst.StepCstChildren, span: Span): ast.Step | undefined {
    const uid = this.optionalUid(ctx.uidClause);
    const body = ctx.whereStep?.[0] ?? ctx.selectStep?.[0] ?? ctx.extendStep?.[0] ?? ctx.windowStep?.[0] ??
      ctx.aggregateStep?.[0] ?? ctx.joinStep?.[0] ?? ctx.unionStep?.[0] ?? ctx.deduplicateStep?.[0] ?? ctx.processStep?.[0];
    const bodySpan = body === undefined ? undefined : nodeSpan(body);
    if (uid === null || bodySpan === undefined) return undefined;
    // A step's span starts at its keyword (not at `|>`) and includes its UID.
    const stepSpan = spanBetween(bodySpan, { offset: span.offset + span.length, length: 0 });
    const base: StepBase = uid === undefined ? { span: stepSpan } : { uid, span: stepSpan };
    return (
      this.one(ctx.whereStep, (c) => this.whereStep(c, base)) ??
      this.one(ctx.selectStep, (c) => this.selectStep(c, base)) ??
      this.one(ctx.extendStep, (c) => this.extendStep(c, base)) ??
      this.one(ctx.windowStep, (c) => this.windowStep(c, base)) ??
      this.one(ctx.aggregateStep, (c) => this.aggregateStep(c, base)) ??
      this.one(ctx.joinStep, (c) => this.joinStep(c, base)) ??
      this.one(ctx.unionStep, (c) => this.unionStep(c, base)) ??
      this.one(ctx.deduplicateStep, (c) => this.deduplicateStep(c, base)) ??
      this.one(ctx.processStep, (c) => this.processStep(c, base))
    );
  }

  whereStep(ctx: cst.WhereStepCstChildren, base: StepBase): ast.WhereStep | undefined {
    const condition = this.expressionOf(ctx.condition);
    return condition && { kind: 'WhereStep', condition, ...base };
  }

  selectStep(ctx: cst.SelectStepCstChildren, base: StepBase): ast.SelectStep | undefined {
    const items = this.all(ctx.items, (c, s) => this.selectItem(c, s));
    return items && { kind: 'SelectStep', items, ...base };
  }

  selectItem(ctx: cst.SelectItemCstChildren, span: Span): ast.SelectItem | undefined {
    if (ctx.aliasedExpression !== undefined) {
      const item = this.one(ctx.aliasedExpression, (c, s) => this.aliasedExpression(c, s));
      return item && { kind: 'ExprItem', ...item };
    }
    if (ctx.qualifier === undefined) return { kind: 'StarItem', span };
    const qualifier = identifier(real(ctx.qualifier));
    return qualifier && { kind: 'StarItem', qualifier, span };
  }

  aliasedExpression(ctx: cst.AliasedExpressionCstChildren, span: Span): AliasedExpression | undefined {
    const expr = this.expressionOf(ctx.expression);
    if (expr === undefined) return undefined;
    if (ctx.alias === undefined) return { expr, span };
    const alias = identifier(real(ctx.alias));
    return alias && { expr, alias, span };
  }

  namedExpression(ctx: cst.NamedExpressionCstChildren, span: Span): ast.NamedExpr | undefined {
    const expr = this.expressionOf(ctx.expression);
    const alias = identifier(real(ctx.alias));
    return expr && alias && { expr, alias, span };
  }

  extendStep(ctx: cst.ExtendStepCstChildren, base: StepBase): ast.ExtendStep | undefined {
    const items = this.all(ctx.items, (c, s) => this.namedExpression(c, s));
    return items && { kind: 'ExtendStep', items, ...base };
  }

  windowStep(ctx: cst.WindowStepCstChildren, base: StepBase): ast.WindowStep | undefined {
    const functionToken = real(ctx.function);
    const args = this.all(ctx.args, (c, s) => this.expression(c, s));
    if (functionToken === undefined || args === undefined) return undefined;
    const name = functionToken.image.toUpperCase();
    const functionSpan = tokenSpan(functionToken);
    if (!Object.hasOwn(windowFunctions, name)) {
      this.bag.report(syntaxDiagnostics.UnknownWindowFunction, functionSpan, { name: functionToken.image });
      return undefined;
    }
    const windowFunction = name as ast.WindowFunction;
    const { arity, usage } = windowFunctions[windowFunction];
    const [timeColumn, ...rest] = args;
    if (timeColumn === undefined || args.length !== arity) {
      this.bag.report(syntaxDiagnostics.WindowArgumentCount, functionSpan, { name, expected: arity, actual: args.length, usage });
      return undefined;
    }
    return { kind: 'WindowStep', function: windowFunction, functionSpan, timeColumn, args: rest, ...base };
  }

  aggregateStep(ctx: cst.AggregateStepCstChildren, base: StepBase): ast.AggregateStep | undefined {
    const named = this.all(ctx.aggregates, (c, s) => this.namedExpression(c, s));
    const groupBy = ctx.groupBy === undefined ? [] : this.all(ctx.groupBy, (c, s) => this.aliasedExpression(c, s));
    if (named === undefined || groupBy === undefined) return undefined;
    const aggregates: ast.AggregateItem[] = [];
    for (const { expr, alias, span } of named) {
      if (expr.kind === 'FunctionCall') aggregates.push({ call: expr, alias, span });
      else this.bag.report(syntaxDiagnostics.AggregateNotACall, expr.span);
    }
    if (aggregates.length !== named.length) return undefined;
    return { kind: 'AggregateStep', aggregates, groupBy, ...base };
  }

  joinStep(ctx: cst.JoinStepCstChildren, base: StepBase): ast.JoinStep | undefined {
    const right = this.one(ctx.right, (c, s) => this.streamRef(c, s));
    const condition = this.expressionOf(ctx.condition);
    const joinType: ast.JoinType = ctx.Left === undefined ? 'INNER' : 'LEFT';
    return right && condition && { kind: 'JoinStep', joinType, right, condition, ...base };
  }

  unionStep(ctx: cst.UnionStepCstChildren, base: StepBase): ast.UnionStep | undefined {
    const name = identifier(real(ctx.other));
    return name && { kind: 'UnionStep', other: { kind: 'StreamRef', name, span: name.span }, ...base };
  }

  deduplicateStep(ctx: cst.DeduplicateStepCstChildren, base: StepBase): ast.DeduplicateStep | undefined {
    const keys = this.all(ctx.keys, (c, s) => this.expression(c, s));
    // Without KEEP the first row per key is kept: duplicates are dropped and the output stays append-only.
    const keep = ctx.Last === undefined ? 'FIRST' : 'LAST';
    return keys && { kind: 'DeduplicateStep', keys, keep, ...base };
  }

  processStep(ctx: cst.ProcessStepCstChildren, base: StepBase): ast.ProcessStep | undefined {
    const fn = identifier(real(ctx.function));
    const args = this.all(ctx.args, (c, s) => this.expression(c, s));
    const partitionBy = this.all(ctx.partitionBy, (c, s) => this.expression(c, s));
    return fn && args && partitionBy && { kind: 'ProcessStep', function: fn, args, partitionBy, ...base };
  }

  // ---- Expressions ----

  private expressionOf(nodes: cst.ExpressionCstNode[] | undefined): ast.Expr | undefined {
    return this.one(nodes, (c, s) => this.expression(c, s));
  }

  expression(ctx: cst.ExpressionCstChildren, _span?: Span): ast.Expr | undefined {
    return this.one(ctx.orExpression, (c) => this.orExpression(c));
  }

  orExpression(ctx: cst.OrExpressionCstChildren): ast.Expr | undefined {
    return foldBinary(this.all(ctx.operands, (c) => this.andExpression(c)), ctx.operators, () => 'OR');
  }

  andExpression(ctx: cst.AndExpressionCstChildren): ast.Expr | undefined {
    return foldBinary(this.all(ctx.operands, (c) => this.notExpression(c)), ctx.operators, () => 'AND');
  }

  notExpression(ctx: cst.NotExpressionCstChildren): ast.Expr | undefined {
    return applyPrefixes(ctx.nots, this.one(ctx.predicate, (c) => this.predicate(c)), () => 'NOT');
  }

  predicate(ctx: cst.PredicateCstChildren): ast.Expr | undefined {
    let result = this.one(ctx.operand, (c) => this.additiveExpression(c));
    for (const node of ctx.suffixes ?? []) {
      const suffix = this.one([node], (c, s) => this.predicateSuffix(c, s));
      if (result === undefined || suffix === undefined) return undefined;
      result = suffix(result);
    }
    return result;
  }

  predicateSuffix(ctx: cst.PredicateSuffixCstChildren, span: Span): PredicateSuffix | undefined {
    const whole = (left: ast.Expr): Span => spanBetween(left.span, span);
    const negated = ctx.Not !== undefined;
    const comparison = real(ctx.comparison);
    if (comparison !== undefined) {
      const right = this.one(ctx.right, (c) => this.additiveExpression(c));
      const operator = comparisonOperators[comparison.image] ?? '=';
      return right && ((left) => ({ kind: 'BinaryExpr', operator, left, right, operatorSpan: tokenSpan(comparison), span: whole(left) }));
    }
    if (ctx.Is !== undefined) {
      return ctx.Null === undefined ? undefined : (operand) => ({ kind: 'IsNullExpr', operand, negated, span: whole(operand) });
    }
    if (ctx.Between !== undefined) {
      const low = this.one(ctx.low, (c) => this.additiveExpression(c));
      const high = this.one(ctx.high, (c) => this.additiveExpression(c));
      return low && high && ((operand) => ({ kind: 'BetweenExpr', operand, low, high, negated, span: whole(operand) }));
    }
    if (ctx.In !== undefined) {
      const list = this.all(ctx.list, (c, s) => this.expression(c, s));
      return list && list.length > 0 ? (operand) => ({ kind: 'InExpr', operand, list, negated, span: whole(operand) }) : undefined;
    }
    const pattern = this.one(ctx.pattern, (c) => this.additiveExpression(c));
    return pattern && ((operand) => ({ kind: 'LikeExpr', operand, pattern, negated, span: whole(operand) }));
  }

  additiveExpression(ctx: cst.AdditiveExpressionCstChildren): ast.Expr | undefined {
    return foldBinary(
      this.all(ctx.operands, (c) => this.multiplicativeExpression(c)),
      ctx.operators,
      (token) => token.image as '+' | '-' | '||',
    );
  }

  multiplicativeExpression(ctx: cst.MultiplicativeExpressionCstChildren): ast.Expr | undefined {
    return foldBinary(this.all(ctx.operands, (c) => this.unaryExpression(c)), ctx.operators, (token) => token.image as '*' | '/' | '%');
  }

  unaryExpression(ctx: cst.UnaryExpressionCstChildren): ast.Expr | undefined {
    return applyPrefixes(ctx.signs, this.one(ctx.primary, (c, s) => this.primary(c, s)), (token) => token.image as '+' | '-');
  }

  primary(ctx: cst.PrimaryCstChildren, span: Span): ast.Expr | undefined {
    const number = real(ctx.NumberLiteral);
    if (number !== undefined) return { kind: 'NumberLiteral', text: number.image, span };
    const string = real(ctx.StringLiteral);
    if (string !== undefined) return { kind: 'StringLiteral', value: stringValue(string), span };
    if (ctx.True !== undefined) return { kind: 'BooleanLiteral', value: true, span };
    if (ctx.False !== undefined) return { kind: 'BooleanLiteral', value: false, span };
    if (ctx.Null !== undefined) return { kind: 'NullLiteral', span };
    return (
      this.one(ctx.intervalLiteral, (c, s) => this.intervalLiteral(c, s)) ??
      this.one(ctx.timestampLiteral, (c, s) => this.timestampLiteral(c, s)) ??
      this.one(ctx.caseExpression, (c, s) => this.caseExpression(c, s)) ??
      this.one(ctx.castExpression, (c, s) => this.castExpression(c, s)) ??
      this.one(ctx.parenthesizedExpression, (c) => this.parenthesizedExpression(c)) ??
      this.one(ctx.identifierExpression, (c, s) => this.identifierExpression(c, s))
    );
  }

  intervalLiteral(ctx: cst.IntervalLiteralCstChildren, span: Span): ast.IntervalLiteral | undefined {
    const value = real(ctx.value);
    const unitToken = real(ctx.unit);
    if (value === undefined || unitToken === undefined) return undefined;
    const unit = intervalUnits[unitToken.image.toUpperCase()];
    if (unit === undefined) {
      this.bag.report(syntaxDiagnostics.UnknownIntervalUnit, tokenSpan(unitToken), { unit: unitToken.image });
      return undefined;
    }
    return { kind: 'IntervalLiteral', value: stringValue(value), unit, span };
  }

  timestampLiteral(ctx: cst.TimestampLiteralCstChildren, span: Span): ast.TimestampLiteral | undefined {
    const value = real(ctx.value);
    return value && { kind: 'TimestampLiteral', value: stringValue(value), span };
  }

  caseExpression(ctx: cst.CaseExpressionCstChildren, span: Span): ast.CaseExpr | undefined {
    const whens = this.all(ctx.whens, (c) => this.whenClause(c));
    if (whens === undefined || whens.length === 0 || ctx.End === undefined) return undefined;
    const operand = ctx.operand === undefined ? null : this.expressionOf(ctx.operand);
    const otherwise = ctx.otherwise === undefined ? null : this.expressionOf(ctx.otherwise);
    if (operand === undefined || otherwise === undefined) return undefined;
    return {
      kind: 'CaseExpr',
      ...(operand === null ? {} : { operand }),
      whens,
      ...(otherwise === null ? {} : { else: otherwise }),
      span,
    };
  }

  whenClause(ctx: cst.WhenClauseCstChildren): ast.WhenClause | undefined {
    const when = this.expressionOf(ctx.condition);
    const then = this.expressionOf(ctx.result);
    return when && then && { when, then };
  }

  castExpression(ctx: cst.CastExpressionCstChildren, span: Span): ast.CastExpr | undefined {
    const operand = this.expressionOf(ctx.expression);
    const type = this.one(ctx.typeRef, (c, s) => this.typeRef(c, s));
    return operand && type && { kind: 'CastExpr', operand, type, span };
  }

  parenthesizedExpression(ctx: cst.ParenthesizedExpressionCstChildren): ast.Expr | undefined {
    return this.expressionOf(ctx.expression);
  }

  identifierExpression(ctx: cst.IdentifierExpressionCstChildren, span: Span): ast.Expr | undefined {
    const name = identifier(real(ctx.name));
    if (name === undefined) return undefined;
    if (ctx.functionArguments !== undefined) {
      const call = this.one(ctx.functionArguments, (c) => this.functionArguments(c));
      return call && { kind: 'FunctionCall', name, ...call, span };
    }
    if (ctx.Dot === undefined) return { kind: 'ColumnRef', name, span };
    const member = identifier(real(ctx.member));
    return member && { kind: 'ColumnRef', qualifier: name, name: member, span };
  }

  functionArguments(ctx: cst.FunctionArgumentsCstChildren): FunctionArguments | undefined {
    const args = this.all(ctx.args, (c, s) => this.expression(c, s));
    return args && { args, distinct: ctx.Distinct !== undefined, star: ctx.Star !== undefined };
  }
}

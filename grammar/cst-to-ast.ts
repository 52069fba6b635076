import type { CstElement, CstNode, IToken } from 'chevrotain';
import { syntaxDiagnostics } from '../compiler/diagnostics/catalogue/syntax.js';
import type { DiagnosticBag } from '../compiler/diagnostics/diagnostic.js';
import type * as ast from './ast/index.js';
import { spanBetween } from './ast/index.js';
import type * as cst from './cst.js';
import { pipeParser } from './parser.js';
import { binaryPrecedence, Precedence } from './precedence.js';
import { Null, True, UnterminatedQuotedIdentifier, UnterminatedString } from './tokens.js';

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
type Build<N extends CstNode, R> = (children: N['children'], span: Span) => R | undefined;

interface FunctionArguments {
  readonly args: readonly ast.Expr[];
  readonly distinct: boolean;
  readonly star: boolean;
}

interface TableElements {
  readonly columns: readonly ast.ColumnDef[];
  readonly watermarks: readonly ast.WatermarkDef[];
  /** At most one (a second is reported); undefined also after that error. */
  readonly primaryKey: ast.PrimaryKeyDef | undefined;
  /** Whether a second PRIMARY KEY was reported. */
  readonly failed: boolean;
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

const binaryOperators: Readonly<Record<string, ast.BinaryOperator>> = {
  'OR': 'OR', 'AND': 'AND', '=': '=', '<>': '<>', '!=': '<>', '<': '<', '<=': '<=', '>': '>', '>=': '>=',
  '+': '+', '-': '-', '||': '||', '*': '*', '/': '/', '%': '%',
};

// ---- Tokens and nodes -------------------------------------------------------------------------------------

/** The i-th token of a child list, unless recovery invented it. */
export function real(tokens: readonly IToken[] | undefined, index = 0): IToken | undefined {
  const token = tokens?.[index];
  return token === undefined || token.isInsertedInRecovery === true ? undefined : token;
}

export function tokenSpan(token: IToken): Span {
  return { offset: token.startOffset, length: token.image.length };
}

export function nodeSpan(node: CstNode): Span | undefined {
  const location = node.location;
  if (location === undefined || !Number.isFinite(location.startOffset) || !Number.isFinite(location.endOffset)) return undefined;
  return { offset: location.startOffset, length: (location.endOffset ?? location.startOffset) + 1 - location.startOffset };
}

export function hasRecoveredNode(element: CstElement): boolean {
  if (!('children' in element)) return false;
  if (element.recoveredNode === true) return true;
  return Object.values(element.children).some((list) => list.some(hasRecoveredNode));
}

export function identifier(token: IToken | undefined): ast.Identifier | undefined {
  if (token === undefined) return undefined;
  const image = token.image;
  if (!image.startsWith('`')) return { kind: 'Identifier', name: image, quoted: false, span: tokenSpan(token) };
  const body = token.tokenType === UnterminatedQuotedIdentifier ? image.slice(1) : image.slice(1, -1);
  return { kind: 'Identifier', name: body.replaceAll('``', '`'), quoted: true, span: tokenSpan(token) };
}

export function stringValue(token: IToken): string {
  const body = token.tokenType === UnterminatedString ? token.image.slice(1) : token.image.slice(1, -1);
  return body.replaceAll("''", "'");
}

function stringNode(token: IToken | undefined): ast.StringLiteralNode | undefined {
  return token === undefined ? undefined : { kind: 'StringLiteralNode', value: stringValue(token), span: tokenSpan(token) };
}

// ---- Precedence ---------------------------------------------------------------------------------------

/** One element of a flat expression as the parser leaves it: operands, binary operators and predicate suffixes. */
type Piece =
  | { readonly kind: 'operand'; readonly prefixes: readonly IToken[]; readonly primary: ast.Expr }
  | { readonly kind: 'binary'; readonly operator: ast.BinaryOperator; readonly token: IToken }
  | { readonly kind: 'suffix'; readonly apply: PredicateSuffix };

type OperandPiece = Extract<Piece, { kind: 'operand' }>;

/**
 * Builds the tree of `operand (binary operand | suffix)*` by precedence climbing. Binary levels are
 * left-associative; `-`/`+` apply to their primary alone, while `NOT` takes in the comparisons and
 * arithmetic after it (`NOT a = b` is `NOT (a = b)`), as in SQL. Three or more operands in a row at one level
 * (but comparisons) become one flat ChainExpr. Recursion is bounded by the number of precedence levels, not by
 * the length of the input.
 */
function climb(pieces: readonly Piece[]): ast.Expr {
  let position = 0;

  const parse = (min: Precedence): ast.Expr => extend(prefixed(pieces[position++] as OperandPiece), min);

  const prefixed = (piece: OperandPiece): ast.Expr => {
    let expr = piece.primary;
    // The last prefix binds first.
    for (let i = piece.prefixes.length - 1; i >= 0; i--) {
      const token = piece.prefixes[i]!;
      const operator = token.image.toUpperCase() as ast.UnaryOperator;
      const operand = operator === 'NOT' ? extend(expr, Precedence.Predicate) : expr;
      expr = { kind: 'UnaryExpr', operator, operand, span: spanBetween(tokenSpan(token), operand.span) };
    }
    return expr;
  };

  const extend = (first: ast.Expr, min: Precedence): ast.Expr => {
    // The fold being built: operands joined by operators of level `level`.
    let operands: ast.Expr[] = [first];
    let operators: ast.BinaryOperator[] = [];
    let operatorSpans: Span[] = [];
    let level: Precedence | undefined;
    const fold = (): ast.Expr => {
      const [left, right] = operands as [ast.Expr, ast.Expr];
      const span = spanBetween(left.span, operands[operands.length - 1]!.span);
      if (operators.length === 0) return left;
      if (operators.length === 1) return { kind: 'BinaryExpr', operator: operators[0]!, left, right, operatorSpan: operatorSpans[0]!, span };
      return { kind: 'ChainExpr', operands, operators, operatorSpans, span };
    };
    const restart = (left: ast.Expr): void => {
      operands = [left];
      operators = [];
      operatorSpans = [];
    };
    for (let piece = pieces[position]; piece !== undefined && piece.kind !== 'operand'; piece = pieces[position]) {
      const next = piece.kind === 'binary' ? binaryPrecedence[piece.operator] : Precedence.Predicate;
      if (next < min) break;
      position++;
      if (piece.kind === 'suffix') {
        restart(piece.apply(fold()));
        continue;
      }
      if (operators.length > 0 && (next !== level || next === Precedence.Predicate)) restart(fold());
      level = next;
      operands.push(parse((next + 1) as Precedence));
      operators.push(piece.operator);
      operatorSpans.push(tokenSpan(piece.token));
    }
    return fold();
  };

  return parse(Precedence.Or);
}

// ---- The visitor ------------------------------------------------------------------------------------------

const BaseCstVisitor = pipeParser.getBaseCstVisitorConstructor<Span, unknown>();

/**
 * One method per grammar rule (checked by `validateVisitor`), each taking the node's children and span.
 * Builders call each other through `one`/`all` rather than the untyped `visit`, so results stay typed.
 * The Flink SQL importer's builder extends this one for the rules its grammar adds to `.pipe`'s.
 */
export class AstBuilder extends BaseCstVisitor {
  constructor(
    protected readonly bag: DiagnosticBag,
    protected readonly parsedWithErrors: boolean,
  ) {
    super();
    this.validateVisitor();
  }

  /** Builds the first node of a child list. */
  protected one<N extends CstNode, R>(nodes: readonly N[] | undefined, build: Build<N, R>): R | undefined {
    const node = nodes?.[0];
    if (node === undefined) return undefined;
    const span = nodeSpan(node);
    return span === undefined ? undefined : build(node.children, span);
  }

  /** Builds every node of a child list; undefined if any of them fails. */
  protected all<N extends CstNode, R>(nodes: readonly N[] | undefined, build: Build<N, R>): R[] | undefined {
    const results: R[] = [];
    for (const node of nodes ?? []) {
      const span = nodeSpan(node);
      const result = span === undefined ? undefined : build(node.children, span);
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
      this.one(ctx.createView, (c) => this.createView(c, span)) ??
      this.one(ctx.createFunction, (c) => this.createFunction(c, span))
    );
  }

  createSource(ctx: cst.CreateSourceCstChildren, span: Span): ast.CreateSource | undefined {
    const name = identifier(real(ctx.name));
    const elements = this.one(ctx.tableElements, (c) => this.tableElements(c));
    const options = this.one(ctx.withOptions, (c) => this.withOptions(c));
    const uid = this.tableUid(ctx.uidClause, 'CREATE SOURCE');
    if (!name || !elements || !options || uid === null) return undefined;
    const [watermark, ...extra] = elements.watermarks;
    for (const duplicate of extra) this.bag.report(syntaxDiagnostics.DuplicateWatermark, duplicate.span);
    if (extra.length > 0 || elements.failed) return undefined;
    return {
      kind: 'CreateSource',
      name,
      columns: elements.columns,
      ...(watermark === undefined ? {} : { watermark }),
      ...(elements.primaryKey === undefined ? {} : { primaryKey: elements.primaryKey }),
      options,
      ...(uid === undefined ? {} : { uid }),
      span,
    };
  }

  createSink(ctx: cst.CreateSinkCstChildren, span: Span): ast.CreateSink | undefined {
    const name = identifier(real(ctx.name));
    const elements = ctx.tableElements === undefined ? null : this.one(ctx.tableElements, (c) => this.tableElements(c));
    const options = this.one(ctx.withOptions, (c) => this.withOptions(c));
    const uid = this.tableUid(ctx.uidClause, 'CREATE SINK');
    if (!name || elements === undefined || !options || uid === null) return undefined;
    for (const watermark of elements?.watermarks ?? []) this.bag.report(syntaxDiagnostics.WatermarkInSink, watermark.span);
    if (elements !== null && (elements.watermarks.length > 0 || elements.failed)) return undefined;
    return {
      kind: 'CreateSink',
      name,
      ...(elements === null || elements.columns.length === 0 ? {} : { columns: elements.columns }),
      ...(elements?.primaryKey === undefined ? {} : { primaryKey: elements.primaryKey }),
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

  createFunction(ctx: cst.CreateFunctionCstChildren, span: Span): ast.CreateFunction | undefined {
    const name = identifier(real(ctx.name));
    const module = stringNode(real(ctx.module));
    const language = identifier(real(ctx.language));
    if (!name || !module) return undefined;
    if (language !== undefined && language.name.toUpperCase() !== 'JAVASCRIPT') {
      this.bag.report(syntaxDiagnostics.UnsupportedFunctionLanguage, language.span, { language: language.name });
      return undefined;
    }
    return { kind: 'CreateFunction', name, module, languageWritten: language !== undefined, span };
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
    const keys: ast.PrimaryKeyDef[] = [];
    for (const element of elements) {
      if (element.kind === 'ColumnDef') columns.push(element);
      else if (element.kind === 'WatermarkDef') watermarks.push(element);
      else keys.push(element);
    }
    for (const duplicate of keys.slice(1)) this.bag.report(syntaxDiagnostics.DuplicatePrimaryKey, duplicate.span);
    return { columns, watermarks, primaryKey: keys.length === 1 ? keys[0] : undefined, failed: keys.length > 1 };
  }

  tableElement(ctx: cst.TableElementCstChildren): ast.ColumnDef | ast.WatermarkDef | ast.PrimaryKeyDef | undefined {
    return (
      this.one(ctx.columnDef, (c, s) => this.columnDef(c, s)) ??
      this.one(ctx.watermarkDef, (c, s) => this.watermarkDef(c, s)) ??
      this.one(ctx.primaryKeyDef, (c, s) => this.primaryKeyDef(c, s))
    );
  }

  primaryKeyDef(ctx: cst.PrimaryKeyDefCstChildren, span: Span): ast.PrimaryKeyDef | undefined {
    const columns = (ctx.columns ?? []).map((_, i) => identifier(real(ctx.columns, i)));
    if (columns.length === 0 || columns.some((c) => c === undefined)) return undefined;
    if (ctx.Enforced === undefined) {
      this.bag.report(syntaxDiagnostics.PrimaryKeyEnforced, span);
      return undefined;
    }
    return { kind: 'PrimaryKeyDef', columns: columns as ast.Identifier[], span };
  }

  columnDef(ctx: cst.ColumnDefCstChildren, span: Span): ast.ColumnDef | undefined {
    const name = identifier(real(ctx.name));
    const type = this.one(ctx.typeRef, (c, s) => this.typeRef(c, s));
    if (name === undefined || type === undefined) return undefined;
    const metadata = ctx.Metadata === undefined ? undefined : this.metadataClause(ctx);
    if (metadata === null) return undefined;
    return { kind: 'ColumnDef', name, type, notNull: ctx.Null !== undefined, ...(metadata === undefined ? {} : { metadata }), span };
  }

  /** Null when the key is broken (an unterminated string, already reported). */
  private metadataClause(ctx: cst.ColumnDefCstChildren): ast.MetadataClause | null {
    const start = ctx.Metadata![0]!;
    if (ctx.From === undefined) return { kind: 'MetadataClause', span: tokenSpan(start) };
    const key = stringNode(real(ctx.metadataKey));
    if (key === undefined) return null;
    return { kind: 'MetadataClause', key, span: { offset: start.startOffset, length: key.span.offset + key.span.length - start.startOffset } };
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
    if (value === undefined) return undefined;
    if (ctx.ttl === undefined) return { kind: 'UidClause', value: stringValue(value), span };
    const ttl = this.one(ctx.ttl, (c, s) => this.intervalLiteral(c, s));
    return ttl && { kind: 'UidClause', value: stringValue(value), ttl, span };
  }

  /** An optional `UID '…'`: absent is `undefined`, present but broken is `null`. */
  private optionalUid(nodes: cst.UidClauseCstNode[] | undefined): ast.UidClause | undefined | null {
    if (nodes === undefined) return undefined;
    return this.one(nodes, (c, s) => this.uidClause(c, s)) ?? null;
  }

  /** A source's or sink's UID: its state (split positions, pending commits) must never expire, so TTL is refused. */
  private tableUid(nodes: cst.UidClauseCstNode[] | undefined, what: 'CREATE SOURCE' | 'CREATE SINK'): ast.UidClause | undefined | null {
    const uid = this.optionalUid(nodes);
    if (uid?.ttl === undefined) return uid;
    this.bag.report(syntaxDiagnostics.TtlOnTable, uid.ttl.span, { what });
    return null;
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

  protected expressionOf(nodes: cst.ExpressionCstNode[] | undefined): ast.Expr | undefined {
    return this.one(nodes, (c, s) => this.expression(c, s));
  }

  expression(ctx: cst.ExpressionCstChildren, _span?: Span): ast.Expr | undefined {
    const first = this.one(ctx.operand, (c, s) => this.operand(c, s));
    if (ctx.tails === undefined && first?.prefixes.length === 0) return first.primary;
    const tails = this.all(ctx.tails, (c, s) => this.expressionTail(c, s));
    return first && tails && climb([first, ...tails.flat()]);
  }

  expressionTail(ctx: cst.ExpressionTailCstChildren, span: Span): Piece[] | undefined {
    const operator = real(ctx.operator);
    if (operator !== undefined) {
      const right = this.one(ctx.operand, (c, s) => this.operand(c, s));
      const binary = binaryOperators[operator.image.toUpperCase()];
      return right && binary && [{ kind: 'binary', operator: binary, token: operator }, right];
    }
    const suffix = this.predicateSuffix(ctx, span);
    return suffix && [{ kind: 'suffix', apply: suffix }];
  }

  private predicateSuffix(ctx: cst.ExpressionTailCstChildren, span: Span): PredicateSuffix | undefined {
    const whole = (left: ast.Expr): Span => spanBetween(left.span, span);
    const negated = ctx.Not !== undefined;
    if (ctx.Is !== undefined) {
      return ctx.Null === undefined ? undefined : (operand) => ({ kind: 'IsNullExpr', operand, negated, span: whole(operand) });
    }
    if (ctx.Between !== undefined) {
      const low = this.one(ctx.low, (c) => this.arithmetic(c));
      const high = this.one(ctx.high, (c) => this.arithmetic(c));
      return low && high && ((operand) => ({ kind: 'BetweenExpr', operand, low, high, negated, span: whole(operand) }));
    }
    if (ctx.In !== undefined) {
      const list = this.all(ctx.list, (c, s) => this.expression(c, s));
      return list && list.length > 0 ? (operand) => ({ kind: 'InExpr', operand, list, negated, span: whole(operand) }) : undefined;
    }
    const pattern = this.one(ctx.pattern, (c) => this.arithmetic(c));
    return pattern && ((operand) => ({ kind: 'LikeExpr', operand, pattern, negated, span: whole(operand) }));
  }

  arithmetic(ctx: cst.ArithmeticCstChildren): ast.Expr | undefined {
    const operands = this.all(ctx.operands, (c, s) => this.operand(c, s));
    const operators = ctx.operators ?? [];
    if (operands === undefined || operands.length !== operators.length + 1) return undefined;
    const pieces: Piece[] = [operands[0] as OperandPiece];
    for (let i = 0; i < operators.length; i++) {
      const token = real(operators, i);
      const operator = token && binaryOperators[token.image];
      if (token === undefined || operator === undefined) return undefined;
      pieces.push({ kind: 'binary', operator, token }, operands[i + 1] as OperandPiece);
    }
    return climb(pieces);
  }

  operand(ctx: cst.OperandCstChildren, span: Span): OperandPiece | undefined {
    const prefixes = ctx.prefixes ?? [];
    if (prefixes.some((token) => token.isInsertedInRecovery === true)) return undefined;
    const last = prefixes[prefixes.length - 1];
    // The primary is what follows the prefix operators.
    const primarySpan = last === undefined ? span : spanBetween({ offset: last.startOffset + last.image.length, length: 0 }, span);
    const primary = this.primary(ctx, primarySpan);
    return primary && { kind: 'operand', prefixes, primary };
  }

  private primary(ctx: cst.OperandCstChildren, span: Span): ast.Expr | undefined {
    const number = real(ctx.NumberLiteral);
    if (number !== undefined) return { kind: 'NumberLiteral', text: number.image, span: tokenSpan(number) };
    const string = real(ctx.StringLiteral);
    if (string !== undefined) return { kind: 'StringLiteral', value: stringValue(string), span: tokenSpan(string) };
    const literal = real(ctx.True) ?? real(ctx.False) ?? real(ctx.Null);
    if (literal !== undefined) {
      return literal.tokenType === Null
        ? { kind: 'NullLiteral', span: tokenSpan(literal) }
        : { kind: 'BooleanLiteral', value: literal.tokenType === True, span: tokenSpan(literal) };
    }
    if (ctx.parenthesized !== undefined) {
      const open = real(ctx.LParen);
      const close = real(ctx.RParen);
      const inner = this.expressionOf(ctx.parenthesized);
      // The parentheses belong to the expression's span, so a diagnostic on it shows them.
      return open && close && inner && { ...inner, span: spanBetween(tokenSpan(open), tokenSpan(close)) };
    }
    const name = ctx.name === undefined ? undefined : identifier(real(ctx.name));
    if (ctx.name !== undefined) {
      if (name === undefined) return undefined;
      const whole = spanBetween(name.span, span);
      if (ctx.functionArguments !== undefined) {
        const call = this.one(ctx.functionArguments, (c) => this.functionArguments(c));
        return call && { kind: 'FunctionCall', name, ...call, span: whole };
      }
      if (ctx.Dot === undefined) return { kind: 'ColumnRef', name, span: name.span };
      const member = identifier(real(ctx.member));
      return member && { kind: 'ColumnRef', qualifier: name, name: member, span: whole };
    }
    return (
      this.one(ctx.intervalLiteral, (c, s) => this.intervalLiteral(c, s)) ??
      this.one(ctx.timestampLiteral, (c, s) => this.timestampLiteral(c, s)) ??
      this.one(ctx.caseExpression, (c, s) => this.caseExpression(c, s)) ??
      this.one(ctx.castExpression, (c, s) => this.castExpression(c, s))
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
    if (whens === undefined || whens.length === 0 || real(ctx.End) === undefined) return undefined;
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
    return operand && type && { kind: 'CastExpr', operand, type, ...(ctx.Try_cast === undefined ? {} : { try: true }), span };
  }

  functionArguments(ctx: cst.FunctionArgumentsCstChildren): FunctionArguments | undefined {
    const args = this.all(ctx.args, (c, s) => this.expression(c, s));
    return args && { args, distinct: ctx.Distinct !== undefined, star: ctx.Star !== undefined };
  }
}

import type * as pipe from '../../../grammar/ast/index.js';
import { spanBetween } from '../../../grammar/ast/index.js';
import { AstBuilder, hasRecoveredNode, identifier, real, stringValue, tokenSpan } from '../../../grammar/cst-to-ast.js';
import type { DiagnosticBag } from '../../diagnostics/diagnostic.js';
import { Diagnostics } from '../../diagnostics/catalogue.js';
import type * as ast from './ast.js';
import type * as cst from './cst.js';

type Span = pipe.Span;

/** Turns the importer's CST into its AST; statements too broken to build are left out (their errors are reported). */
export function buildFlinkScript(root: cst.FlinkScriptCstNode, bag: DiagnosticBag, parsedWithErrors: boolean): ast.FlinkScript {
  return { statements: new FlinkAstBuilder(bag, parsedWithErrors).flinkScript(root.children) };
}

const MS_PER_UNIT: Readonly<Record<string, number>> = { DAY: 86_400_000, HOUR: 3_600_000, MINUTE: 60_000, SECOND: 1000 };
const UNITS_LARGEST_FIRST: readonly pipe.IntervalUnit[] = ['DAY', 'HOUR', 'MINUTE', 'SECOND', 'MILLISECOND'];

/**
 * Flink's fractional (`'1.500' SECOND`) and multi-field (`'0 00:01:40' DAY TO SECOND`) intervals as
 * milliseconds, or undefined if the text does not fit the units. These are the forms the exporter writes for
 * intervals `.pipe` spells in MILLISECOND or with a large leading field (docs/flink.md).
 */
function intervalMillis(value: string, unit: string, toUnit: string | undefined): number | undefined {
  const fields = ['DAY', 'HOUR', 'MINUTE', 'SECOND'];
  const from = fields.indexOf(unit);
  const to = toUnit === undefined ? from : fields.indexOf(toUnit);
  if (from < 0 || to < from) return undefined;
  const parts = value.trim().split(/[ :]/);
  if (parts.length !== to - from + 1) return undefined;
  let millis = 0;
  for (const [i, part] of parts.entries()) {
    const isLast = i === parts.length - 1;
    if (!(isLast && fields[from + i] === 'SECOND' ? /^\d+(\.\d{1,3})?$/ : /^\d+$/).test(part)) return undefined;
    millis += Math.round(Number(part) * MS_PER_UNIT[fields[from + i]!]!);
  }
  return millis;
}

class FlinkAstBuilder extends AstBuilder {
  constructor(bag: DiagnosticBag, parsedWithErrors: boolean) {
    super(bag, parsedWithErrors);
  }

  flinkScript(ctx: cst.FlinkScriptCstChildren): ast.FlinkStatement[] {
    const statements: ast.FlinkStatement[] = [];
    for (const node of ctx.statements ?? []) {
      if (this.parsedWithErrors && hasRecoveredNode(node)) continue;
      const statement = this.one([node], (c, span) => this.flinkStatement(c, span));
      if (statement !== undefined) statements.push(statement);
    }
    return statements;
  }

  flinkStatement(ctx: cst.FlinkStatementCstChildren, span: Span): ast.FlinkStatement | undefined {
    // The statement's span stops before its `;`.
    const end = real(ctx.Semicolon);
    const body: Span = end === undefined ? span : { offset: span.offset, length: end.startOffset - span.offset };
    return (
      this.one(ctx.setStatement, (c) => this.setStatement(c, body)) ??
      this.one(ctx.createFlinkStatement, (c) => this.createFlinkStatement(c, body)) ??
      this.one(ctx.insertSelect, (c, s) => this.insertSelect(c, s)) ??
      this.one(ctx.statementSet, (c) => this.statementSet(c, body))
    );
  }

  createFlinkStatement(ctx: cst.CreateFlinkStatementCstChildren, span: Span): ast.FlinkStatement | undefined {
    return this.one(ctx.createTable, (c) => this.createTable(c, span)) ?? this.one(ctx.createFlinkView, (c) => this.createFlinkView(c, span));
  }

  createTable(ctx: cst.CreateTableCstChildren, span: Span): ast.CreateTable | undefined {
    const name = identifier(real(ctx.name));
    const elements = this.all(ctx.elements, (c, s) => this.tableColumn(c, s));
    const options = this.one(ctx.withOptions, (c) => this.withOptions(c));
    if (!name || !elements || !options) return undefined;
    const columns = elements.filter((e): e is ast.PhysicalColumn | ast.ComputedColumn => e.kind === 'PhysicalColumn' || e.kind === 'ComputedColumn');
    const watermarks = elements.filter((e): e is pipe.WatermarkDef => e.kind === 'WatermarkDef');
    const primaryKey = elements.find((e): e is { kind: 'PrimaryKey'; span: Span } => e.kind === 'PrimaryKey');
    for (const extra of watermarks.slice(1)) this.bag.report(Diagnostics.DuplicateWatermark, extra.span);
    if (watermarks.length > 1) return undefined;
    const watermark = watermarks[0];
    return {
      kind: 'CreateTable',
      name,
      columns,
      ...(watermark === undefined ? {} : { watermark }),
      ...(primaryKey === undefined ? {} : { primaryKey: primaryKey.span }),
      options,
      span,
    };
  }

  tableColumn(
    ctx: cst.TableColumnCstChildren,
    span: Span,
  ): ast.PhysicalColumn | ast.ComputedColumn | pipe.WatermarkDef | { kind: 'PrimaryKey'; span: Span } | undefined {
    if (ctx.primaryKey !== undefined) return { kind: 'PrimaryKey', span };
    return this.one(ctx.watermarkDef, (c, s) => this.watermarkDef(c, s)) ?? this.one(ctx.flinkColumn, (c, s) => this.flinkColumn(c, s));
  }

  flinkColumn(ctx: cst.FlinkColumnCstChildren, span: Span): ast.PhysicalColumn | ast.ComputedColumn | undefined {
    const name = identifier(real(ctx.name));
    if (name === undefined) return undefined;
    if (ctx.computed !== undefined) {
      const expr = this.expressionOf(ctx.computed);
      return expr && { kind: 'ComputedColumn', name, expr, span };
    }
    const type = this.one(ctx.flinkType, (c, s) => this.flinkType(c, s));
    return type && { kind: 'PhysicalColumn', name, type, notNull: ctx.Null !== undefined, span };
  }

  flinkType(ctx: cst.FlinkTypeCstChildren, span: Span): ast.FlinkType | undefined {
    const name = identifier(real(ctx.name));
    const fields = this.all(ctx.fields, (c) => this.typeArgument(c));
    if (name === undefined || fields === undefined) return undefined;
    const params: number[] = [];
    for (let i = 0; i < (ctx.params?.length ?? 0); i++) {
      const param = real(ctx.params, i);
      if (param === undefined) return undefined;
      if (!/^\d+$/.test(param.image)) {
        this.bag.report(Diagnostics.InvalidTypeParameter, tokenSpan(param), { text: param.image });
        return undefined;
      }
      params.push(Number(param.image));
    }
    return { name: name.name.toUpperCase(), params, fields, span };
  }

  typeArgument(ctx: cst.TypeArgumentCstChildren): ast.FlinkType['fields'][number] | undefined {
    const name = identifier(real(ctx.name));
    if (name === undefined) return undefined;
    if (ctx.flinkType === undefined) return { name };
    const type = this.one(ctx.flinkType, (c, s) => this.flinkType(c, s));
    return type && { name, type };
  }

  createFlinkView(ctx: cst.CreateFlinkViewCstChildren, span: Span): ast.CreateFlinkView | undefined {
    const name = identifier(real(ctx.name));
    const query = this.one(ctx.query, (c, s) => this.query(c, s));
    return name && query && { kind: 'CreateFlinkView', name, query, span };
  }

  insertSelect(ctx: cst.InsertSelectCstChildren, span: Span): ast.InsertSelect | undefined {
    const sink = identifier(real(ctx.sink));
    const query = this.one(ctx.query, (c, s) => this.query(c, s));
    return sink && query && { kind: 'InsertSelect', sink, query, span };
  }

  statementSet(ctx: cst.StatementSetCstChildren, span: Span): ast.StatementSet | undefined {
    const inserts = this.all(ctx.inserts, (c, s) => this.insertSelect(c, s));
    return inserts && { kind: 'StatementSet', inserts, span };
  }

  // ---- Queries ----

  query(ctx: cst.QueryCstChildren, span: Span): ast.Query | undefined {
    const blocks = this.all(ctx.blocks, (c, s) => this.selectBlock(c, s));
    return blocks && { blocks, span };
  }

  selectBlock(ctx: cst.SelectBlockCstChildren, span: Span): ast.SelectBlock | undefined {
    const columns = this.all(ctx.columns, (c, s) => this.selectColumn(c, s));
    const from = this.all(ctx.from, (c) => this.fromItem(c));
    const where = ctx.where === undefined ? null : this.expressionOf(ctx.where);
    const groupBy = this.all(ctx.groupBy, (c, s) => this.expression(c, s));
    const having = ctx.having === undefined ? null : this.expressionOf(ctx.having);
    if (!columns || !from || where === undefined || !groupBy || having === undefined) return undefined;
    const distinct = real(ctx.Distinct);
    return {
      ...(distinct === undefined ? {} : { distinct: tokenSpan(distinct) }),
      columns,
      from,
      ...(where === null ? {} : { where }),
      groupBy,
      ...(having === null ? {} : { having }),
      span,
    };
  }

  selectColumn(ctx: cst.SelectColumnCstChildren, span: Span): ast.SelectColumn | undefined {
    if (ctx.expression === undefined) {
      if (ctx.qualifier === undefined) return { kind: 'Star', span };
      const qualifier = identifier(real(ctx.qualifier));
      return qualifier && { kind: 'Star', qualifier, span };
    }
    const expr = this.expressionOf(ctx.expression);
    const over = ctx.overClause === undefined ? null : this.one(ctx.overClause, (c, s) => this.overClause(c, s));
    const alias = ctx.alias === undefined ? null : this.one(ctx.alias, (c) => this.alias(c));
    if (!expr || over === undefined || alias === undefined) return undefined;
    return { kind: 'Column', expr, ...(over === null ? {} : { over }), ...(alias === null ? {} : { alias }), span };
  }

  alias(ctx: cst.AliasCstChildren): pipe.Identifier | undefined {
    return identifier(real(ctx.name));
  }

  overClause(ctx: cst.OverClauseCstChildren, span: Span): ast.OverClause | undefined {
    const partitionBy = this.all(ctx.partitionBy, (c, s) => this.expression(c, s));
    const orderBy = this.all(ctx.orderBy, (c) => this.orderItem(c));
    return partitionBy && orderBy && { partitionBy, orderBy, span };
  }

  orderItem(ctx: cst.OrderItemCstChildren): ast.OverClause['orderBy'][number] | undefined {
    const expr = this.expressionOf(ctx.expression);
    return expr && { expr, descending: ctx.Desc !== undefined };
  }

  fromItem(ctx: cst.FromItemCstChildren): ast.FromItem | undefined {
    const first = this.one(ctx.first, (c, s) => this.tableFactor(c, s));
    const joins = this.all(ctx.joins, (c, s) => this.joinClause(c, s));
    return first && joins && { first, joins };
  }

  tableFactor(ctx: cst.TableFactorCstChildren, span: Span): ast.TableFactor | undefined {
    const alias = ctx.alias === undefined ? null : this.one(ctx.alias, (c) => this.alias(c));
    if (alias === undefined) return undefined;
    const aliased = alias === null ? {} : { alias };
    if (ctx.windowFunction !== undefined) {
      const table = this.one(ctx.windowFunction, (c, s) => this.windowFunction(c, s));
      return table && { ...table, ...aliased, span };
    }
    if (ctx.subquery !== undefined) {
      const query = this.one(ctx.subquery, (c, s) => this.query(c, s));
      return query && { kind: 'Subquery', query, ...aliased, span };
    }
    const name = identifier(real(ctx.name));
    return name && { kind: 'TableName', name, ...aliased, span };
  }

  windowFunction(ctx: cst.WindowFunctionCstChildren, span: Span): ast.WindowTable | undefined {
    const fn = identifier(real(ctx.function));
    const table = identifier(real(ctx.table));
    const timeColumn = identifier(real(ctx.timeColumn));
    const partitionBy = this.all(ctx.partitionBy, (c, s) => this.expression(c, s));
    const args = this.all(ctx.args, (c, s) => this.expression(c, s));
    if (!fn || !table || !timeColumn || !partitionBy || !args) return undefined;
    return { kind: 'WindowTable', function: fn, table, partitionBy, timeColumn, args, span };
  }

  joinClause(ctx: cst.JoinClauseCstChildren, span: Span): ast.JoinClause | undefined {
    const right = this.one(ctx.right, (c, s) => this.tableFactor(c, s));
    const condition = ctx.condition === undefined ? null : this.expressionOf(ctx.condition);
    if (!right || condition === undefined) return undefined;
    const written = real(ctx.kind)?.image.toUpperCase();
    const kind: ast.JoinKind = written === 'LEFT' || written === 'RIGHT' || written === 'FULL' || written === 'CROSS' ? written : 'INNER';
    return { kind, right, ...(condition === null ? {} : { condition }), span };
  }

  /** `.pipe`'s interval literal, with Flink's fractional and DAY TO SECOND forms turned into whole units. */
  override intervalLiteral(ctx: cst.IntervalLiteralCstChildren, span: Span): pipe.IntervalLiteral | undefined {
    const value = real(ctx.value);
    const unitToken = real(ctx.unit);
    if (value === undefined || unitToken === undefined) return undefined;
    const text = stringValue(value);
    if (ctx.To === undefined && /^\d+$/.test(text.trim())) return super.intervalLiteral(ctx, span);
    const toUnit = ctx.To === undefined ? undefined : real(ctx.toUnit);
    if (ctx.To !== undefined && toUnit === undefined) return undefined;
    const unit = unitToken.image.toUpperCase();
    const millis = intervalMillis(text, unit, toUnit?.image.toUpperCase());
    if (millis === undefined) {
      const written = toUnit === undefined ? unit : `${unit} TO ${toUnit.image.toUpperCase()}`;
      this.bag.report(Diagnostics.InvalidFlinkInterval, span, { value: text, unit: written });
      return undefined;
    }
    const best = UNITS_LARGEST_FIRST.find((u) => u === 'MILLISECOND' || millis % MS_PER_UNIT[u]! === 0)!;
    const amount = best === 'MILLISECOND' ? millis : millis / MS_PER_UNIT[best]!;
    return { kind: 'IntervalLiteral', value: String(amount), unit: best, span };
  }
}


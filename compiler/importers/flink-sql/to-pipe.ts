import type * as pipe from '../../../grammar/ast/index.js';
import { NEXMARK_TABLES, type NexmarkTable } from '../../../connectors/nexmark/tables.js';
import { Diagnostics } from '../../diagnostics/catalogue.js';
import type { DiagnosticBag } from '../../diagnostics/diagnostic.js';
import { aggregateFunction } from '../../functions/aggregates.js';
import { uniqueColumnNames } from '../../exporters/flink-sql/export-context.js';
import type * as ast from './ast.js';
import { nexmarkOptions, sluiceOptions } from './connector-options.js';
import { rewriteExpr, sameExpr } from './rewrite-expr.js';

type Span = pipe.Span;

/** A uid the importer generated, what it belongs to and where that is in the Flink script. */
export interface GeneratedUid {
  readonly uid: string;
  readonly what: string;
  readonly span: Span;
}

/**
 * A column as a Flink query sees it (its qualifier and name) and the `.pipe` expression that reads it at the
 * current step. `ref` is undefined for columns only Flink has: a PROCTIME() attribute and ROW_NUMBER()'s
 * number, which exist only to be recognised as the deduplication pattern, and a window TVF's window_time.
 */
interface Column {
  readonly qualifier: string | undefined;
  readonly name: string;
  /** The name in the output when it is not `name`: a join's second `id` is `id0`, as Flink names it. */
  readonly output?: string;
  readonly ref: pipe.Expr | undefined;
  readonly virtual?: 'a PROCTIME() attribute' | 'a ROW_NUMBER() column' | "a window table function's window_time";
}

/** A `.pipe` pipeline being built: FROM, its steps so far, and the columns after them. */
interface Chain {
  readonly from: pipe.StreamRef;
  readonly steps: pipe.Step[];
  columns: readonly Column[];
  /**
   * The `.pipe` stream's column names in order, when they are not `columns`' own: an AGGREGATE whose select
   * items reorder or leave out its keys keeps them (a later aggregate of its updates needs the keys) until a
   * view or sink reads the columns by position, where a SELECT puts them in Flink's order.
   */
  pipeOrder?: readonly string[] | undefined;
}

/**
 * A Flink table or view as `.pipe` reads it: a source or a `.pipe` view by its name (columns by Flink name,
 * with the `.pipe` column each is), or a Flink view read exactly once, whose pipeline the reader continues.
 */
type Stream =
  | { readonly kind: 'named'; readonly name: string; readonly columns: readonly { readonly name: string; readonly pipeName: string | undefined; readonly virtual?: Column['virtual'] }[] }
  | { readonly kind: 'inline'; readonly chain: Chain };

/** The statement being translated: names hoisted views and the uids of its stateful steps. */
interface Owner {
  readonly name: string;
  readonly describe: string;
  stateful: number;
  hoisted: number;
}

/** A column's name in the output of its query. */
const outputName = (column: Column): string => column.output ?? column.name;

/** A column as the reader of its query sees it: by its output name, under the reader's qualifier. */
function reread(column: Column, qualifier: string | undefined): Column {
  const { output: _, ...rest } = column;
  return { ...rest, name: outputName(column), qualifier };
}

const ident = (name: string, span: Span): pipe.Identifier => ({ kind: 'Identifier', name, quoted: false, span });
const columnRef = (name: string, span: Span, qualifier?: string): pipe.ColumnRef => ({
  kind: 'ColumnRef',
  ...(qualifier === undefined ? {} : { qualifier: ident(qualifier, span) }),
  name: ident(name, span),
  span,
});
const streamRef = (name: string, span: Span, alias?: string): pipe.StreamRef => ({
  kind: 'StreamRef',
  name: ident(name, span),
  ...(alias === undefined || alias === name ? {} : { alias: ident(alias, span) }),
  span,
});

/** `q5_count_per_auction` → `q5-count-per-auction`: uids are derived from the names in the script. */
function kebab(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'step';
}

function isCall(expr: pipe.Expr, name: string): expr is pipe.FunctionCall {
  return expr.kind === 'FunctionCall' && expr.name.name.toUpperCase() === name;
}

/** The Nexmark project's camelCase field names of Sluice's snake_case columns (`item_name` ↔ `itemName`). */
function nexmarkColumn(table: NexmarkTable, field: string): string | undefined {
  const camel = (name: string): string => name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
  return NEXMARK_TABLES[table].find((f) => f.name === field || camel(f.name) === field)?.name;
}

const NEXMARK_EVENT_TYPES: readonly NexmarkTable[] = ['person', 'auction', 'bid'];

/** Window table functions and group window functions by `.pipe` window, with their arguments after the time column. */
const WINDOWS: Readonly<Record<string, { readonly fn: pipe.WindowFunction; readonly arity: number }>> = {
  TUMBLE: { fn: 'TUMBLE', arity: 1 },
  HOP: { fn: 'HOP', arity: 2 },
  SESSION: { fn: 'SESSION', arity: 1 },
};

/**
 * Translates an imported Flink SQL script into a `.pipe` script. Each Flink view becomes steps: a view read
 * once is continued where it is read (as the exporter's one-view-per-step scripts came from one pipeline),
 * a view read more than once or as a join side stays a `.pipe` view, and a subquery that `.pipe` must name
 * (a join side, a UNION ALL operand) becomes a view named after its statement. Every construct without a
 * `.pipe` meaning is reported at its place; nothing is dropped.
 */
export class PipeTranslator {
  private readonly statements: pipe.Statement[] = [];
  readonly uids: GeneratedUid[] = [];
  private readonly takenUids = new Set<string>();
  private readonly streams = new Map<string, Stream>();
  private readonly nexmarkTables = new Map<string, ast.CreateTable>();
  /** Every name the script gives a table or view, so hoisted views get fresh ones. */
  private readonly takenNames = new Set<string>();
  /** How each table and view is read: `from` when a query continues it, `other` as a join side or UNION operand. */
  private readonly reads = new Map<string, ('from' | 'other')[]>();
  private readonly sinks = new Set<string>();
  /** The declared columns of each sink, which an INSERT fills by position, as in Flink. */
  private readonly sinkColumns = new Map<string, readonly string[]>();
  private owner: Owner = { name: 'script', describe: 'the script', stateful: 0, hoisted: 0 };

  constructor(private readonly bag: DiagnosticBag) {}

  translate(script: ast.FlinkScript): pipe.Script {
    for (const statement of script.statements) this.collectReads(statement);
    for (const statement of script.statements) this.statement(statement);
    return { kind: 'Script', statements: this.statements, span: { offset: 0, length: 0 } };
  }

  // ---- What reads what ----

  private collectReads(statement: ast.FlinkStatement): void {
    switch (statement.kind) {
      case 'CreateTable':
        this.takenNames.add(statement.name.name);
        return;
      case 'CreateFlinkView':
        this.takenNames.add(statement.name.name);
        this.queryReads(statement.query);
        return;
      case 'InsertSelect':
        this.sinks.add(statement.sink.name);
        this.queryReads(statement.query);
        return;
      case 'StatementSet':
        for (const insert of statement.inserts) this.collectReads(insert);
        return;
      case 'SetStatement':
        return;
    }
  }

  private queryReads(query: ast.Query): void {
    query.blocks.forEach((block, i) => {
      const continued = i === 0 && block.from.length === 1 && block.from[0]!.joins.length === 0;
      for (const item of block.from) {
        for (const factor of [item.first, ...item.joins.map((j) => j.right)]) this.factorReads(factor, continued ? 'from' : 'other');
      }
    });
  }

  private factorReads(factor: ast.TableFactor, how: 'from' | 'other'): void {
    const name = factor.kind === 'TableName' ? factor.name.name : factor.kind === 'WindowTable' ? factor.table.name : undefined;
    if (name !== undefined) this.reads.set(name, [...(this.reads.get(name) ?? []), how]);
    if (factor.kind === 'Subquery') this.queryReads(factor.query);
  }

  // ---- Statements ----

  private statement(statement: ast.FlinkStatement): void {
    switch (statement.kind) {
      case 'SetStatement':
        this.statements.push(statement);
        return;
      case 'CreateTable':
        this.createTable(statement);
        return;
      case 'CreateFlinkView':
        this.createView(statement);
        return;
      case 'InsertSelect':
        this.insert(statement);
        return;
      case 'StatementSet':
        for (const insert of statement.inserts) this.insert(insert);
        return;
    }
  }

  private createTable(table: ast.CreateTable): void {
    const name = table.name.name;
    const connector = table.options.find((o) => o.key.value === 'connector')?.value.value;
    if (connector === 'nexmark') {
      this.nexmarkTables.set(name, table);
      return;
    }
    const isSink = this.sinks.has(name);
    if (isSink && this.reads.has(name)) {
      this.bag.report(Diagnostics.TableReadAndWritten, table.name.span, { name });
      return;
    }
    if (table.primaryKey !== undefined) {
      this.notImportable(table.primaryKey, 'PRIMARY KEY', "Sluice's sinks take a changelog as it comes (an upsert stream updates by its group key) and its sources have no keys: remove it");
    }
    const columns: pipe.ColumnDef[] = [];
    const streamColumns: { name: string; pipeName: string | undefined; virtual?: Column['virtual'] }[] = [];
    for (const column of table.columns) {
      if (column.kind === 'ComputedColumn') {
        if (isCall(column.expr, 'PROCTIME') && !isSink) {
          streamColumns.push({ name: column.name.name, pipeName: undefined, virtual: 'a PROCTIME() attribute' });
        } else {
          this.notImportable(column.span, `the computed column '${column.name.name}'`, 'Sluice sources have physical columns only: compute it in a view (SELECT …, expr AS name)');
        }
        continue;
      }
      const type = this.typeRef(column.type);
      if (type === undefined) continue;
      columns.push({ kind: 'ColumnDef', name: column.name, type, notNull: column.notNull, span: column.span });
      streamColumns.push({ name: column.name.name, pipeName: column.name.name });
    }
    const options = sluiceOptions(name, table.options, isSink ? 'sink' : 'source', table.span, this.bag);
    if (options === undefined) return;
    if (isSink) {
      this.sinkColumns.set(name, columns.map((c) => c.name.name));
      const uid = this.uid(`${name}-sink`, `sink ${name}`, table.name.span);
      this.statements.push({ kind: 'CreateSink', name: table.name, ...(columns.length === 0 ? {} : { columns }), options, uid, span: table.span });
      return;
    }
    const uid = this.uid(`${name}-source`, `source ${name}`, table.name.span);
    this.statements.push({
      kind: 'CreateSource',
      name: table.name,
      columns,
      ...(table.watermark === undefined ? {} : { watermark: table.watermark }),
      options,
      uid,
      span: table.span,
    });
    this.streams.set(name, { kind: 'named', name, columns: streamColumns });
  }

  private typeRef(type: ast.FlinkType): pipe.TypeRef | undefined {
    if (type.fields.length > 0) {
      this.notImportable(type.span, `the type ${type.name}<…>`, 'Sluice has no structured types (ROW, ARRAY, MAP); only the Nexmark connector\'s event rows are understood, as a nexmark table');
      return undefined;
    }
    return { kind: 'TypeRef', name: type.name, params: type.params, span: type.span };
  }

  private createView(view: ast.CreateFlinkView): void {
    const name = view.name.name;
    this.owner = { name, describe: `view ${name}`, stateful: 0, hoisted: 0 };
    if (this.nexmarkView(view)) return;
    const chain = this.query(view.query);
    if (chain === undefined) return;
    const reads = this.reads.get(name) ?? [];
    if (reads.length === 1 && reads[0] === 'from') {
      this.streams.set(name, { kind: 'inline', chain });
      return;
    }
    this.streams.set(name, this.emitView(name, chain, view.span));
  }

  private insert(insert: ast.InsertSelect): void {
    const sink = insert.sink.name;
    this.owner = { name: `into_${sink}`, describe: `INSERT INTO ${sink}`, stateful: 0, hoisted: 0 };
    if (!this.takenNames.has(sink)) {
      this.bag.report(Diagnostics.UnknownRelation, insert.sink.span, { name: sink, known: [...this.takenNames].join(', ') || 'none' });
      return;
    }
    const chain = this.query(insert.query);
    if (chain === undefined) return;
    const virtual = chain.columns.find((c) => c.virtual !== undefined);
    if (virtual !== undefined) {
      this.notImportable(insert.query.span, `${virtual.virtual} '${virtual.name}' inserted into a table`, 'select the columns to write: it is not a column in Sluice');
      return;
    }
    const named = this.intoColumns(this.named(chain), this.sinkColumns.get(sink) ?? []);
    this.statements.push({ kind: 'InsertInto', sink: insert.sink, pipeline: this.pipeline(named, insert.span), span: insert.span });
  }

  /**
   * The Nexmark project's views over its one events table (`SELECT bid.auction, …, dateTime FROM nexmark WHERE
   * event_type = 2`), which the exporter writes too, as a Sluice nexmark source of that table; true if `view`
   * reads a nexmark table (translated or reported).
   */
  private nexmarkView(view: ast.CreateFlinkView): boolean {
    const block = view.query.blocks[0]!;
    const factor = block.from[0]?.first;
    if (factor?.kind !== 'TableName' || !this.nexmarkTables.has(factor.name.name)) return false;
    const events = this.nexmarkTables.get(factor.name.name)!;
    const where = block.where;
    const eventType =
      where?.kind === 'BinaryExpr' && where.operator === '=' && where.left.kind === 'ColumnRef' && where.left.name.name === 'event_type' && where.right.kind === 'NumberLiteral'
        ? NEXMARK_EVENT_TYPES[Number(where.right.text)]
        : undefined;
    if (view.query.blocks.length > 1 || block.from.length > 1 || block.from[0]!.joins.length > 0 || block.groupBy.length > 0 || eventType === undefined) {
      this.notImportable(view.query.span, `a view of the nexmark table '${factor.name.name}' other than one event type's`, "write it as the Nexmark project does: SELECT the fields of one event row FROM the table WHERE event_type = 0 (person), 1 (auction) or 2 (bid), then query that view");
      return true;
    }
    const timeColumns = new Set(events.columns.filter((c) => c.kind === 'ComputedColumn').map((c) => c.name.name));
    const columns: pipe.ColumnDef[] = [];
    const streamColumns: { name: string; pipeName: string }[] = [];
    for (const item of block.columns) {
      const expr = item.kind === 'Column' ? item.expr : undefined;
      const sluiceName =
        expr?.kind !== 'ColumnRef' ? undefined
        : expr.qualifier === undefined ? (timeColumns.has(expr.name.name) ? 'date_time' : undefined)
        : expr.qualifier.name === eventType ? nexmarkColumn(eventType, expr.name.name) : undefined;
      if (item.kind !== 'Column' || expr?.kind !== 'ColumnRef' || sluiceName === undefined) {
        this.notImportable(item.span, `'${item.kind === 'Star' ? '*' : 'this item'}' in a view of the nexmark table`, `select fields of the ${eventType} row (${eventType}.field) or the event time column, each as a column`);
        return true;
      }
      const type = NEXMARK_TABLES[eventType].find((f) => f.name === sluiceName)!.type;
      const typeRef: pipe.TypeRef = { kind: 'TypeRef', name: type.name, params: type.name === 'TIMESTAMP' ? [3] : [], span: item.span };
      columns.push({ kind: 'ColumnDef', name: ident(sluiceName, item.span), type: typeRef, notNull: false, span: item.span });
      streamColumns.push({ name: item.alias?.name ?? expr.name.name, pipeName: sluiceName });
    }
    const watermark = events.watermark;
    const timeSelected = columns.some((c) => c.name.name === 'date_time');
    const toSluice = (expr: pipe.Expr): pipe.Expr | undefined =>
      rewriteExpr(expr, (node) => (node.kind === 'ColumnRef' && timeColumns.has(node.name.name) ? columnRef('date_time', node.span) : node));
    const watermarkExpr = watermark === undefined || !timeSelected ? undefined : toSluice(watermark.expr);
    const uid = this.uid(`${view.name.name}-source`, `nexmark source ${view.name.name}`, view.name.span);
    this.statements.push({
      kind: 'CreateSource',
      name: view.name,
      columns,
      ...(watermark === undefined || watermarkExpr === undefined
        ? {}
        : { watermark: { kind: 'WatermarkDef', column: ident('date_time', watermark.span), expr: watermarkExpr, span: watermark.span } }),
      options: nexmarkOptions(events.options, eventType, events.span),
      uid,
      span: view.span,
    });
    this.streams.set(view.name.name, { kind: 'named', name: view.name.name, columns: streamColumns });
    return true;
  }

  // ---- Queries ----

  private query(query: ast.Query): Chain | undefined {
    const [first, ...others] = query.blocks;
    const chain = this.block(first!);
    if (chain === undefined) return undefined;
    for (const block of others) {
      const other = this.unionOperand(block);
      if (other === undefined) return undefined;
      chain.steps.push({ kind: 'UnionStep', other, span: block.span });
    }
    return chain;
  }

  /** A UNION ALL operand by name: a table or view read as a whole, or the block as a view of its own. */
  private unionOperand(block: ast.SelectBlock): pipe.StreamRef | undefined {
    const factor = block.from[0]?.first;
    const whole = block.columns.length === 1 && block.columns[0]!.kind === 'Star' && block.columns[0]!.qualifier === undefined;
    const plain = block.from.length === 1 && block.from[0]!.joins.length === 0 && block.where === undefined && block.groupBy.length === 0;
    if (whole && plain && factor?.kind === 'TableName') {
      const stream = this.stream(factor.name);
      if (stream?.kind === 'named') return streamRef(stream.name, factor.span);
    }
    const chain = this.block(block);
    return chain && streamRef(this.hoist(chain, block.span), block.span);
  }

  private block(block: ast.SelectBlock): Chain | undefined {
    if (block.distinct !== undefined) {
      this.notImportable(block.distinct, 'SELECT DISTINCT', 'a .pipe AGGREGATE needs an aggregate: GROUP BY the columns and add COUNT(*) AS n');
      return undefined;
    }
    const dedup = this.deduplication(block);
    if (dedup !== null) return dedup;
    const from = this.fromClause(block);
    if (from === undefined) return undefined;
    const { chain, whereUsed } = from;
    if (block.where !== undefined && !whereUsed) {
      const condition = this.resolve(block.where, chain.columns);
      if (condition === undefined) return undefined;
      chain.steps.push({ kind: 'WhereStep', condition, span: block.where.span });
    }
    const grouped = block.groupBy.length > 0 || block.columns.some((c) => c.kind === 'Column' && this.containsAggregate(c.expr));
    if (block.having !== undefined) {
      this.notImportable(block.having.span, 'HAVING', 'filter the aggregate\'s output with WHERE in a view over it');
      return undefined;
    }
    return grouped ? this.aggregate(block, chain) : this.project(block.columns, chain);
  }

  private containsAggregate(expr: pipe.Expr): boolean {
    let found = false;
    rewriteExpr(expr, (node) => {
      if (node.kind === 'FunctionCall' && aggregateFunction(node.name.name) !== undefined) found = true;
      return node;
    });
    return found;
  }

  /** FROM: one table, subquery or window function with its joins, or `FROM a, b WHERE …` as a join on the WHERE. */
  private fromClause(block: ast.SelectBlock): { chain: Chain; whereUsed: boolean } | undefined {
    if (block.from.length === 1) {
      const item = block.from[0]!;
      const chain = item.joins.length === 0 ? this.factor(item.first) : this.joins(item.first, item.joins);
      return chain && { chain, whereUsed: false };
    }
    const [left, right, ...more] = block.from;
    if (more.length > 0 || left!.joins.length > 0 || right!.joins.length > 0 || block.where === undefined) {
      this.notImportable(block.span, 'a comma join of more than two tables, or without WHERE', 'write the joins with JOIN … ON');
      return undefined;
    }
    const chain = this.joins(left!.first, [{ kind: 'INNER', right: right!.first, condition: block.where, span: block.span }]);
    return chain && { chain, whereUsed: true };
  }

  private joins(first: ast.TableFactor, joins: readonly ast.JoinClause[]): Chain | undefined {
    const left = this.joinSide(first);
    if (left === undefined) return undefined;
    const chain: Chain = { from: left.ref, steps: [], columns: left.columns };
    for (const join of joins) {
      if (join.kind !== 'INNER' && join.kind !== 'LEFT') {
        this.notImportable(join.span, `${join.kind} JOIN`, join.kind === 'RIGHT' ? 'Sluice has inner and LEFT joins: swap the sides and write LEFT JOIN' : 'Sluice has inner and LEFT joins only');
        return undefined;
      }
      if (join.condition === undefined) {
        this.notImportable(join.span, 'a JOIN without ON', 'Sluice joins on a condition with at least one equality between the sides');
        return undefined;
      }
      const right = this.joinSide(join.right);
      if (right === undefined) return undefined;
      const both = [...chain.columns, ...right.columns];
      const outputs = uniqueColumnNames(both.map(outputName));
      const columns = both.map((c, i) => (outputs[i] === c.name ? c : { ...c, output: outputs[i]! }));
      const condition = this.resolve(join.condition, columns);
      if (condition === undefined) return undefined;
      const uid = this.stepUid(`${join.kind === 'LEFT' ? 'LEFT JOIN' : 'JOIN'} with ${right.ref.name.name}`, join.span);
      chain.steps.push({ kind: 'JoinStep', joinType: join.kind, right: right.ref, condition, uid, span: join.span });
      chain.columns = columns;
    }
    return chain;
  }

  /** A join side as `.pipe` needs it: a stream by name and alias, its columns qualified by that alias. */
  private joinSide(factor: ast.TableFactor): { ref: pipe.StreamRef; columns: Column[] } | undefined {
    let name: string;
    let stream: Stream | undefined;
    if (factor.kind === 'TableName') {
      name = factor.name.name;
      stream = this.stream(factor.name);
      if (stream === undefined) return undefined;
    } else {
      const chain = this.factor(factor);
      if (chain === undefined) return undefined;
      name = this.hoist(chain, factor.span);
      stream = this.streams.get(name);
    }
    if (stream?.kind !== 'named') {
      // A view read only here is not continued (joins read their sides by name); `reads` keeps it named.
      return undefined;
    }
    const qualifier = factor.alias?.name ?? name;
    return {
      ref: streamRef(stream.name, factor.span, qualifier),
      columns: stream.columns.map((c) => ({
        qualifier,
        name: c.name,
        ref: c.pipeName === undefined ? undefined : columnRef(c.pipeName, factor.span, qualifier),
        ...(c.virtual === undefined ? {} : { virtual: c.virtual }),
      })),
    };
  }

  /** One table factor read on its own: its stream (continued if read only here), a subquery, or a window TVF. */
  private factor(factor: ast.TableFactor): Chain | undefined {
    const qualifier = factor.alias?.name;
    if (factor.kind === 'Subquery') {
      const chain = this.query(factor.query);
      if (chain !== undefined) chain.columns = chain.columns.map((c) => reread(c, qualifier));
      return chain;
    }
    const tableName = factor.kind === 'TableName' ? factor.name : factor.table;
    const stream = this.stream(tableName);
    if (stream === undefined) return undefined;
    const chain: Chain =
      stream.kind === 'inline'
        ? { from: stream.chain.from, steps: [...stream.chain.steps], columns: stream.chain.columns, pipeOrder: stream.chain.pipeOrder }
        : {
            from: streamRef(stream.name, factor.span),
            steps: [],
            columns: stream.columns.map((c) => ({
              qualifier: undefined,
              name: c.name,
              ref: c.pipeName === undefined ? undefined : columnRef(c.pipeName, factor.span),
              ...(c.virtual === undefined ? {} : { virtual: c.virtual }),
            })),
          };
    // A reader sees the columns by their output names, under its own qualifier.
    chain.columns = chain.columns.map((c) => reread(c, qualifier ?? tableName.name));
    return factor.kind === 'WindowTable' ? this.windowTable(factor, chain) : chain;
  }

  /** `TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), size))` as `|> WINDOW TUMBLE(ts, size)`, and HOP and SESSION alike. */
  private windowTable(table: ast.WindowTable, chain: Chain): Chain | undefined {
    const window = WINDOWS[table.function.name.toUpperCase()];
    if (window === undefined) {
      this.notImportable(table.function.span, `the window table function ${table.function.name}`, 'Sluice has TUMBLE, HOP and SESSION windows');
      return undefined;
    }
    if (table.args.length !== window.arity) {
      this.notImportable(table.span, `${window.fn} with ${table.args.length + 1} arguments after the table`, `write ${window.fn}(TABLE t, DESCRIPTOR(time_col), ${window.arity === 1 ? 'size' : 'slide, size'})`);
      return undefined;
    }
    return this.withWindow(chain, window.fn, columnRef(table.timeColumn.name, table.timeColumn.span), table.args, table.function.span, true);
  }

  private withWindow(chain: Chain, fn: pipe.WindowFunction, time: pipe.Expr, args: readonly pipe.Expr[], span: Span, tableFunction: boolean): Chain | undefined {
    const timeColumn = this.resolve(time, chain.columns);
    const resolvedArgs = this.resolveAll(args, chain.columns);
    if (timeColumn === undefined || resolvedArgs === undefined) return undefined;
    chain.steps.push({ kind: 'WindowStep', function: fn, functionSpan: span, timeColumn, args: resolvedArgs, span });
    if (chain.pipeOrder !== undefined) chain.pipeOrder = [...chain.pipeOrder, 'window_start', 'window_end'];
    chain.columns = [
      ...chain.columns,
      { qualifier: undefined, name: 'window_start', ref: columnRef('window_start', span) },
      { qualifier: undefined, name: 'window_end', ref: columnRef('window_end', span) },
      ...(tableFunction ? [{ qualifier: undefined, name: 'window_time', ref: undefined, virtual: "a window table function's window_time" as const }] : []),
    ];
    return chain;
  }

  /**
   * `SELECT keys, aggregates … GROUP BY keys` as `|> AGGREGATE aggregates GROUP BY keys`, after the WINDOW of a
   * window TVF or of a group window function (`GROUP BY k, SESSION(ts, gap)` with SESSION_START/SESSION_END),
   * then a SELECT when the items are not the keys followed by the aggregates, as AGGREGATE outputs them.
   */
  private aggregate(block: ast.SelectBlock, input: Chain): Chain | undefined {
    let chain = input;
    const keys: pipe.Expr[] = [];
    let groupWindow: { fn: string; args: readonly pipe.Expr[] } | undefined;
    for (const key of block.groupBy) {
      const window = key.kind === 'FunctionCall' ? WINDOWS[key.name.name.toUpperCase()] : undefined;
      if (key.kind === 'FunctionCall' && window !== undefined) {
        const [time, ...args] = key.args;
        if (time === undefined || args.length !== window.arity || groupWindow !== undefined) {
          this.notImportable(key.span, `this ${window.fn} group window`, `write ${window.fn}(time_col, ${window.arity === 1 ? 'size' : 'slide, size'}) once`);
          return undefined;
        }
        const windowed = this.withWindow(chain, window.fn, time, args, key.name.span, false);
        if (windowed === undefined) return undefined;
        chain = windowed;
        groupWindow = { fn: window.fn, args: key.args };
        keys.push(columnRef('window_start', key.span), columnRef('window_end', key.span));
        continue;
      }
      const resolved = this.resolve(key, chain.columns);
      if (resolved === undefined) return undefined;
      keys.push(resolved);
    }
    // The window bounds go last among the keys, where a window aggregate has them (any other order costs the
    // planner a projection back); the items are put in their own order afterwards anyway.
    if (groupWindow !== undefined || chain.steps.at(-1)?.kind === 'WindowStep') {
      const isBound = (k: pipe.Expr): boolean => k.kind === 'ColumnRef' && k.qualifier === undefined && (k.name.name === 'window_start' || k.name.name === 'window_end');
      keys.sort((a, b) => Number(isBound(a)) - Number(isBound(b)));
    }
    const aggregates: pipe.AggregateItem[] = [];
    const outputs: { name: string; key?: number; aggregate?: number; span: Span }[] = [];
    for (const [i, item] of block.columns.entries()) {
      if (item.kind === 'Star') {
        this.notImportable(item.span, 'SELECT * with GROUP BY', 'name the keys and the aggregates');
        return undefined;
      }
      if (item.over !== undefined) {
        this.notImportable(item.over.span, 'OVER', "Sluice has no OVER windows; ROW_NUMBER() is read only in Flink's deduplication pattern");
        return undefined;
      }
      const expr = item.expr;
      const name = item.alias?.name ?? (expr.kind === 'ColumnRef' ? expr.name.name : `EXPR$${i}`);
      const bound = groupWindow === undefined || expr.kind !== 'FunctionCall' ? undefined : /^(?:TUMBLE|HOP|SESSION)_(START|END)$/i.exec(expr.name.name);
      if (bound !== undefined && bound !== null && groupWindow !== undefined) {
        const sameWindow = expr.kind === 'FunctionCall' && expr.name.name.toUpperCase().startsWith(groupWindow.fn) && expr.args.length === groupWindow.args.length && expr.args.every((a, j) => sameExpr(a, groupWindow!.args[j]!));
        if (!sameWindow) {
          this.notImportable(expr.span, `${expr.kind === 'FunctionCall' ? expr.name.name : 'this call'} of another window than the GROUP BY's`, 'repeat the GROUP BY window\'s arguments');
          return undefined;
        }
        const column = bound[1]!.toUpperCase() === 'START' ? 'window_start' : 'window_end';
        outputs.push({ name, key: keys.findIndex((k) => k.kind === 'ColumnRef' && k.name.name === column), span: item.span });
        continue;
      }
      if (expr.kind === 'FunctionCall' && aggregateFunction(expr.name.name) !== undefined) {
        const call = this.resolve(expr, chain.columns);
        if (call === undefined) return undefined;
        aggregates.push({ call: call as pipe.FunctionCall, alias: ident(name, item.span), span: item.span });
        outputs.push({ name, aggregate: aggregates.length - 1, span: item.span });
        continue;
      }
      const resolved = this.resolve(expr, chain.columns);
      if (resolved === undefined) return undefined;
      const key = keys.findIndex((k) => sameExpr(k, resolved));
      if (key < 0) {
        this.bag.report(Diagnostics.NotAGroupKey, item.span);
        return undefined;
      }
      outputs.push({ name, key, span: item.span });
    }
    // A key is output under the name of the first item selecting it; a computed key no item selects gets one.
    const keyNames = keys.map((k, i) => outputs.find((o) => o.key === i)?.name ?? (k.kind === 'ColumnRef' ? k.name.name : `key_${i}`));
    if (aggregates.length === 0) {
      // Grouping without an aggregate (distinct keys, as Nexmark's q8 does): a .pipe AGGREGATE needs one, so a
      // COUNT(*) is computed and left out of the output.
      let name = 'row_count';
      for (let n = 1; keyNames.includes(name); n++) name = `row_count${n}`;
      const star: pipe.FunctionCall = { kind: 'FunctionCall', name: ident('COUNT', block.span), args: [], distinct: false, star: true, span: block.span };
      aggregates.push({ call: star, alias: ident(name, block.span), span: block.span });
    }
    const groupBy: pipe.GroupItem[] = keys.map((k, i) =>
      k.kind === 'ColumnRef' && k.name.name === keyNames[i] ? { expr: k, span: k.span } : { expr: k, alias: ident(keyNames[i]!, k.span), span: k.span },
    );
    const uid = this.stepUid('AGGREGATE', block.span);
    chain.steps.push({ kind: 'AggregateStep', aggregates, groupBy, uid, span: block.span });
    const aggregated: Column[] = [...keyNames, ...aggregates.map((a) => a.alias.name)].map((name) => ({ qualifier: undefined, name, ref: columnRef(name, block.span) }));
    chain.columns = aggregated;
    const outputNames = outputs.map((o) => (o.key !== undefined ? keyNames[o.key]! : aggregates[o.aggregate!]!.alias.name));
    const inOrder = outputs.length === aggregated.length && outputs.every((o, i) => outputNames[i] === aggregated[i]!.name && o.name === outputNames[i]);
    if (inOrder) return chain;
    if (outputs.every((o, i) => o.name === outputNames[i]) && new Set(outputNames).size === outputNames.length) {
      chain.columns = outputNames.map((name, i) => ({ qualifier: undefined, name, ref: columnRef(name, outputs[i]!.span) }));
      chain.pipeOrder = aggregated.map((c) => c.name);
      return chain;
    }
    return this.select(chain, outputs.map((o, i) => ({ name: o.name, expr: columnRef(outputNames[i]!, o.span), span: o.span })), block.span);
  }

  /**
   * Flink's deduplication: `SELECT … FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY k ORDER BY proc ASC|DESC)
   * AS rn FROM t) WHERE rn = 1`, ordered by a PROCTIME() attribute, as `|> DEDUPLICATE BY k KEEP FIRST|LAST`.
   * Null when `block` is not of that shape.
   */
  private deduplication(block: ast.SelectBlock): Chain | undefined | null {
    const sub = block.from.length === 1 && block.from[0]!.joins.length === 0 ? block.from[0]!.first : undefined;
    if (sub?.kind !== 'Subquery' || sub.query.blocks.length !== 1) return null;
    const inner = sub.query.blocks[0]!;
    const numbered = inner.columns.find((c): c is Extract<ast.SelectColumn, { kind: 'Column' }> => c.kind === 'Column' && c.over !== undefined);
    if (numbered === undefined) return null;
    const over = numbered.over!;
    if (!isCall(numbered.expr, 'ROW_NUMBER') || numbered.expr.args.length > 0) {
      this.notImportable(numbered.span, 'an OVER window', "Sluice has no OVER windows; ROW_NUMBER() is read only in Flink's deduplication pattern");
      return undefined;
    }
    const rowNumber = numbered.alias?.name;
    const where = block.where;
    const keepsFirstRow =
      where?.kind === 'BinaryExpr' && (where.operator === '=' || where.operator === '<=') &&
      where.left.kind === 'ColumnRef' && where.left.name.name === rowNumber && where.right.kind === 'NumberLiteral' && where.right.text === '1';
    if (rowNumber === undefined || !keepsFirstRow) {
      this.notImportable(where?.span ?? block.span, 'a Top-N query (ROW_NUMBER() kept other than = 1)', 'Sluice deduplicates (keeps row number 1 per key) but has no Top-N');
      return undefined;
    }
    if (inner.groupBy.length > 0 || inner.having !== undefined || inner.distinct !== undefined) {
      this.notImportable(inner.span, 'grouping in the deduplication subquery', 'deduplicate first, then aggregate in a view over it');
      return undefined;
    }
    const from = this.fromClause(inner);
    if (from === undefined) return undefined;
    let chain = from.chain;
    if (inner.where !== undefined && !from.whereUsed) {
      const condition = this.resolve(inner.where, chain.columns);
      if (condition === undefined) return undefined;
      chain.steps.push({ kind: 'WhereStep', condition, span: inner.where.span });
    }
    const projected = this.project(inner.columns.filter((c) => c !== numbered), chain);
    if (projected === undefined) return undefined;
    chain = projected;
    const order = over.orderBy.length === 1 ? over.orderBy[0]! : undefined;
    const orderColumn = order?.expr.kind === 'ColumnRef' ? chain.columns.find((c) => c.name === (order.expr as pipe.ColumnRef).name.name) : undefined;
    if (order === undefined || orderColumn?.virtual !== 'a PROCTIME() attribute') {
      this.bag.report(Diagnostics.DeduplicationOrder, order?.expr.span ?? over.span, { order: order === undefined ? 'nothing' : this.describe(order.expr) });
      return undefined;
    }
    const keys = this.resolveAll(over.partitionBy, chain.columns);
    if (keys === undefined) return undefined;
    const uid = this.stepUid('DEDUPLICATE', numbered.span);
    chain.steps.push({ kind: 'DeduplicateStep', keys, keep: order.descending ? 'LAST' : 'FIRST', uid, span: numbered.span });
    chain.columns = [
      ...chain.columns.map((c) => ({ ...c, qualifier: sub.alias?.name })),
      { qualifier: sub.alias?.name, name: rowNumber, ref: undefined, virtual: 'a ROW_NUMBER() column' },
    ];
    return this.project(block.columns, chain);
  }

  /**
   * The select items over `chain`: nothing when they are its columns as they are, EXTEND when they add
   * computed columns after all of them, SELECT otherwise. A PROCTIME() item is kept as a Flink-only column.
   */
  private project(items: readonly ast.SelectColumn[], chain: Chain): Chain | undefined {
    const outputs: { name: string; expr: pipe.Expr | undefined; virtual?: Column['virtual']; span: Span }[] = [];
    for (const [i, item] of items.entries()) {
      if (item.kind === 'Star') {
        const columns = chain.columns.filter((c) => item.qualifier === undefined || c.qualifier === item.qualifier.name);
        if (columns.length === 0) {
          this.bag.report(Diagnostics.UnknownFlinkColumn, item.span, { name: `${item.qualifier?.name ?? ''}.*`, columns: this.columnList(chain.columns) });
          return undefined;
        }
        outputs.push(...columns.map((c) => ({ name: outputName(c), expr: c.ref, ...(c.virtual === undefined ? {} : { virtual: c.virtual }), span: item.span })));
        continue;
      }
      if (item.over !== undefined) {
        this.notImportable(item.over.span, 'an OVER window', "Sluice has no OVER windows; ROW_NUMBER() is read only in Flink's deduplication pattern");
        return undefined;
      }
      const name = item.alias?.name ?? (item.expr.kind === 'ColumnRef' ? item.expr.name.name : `EXPR$${i}`);
      if (isCall(item.expr, 'PROCTIME') && item.expr.args.length === 0) {
        outputs.push({ name, expr: undefined, virtual: 'a PROCTIME() attribute', span: item.span });
        continue;
      }
      const virtual = item.expr.kind === 'ColumnRef' ? this.lookup(item.expr, chain.columns) : undefined;
      if (virtual !== undefined && virtual.virtual !== undefined) {
        outputs.push({ name, expr: undefined, virtual: virtual.virtual, span: item.span });
        continue;
      }
      const expr = this.resolve(item.expr, chain.columns);
      if (expr === undefined) return undefined;
      outputs.push({ name, expr, span: item.span });
    }
    const real = chain.columns.filter((c) => c.ref !== undefined);
    const computed = outputs.filter((o) => o.expr !== undefined);
    const keeps = (count: number): boolean =>
      count <= computed.length && real.every((c, i) => i >= count || (computed[i]!.name === outputName(c) && sameExpr(computed[i]!.expr!, c.ref!)));
    const virtualOutputs = outputs.filter((o) => o.expr === undefined).map((o) => ({ qualifier: undefined, name: o.name, ref: undefined, virtual: o.virtual! }));
    if (computed.length === real.length && keeps(real.length)) {
      chain.columns = [...real, ...virtualOutputs];
      return chain;
    }
    const span = outputs[0]?.span ?? chain.from.span;
    if (keeps(real.length) && computed.slice(real.length).every((o) => !real.some((c) => outputName(c) === o.name))) {
      const added = computed.slice(real.length);
      chain.steps.push({ kind: 'ExtendStep', items: added.map((o) => ({ expr: o.expr!, alias: ident(o.name, o.span), span: o.span })), span });
      if (chain.pipeOrder !== undefined) chain.pipeOrder = [...chain.pipeOrder, ...added.map((o) => o.name)];
      chain.columns = [...real, ...added.map((o) => ({ qualifier: undefined, name: o.name, ref: columnRef(o.name, o.span) })), ...virtualOutputs];
      return chain;
    }
    const selected = this.select(chain, computed.map((o) => ({ name: o.name, expr: o.expr!, span: o.span })), span);
    if (selected !== undefined) selected.columns = [...selected.columns, ...virtualOutputs];
    return selected;
  }

  private select(chain: Chain, items: readonly { name: string; expr: pipe.Expr; span: Span }[], span: Span): Chain {
    // A SELECT of the previous SELECT's columns (a rename for a sink, a reorder) is folded into it.
    const previous = chain.steps.at(-1);
    if (previous?.kind === 'SelectStep' && chain.pipeOrder === undefined) {
      const earlier = new Map(previous.items.flatMap((item) => (item.kind === 'ExprItem' ? [[item.alias?.name ?? (item.expr as pipe.ColumnRef).name.name, item.expr] as const] : [])));
      const folded = items.map((o) => (o.expr.kind === 'ColumnRef' && o.expr.qualifier === undefined ? earlier.get(o.expr.name.name) : undefined));
      if (folded.every((e) => e !== undefined)) {
        chain.steps.pop();
        return this.select(chain, items.map((o, i) => ({ ...o, expr: folded[i]! })), span);
      }
    }
    chain.steps.push({
      kind: 'SelectStep',
      items: items.map((o) => ({
        kind: 'ExprItem',
        expr: o.expr,
        ...(o.expr.kind === 'ColumnRef' && o.expr.name.name === o.name ? {} : { alias: ident(o.name, o.span) }),
        span: o.span,
      })),
      span,
    });
    chain.columns = items.map((o) => ({ qualifier: undefined, name: o.name, ref: columnRef(o.name, o.span) }));
    chain.pipeOrder = undefined;
    return chain;
  }

  // ---- Names ----

  private stream(name: pipe.Identifier): Stream | undefined {
    const stream = this.streams.get(name.name);
    if (stream !== undefined) return stream;
    if (this.nexmarkTables.has(name.name)) {
      this.notImportable(name.span, `reading the nexmark table '${name.name}' itself`, 'read it through a view of one event type: SELECT bid.auction, … FROM nexmark WHERE event_type = 2');
    } else if (!this.takenNames.has(name.name)) {
      this.bag.report(Diagnostics.UnknownRelation, name.span, { name: name.name, known: [...this.streams.keys()].join(', ') || 'none' });
    }
    // Otherwise its own statement failed and was reported.
    return undefined;
  }

  /**
   * Ends a pipeline whose columns must be read by name (a `.pipe` view, an INSERT): when a column's `.pipe`
   * name is not its Flink name (a join's second `id` read as `id0`, a Nexmark `dateTime`), a SELECT renames.
   */
  private named(chain: Chain): Chain {
    const real = chain.columns.filter((c) => c.ref !== undefined);
    const names = new Set(real.map(outputName));
    const inPipeOrder = chain.pipeOrder === undefined || (chain.pipeOrder.length === real.length && chain.pipeOrder.every((name, i) => name === outputName(real[i]!)));
    const byName = inPipeOrder && names.size === real.length && real.every((c) => c.ref!.kind === 'ColumnRef' && c.ref!.name.name === outputName(c));
    if (byName) return chain;
    const virtual = chain.columns.filter((c) => c.ref === undefined);
    const selected = this.select(chain, real.map((c) => ({ name: outputName(c), expr: c.ref!, span: c.ref!.span })), chain.from.span);
    selected.columns = [...selected.columns, ...virtual];
    return selected;
  }

  /** Flink inserts by position: when the sink declares other names, a SELECT gives the columns the sink's names. */
  private intoColumns(chain: Chain, sinkColumns: readonly string[]): Chain {
    const real = chain.columns.filter((c) => c.ref !== undefined);
    if (sinkColumns.length !== real.length || real.every((c, i) => outputName(c) === sinkColumns[i])) return chain;
    return this.select(chain, real.map((c, i) => ({ name: sinkColumns[i]!, expr: c.ref!, span: c.ref!.span })), chain.from.span);
  }

  private pipeline(chain: Chain, span: Span): pipe.Pipeline {
    return { kind: 'Pipeline', from: chain.from, steps: chain.steps, span };
  }

  private emitView(name: string, chain: Chain, span: Span): Stream {
    const named = this.named(chain);
    this.statements.push({ kind: 'CreateView', name: ident(name, span), pipeline: this.pipeline(named, span), span });
    return {
      kind: 'named',
      name,
      columns: named.columns.map((c) => ({ name: outputName(c), pipeName: c.ref === undefined ? undefined : outputName(c), ...(c.virtual === undefined ? {} : { virtual: c.virtual }) })),
    };
  }

  /** Makes a subquery `.pipe` must read by name a view, named after its statement: `<statement>_<n>`. */
  private hoist(chain: Chain, span: Span): string {
    let name: string;
    do name = `${this.owner.name}_${++this.owner.hoisted}`;
    while (this.takenNames.has(name));
    this.takenNames.add(name);
    this.streams.set(name, this.emitView(name, chain, span));
    return name;
  }

  private lookup(ref: pipe.ColumnRef, columns: readonly Column[]): Column | undefined {
    const matches = columns.filter((c) => c.name === ref.name.name && (ref.qualifier === undefined || c.qualifier === ref.qualifier.name));
    return matches.length === 1 ? matches[0] : undefined;
  }

  /** `expr` over the Flink columns in scope, as `.pipe` reads them; undefined (reported) on an unknown or ambiguous name. */
  private resolve(expr: pipe.Expr, columns: readonly Column[]): pipe.Expr | undefined {
    return rewriteExpr(expr, (node) => {
      if (node.kind === 'FunctionCall') return this.call(node);
      if (node.kind !== 'ColumnRef') return node;
      const matches = columns.filter((c) => c.name === node.name.name && (node.qualifier === undefined || c.qualifier === node.qualifier.name));
      if (matches.length === 0) {
        this.bag.report(Diagnostics.UnknownFlinkColumn, node.span, { name: this.describe(node), columns: this.columnList(columns) });
        return undefined;
      }
      if (matches.length > 1) {
        const candidates = matches.map((c) => (c.qualifier === undefined ? c.name : `${c.qualifier}.${c.name}`)).join(', ');
        this.bag.report(Diagnostics.AmbiguousFlinkColumn, node.span, { name: node.name.name, candidates });
        return undefined;
      }
      const column = matches[0]!;
      if (column.ref === undefined) {
        this.notImportable(node.span, `${column.virtual} ('${column.name}') in an expression`, "Sluice has no processing-time attributes and no window_time column: its windows are in event time, with window_start and window_end");
        return undefined;
      }
      return { ...column.ref, span: node.span };
    });
  }

  private resolveAll(exprs: readonly pipe.Expr[], columns: readonly Column[]): pipe.Expr[] | undefined {
    const out: pipe.Expr[] = [];
    for (const expr of exprs) {
      const resolved = this.resolve(expr, columns);
      if (resolved === undefined) return undefined;
      out.push(resolved);
    }
    return out;
  }

  /**
   * Function calls keep their names (Sluice's built-ins have Flink's). `AVG(CAST(x AS DOUBLE))`, which the
   * exporter writes because Flink's AVG of integers is an integer, is Sluice's AVG(x), always a DOUBLE.
   */
  private call(call: pipe.FunctionCall): pipe.Expr | undefined {
    const [arg] = call.args;
    if (isCall(call, 'AVG') && call.args.length === 1 && arg!.kind === 'CastExpr' && arg.try !== true && arg.type.name === 'DOUBLE') {
      return { ...call, args: [arg.operand] };
    }
    if (isCall(call, 'PROCTIME') || isCall(call, 'CURRENT_TIMESTAMP') || isCall(call, 'NOW')) {
      this.notImportable(call.span, `${call.name.name}()`, 'Sluice computes in event time only');
      return undefined;
    }
    return call;
  }

  private describe(expr: pipe.Expr): string {
    return expr.kind === 'ColumnRef' ? (expr.qualifier === undefined ? expr.name.name : `${expr.qualifier.name}.${expr.name.name}`) : 'an expression';
  }

  private columnList(columns: readonly Column[]): string {
    return columns.map((c) => (c.qualifier === undefined ? c.name : `${c.qualifier}.${c.name}`)).join(', ') || 'none';
  }

  // ---- UIDs and errors ----

  /** A stable uid: derived from a name in the script, made unique by a counter in the order of the script. */
  private uid(base: string, what: string, span: Span): pipe.UidClause {
    const stem = kebab(base);
    let uid = stem;
    for (let n = 2; this.takenUids.has(uid); n++) uid = `${stem}-${n}`;
    this.takenUids.add(uid);
    this.uids.push({ uid, what, span });
    return { kind: 'UidClause', value: uid, span };
  }

  /** The uid of a stateful step: its statement's name, numbered from the second stateful step on. */
  private stepUid(step: string, span: Span): pipe.UidClause {
    this.owner.stateful++;
    const base = this.owner.stateful === 1 ? this.owner.name : `${this.owner.name}-${this.owner.stateful}`;
    return this.uid(base, `${step} in ${this.owner.describe}`, span);
  }

  private notImportable(span: Span, what: string, why: string): void {
    this.bag.report(Diagnostics.NotImportable, span, { what, why });
  }
}

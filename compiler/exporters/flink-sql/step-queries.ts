import { Diagnostics } from '../../diagnostics/catalogue.js';
import type { TypedExpr } from '../../expressions/typed-expr.js';
import type { AggregateCall, Operator, OperatorSpec, WindowSpec } from '../../graph/job-graph.js';
import { isSqlSyntax, renderExprIn } from '../render-expr.js';
import { freshName, uniqueColumnNames, type ExportContext, type Relation } from './export-context.js';
import { FLINK_DIALECT, FLINK_FUNCTIONS } from './flink-dialect.js';

/** The SELECT a step becomes, over the relations of its inputs, and the Flink names of its output columns. */
export interface StepQuery {
  readonly query: string;
  readonly columns: readonly string[];
}

type Spec<K extends OperatorSpec['kind']> = Extract<OperatorSpec, { kind: K }>;
type Translate<K extends OperatorSpec['kind']> = (op: Operator, spec: Spec<K>, inputs: readonly Relation[], ctx: ExportContext) => StepQuery | undefined;

/** Reports what in an expression cannot run on Flink: JavaScript UDFs, built-ins Flink lacks. */
function reportUntranslatable(op: Operator, expr: TypedExpr, ctx: ExportContext): void {
  switch (expr.op) {
    case 'literal':
    case 'column':
      return;
    case 'udf':
      ctx.report(op, Diagnostics.JavaScriptOnFlink, { what: `the JavaScript function ${expr.name}()` });
      return;
    case 'call':
      for (const arg of expr.args) reportUntranslatable(op, arg, ctx);
      reportUnknownToFlink(op, expr.fn, ctx);
      return;
    case 'chain':
      for (const operand of expr.operands) reportUntranslatable(op, operand, ctx);
      for (const link of expr.links) reportUnknownToFlink(op, link.fn, ctx);
  }
}

function reportUnknownToFlink(op: Operator, fn: string, ctx: ExportContext): void {
  if (isSqlSyntax(fn) || FLINK_FUNCTIONS.has(fn.toUpperCase())) return;
  ctx.report(op, Diagnostics.NoFlinkTranslation, { what: `the function ${fn.toUpperCase()}()`, why: 'Flink has no built-in function of that name and meaning' });
}

function expr(op: Operator, e: TypedExpr, columns: readonly string[], ctx: ExportContext): string {
  reportUntranslatable(op, e, ctx);
  return renderExprIn(FLINK_DIALECT, e, columns);
}

/** `expr AS name`, or the bare column when it already has that name. */
function selectItem(text: string, name: string): string {
  return text === name ? text : `${text} AS ${name}`;
}

/** Sluice's AVG is always a DOUBLE; Flink's AVG of integers is an integer, so the argument is cast first. */
function aggregate(op: Operator, call: AggregateCall, columns: readonly string[], ctx: ExportContext): string {
  if (call.args.length === 0) return `${call.function}(*)`;
  let args = call.args.map((a) => expr(op, a, columns, ctx)).join(', ');
  if (call.function === 'AVG' && call.args[0]!.type.name !== 'DOUBLE') args = `CAST(${args} AS DOUBLE)`;
  return `${call.function}(${call.distinct ? 'DISTINCT ' : ''}${args})`;
}

/** TUMBLE and HOP as Flink's window table functions over the input, which keep its time attribute. */
function windowTvf(window: Exclude<WindowSpec, { type: 'session' }>, input: Relation): string {
  const time = `DESCRIPTOR(${input.columns[window.timeIndex]})`;
  const interval = FLINK_DIALECT.interval;
  return window.type === 'tumble'
    ? `TABLE(TUMBLE(TABLE ${input.name}, ${time}, ${interval(window.sizeMs)}))`
    : `TABLE(HOP(TABLE ${input.name}, ${time}, ${interval(window.slideMs)}, ${interval(window.sizeMs)}))`;
}

const filter: Translate<'filter'> = (op, spec, [input], ctx) => ({
  query: `SELECT *\nFROM ${input!.name}\nWHERE ${expr(op, spec.condition, input!.columns, ctx)}`,
  columns: input!.columns,
});

const project: Translate<'project'> = (op, spec, [input], ctx) => {
  const columns = uniqueColumnNames(op.output.fields.map((f) => f.name));
  const items = spec.exprs.map((e, i) => selectItem(expr(op, e, input!.columns, ctx), columns[i]!));
  return { query: `SELECT ${items.join(', ')}\nFROM ${input!.name}`, columns };
};

/** TUMBLE or HOP without an aggregate: the table function's rows, without the `window_time` column Sluice lacks. */
const windowAssign: Translate<'window_assign'> = (op, spec, [input]) => {
  // Sluice plans a SESSION window only together with its AGGREGATE.
  if (spec.window.type === 'session') throw new Error(`window_assign ${op.id}: SESSION without an aggregate`);
  const tvf = windowTvf(spec.window, input!);
  const columns = uniqueColumnNames(op.output.fields.map((f) => f.name));
  return { query: `SELECT ${[...input!.columns, 'window_start', 'window_end'].join(', ')}\nFROM ${tvf}`, columns };
};

/**
 * A window aggregate reads its input through the window table function; over an already windowed stream (a
 * window aggregate's output) it groups by that stream's window columns, which Flink's window propagation
 * recognizes as the same windows, as the Nexmark project's q5 does. SESSION windows use Flink's group window
 * syntax (`GROUP BY SESSION(ts, gap)`): its SESSION table function (Flink 1.19+) is not in every Flink SQL
 * grammar yet, and the group window means the same — per key, a session ends at its last row plus the gap.
 */
const windowAggregate: Translate<'window_aggregate'> = (op, spec, [input], ctx) => {
  const windowed = op.inputs[0]!.window;
  const columns = uniqueColumnNames(op.output.fields.map((f) => f.name));
  const keys = spec.keys.map((k) => expr(op, k, input!.columns, ctx));
  const window = spec.window;
  let from = input!.name;
  let bounds: readonly [string, string];
  let groupBy: string[];
  if (windowed !== undefined) {
    bounds = [input!.columns[windowed.start]!, input!.columns[windowed.end]!];
    groupBy = [...keys, ...bounds];
  } else if (window.type === 'session') {
    const session = `${input!.columns[window.timeIndex]}, ${FLINK_DIALECT.interval(window.gapMs)}`;
    bounds = [`SESSION_START(${session})`, `SESSION_END(${session})`];
    groupBy = [...keys, `SESSION(${session})`];
  } else {
    from = windowTvf(window, input!);
    bounds = ['window_start', 'window_end'];
    groupBy = [...keys, ...bounds];
  }
  const n = keys.length;
  const items = [
    ...keys.map((k, i) => selectItem(k, columns[i]!)),
    selectItem(bounds[0], columns[n]!),
    selectItem(bounds[1], columns[n + 1]!),
    ...spec.aggregates.map((a, i) => `${aggregate(op, a, input!.columns, ctx)} AS ${columns[n + 2 + i]}`),
  ];
  return { query: `SELECT ${items.join(', ')}\nFROM ${from}\nGROUP BY ${groupBy.join(', ')}`, columns };
};

const groupAggregate: Translate<'group_aggregate'> = (op, spec, [input], ctx) => {
  const columns = uniqueColumnNames(op.output.fields.map((f) => f.name));
  const keys = spec.keys.map((k) => expr(op, k, input!.columns, ctx));
  const items = [
    ...keys.map((k, i) => selectItem(k, columns[i]!)),
    ...spec.aggregates.map((a, i) => `${aggregate(op, a, input!.columns, ctx)} AS ${columns[keys.length + i]}`),
  ];
  const groupBy = keys.length === 0 ? '' : `\nGROUP BY ${keys.join(', ')}`;
  return { query: `SELECT ${items.join(', ')}\nFROM ${input!.name}${groupBy}`, columns };
};

/** The two sides of a join as `l` and `r`, and the ON condition's equalities and residual. */
function joinQuery(
  op: Operator,
  spec: Spec<'join' | 'interval_join' | 'window_join'>,
  [left, right]: readonly Relation[],
  extra: readonly string[],
  ctx: ExportContext,
): StepQuery {
  const l = left!.columns.map((c) => `l.${c}`);
  const r = right!.columns.map((c) => `r.${c}`);
  const columns = uniqueColumnNames(op.output.fields.map((f) => f.name));
  const conditions = spec.leftKeys.map((k, i) => `${expr(op, k, l, ctx)} = ${expr(op, spec.rightKeys[i]!, r, ctx)}`);
  conditions.push(...extra);
  if (spec.residual !== undefined) conditions.push(expr(op, spec.residual, [...l, ...r], ctx));
  const items = [...l, ...r].map((ref, i) => `${ref} AS ${columns[i]}`);
  const join = spec.joinType === 'left' ? 'LEFT JOIN' : 'JOIN';
  return { query: `SELECT ${items.join(', ')}\nFROM ${left!.name} AS l\n${join} ${right!.name} AS r\n  ON ${conditions.join('\n AND ')}`, columns };
}

function plusInterval(column: string, ms: number): string {
  if (ms === 0) return column;
  return ms > 0 ? `${column} + ${FLINK_DIALECT.interval(ms)}` : `${column} - ${FLINK_DIALECT.interval(-ms)}`;
}

/** left.time + lower <= right.time <= left.time + upper, written as Flink's interval join condition. */
const intervalJoin: Translate<'interval_join'> = (op, spec, inputs, ctx) => {
  const lt = `l.${inputs[0]!.columns[spec.leftTimeIndex]}`;
  const rt = `r.${inputs[1]!.columns[spec.rightTimeIndex]}`;
  return joinQuery(op, spec, inputs, [`${rt} BETWEEN ${plusInterval(lt, spec.lowerMs)} AND ${plusInterval(lt, spec.upperMs)}`], ctx);
};

const union: Translate<'union'> = (op, _spec, inputs) => ({
  query: inputs.map((input) => `SELECT *\nFROM ${input.name}`).join('\nUNION ALL\n'),
  columns: inputs[0]!.columns,
});

/**
 * DEDUPLICATE as the ROW_NUMBER() pattern Flink's planner turns into its deduplication operator. Sluice keeps
 * the first (or last) row per key in arrival order, which on Flink is processing-time order.
 */
const deduplicate: Translate<'deduplicate'> = (op, spec, [input], ctx) => {
  if (spec.keys.some((k) => k.op !== 'column')) {
    ctx.report(op, Diagnostics.NoFlinkTranslation, {
      what: 'DEDUPLICATE BY an expression',
      why: 'Flink recognizes deduplication only when it partitions by columns: compute the key with EXTEND … AS name first and deduplicate by that name',
    });
    return undefined;
  }
  const columns = input!.columns;
  const proctime = freshName('proc_time', columns);
  const rowNum = freshName('row_num', [...columns, proctime]);
  const keys = spec.keys.map((k) => expr(op, k, columns, ctx)).join(', ');
  const order = spec.keep === 'first' ? 'ASC' : 'DESC';
  const query = [
    `SELECT ${columns.join(', ')}`,
    'FROM (',
    `  SELECT *, ROW_NUMBER() OVER (PARTITION BY ${keys} ORDER BY ${proctime} ${order}) AS ${rowNum}`,
    `  FROM (SELECT *, PROCTIME() AS ${proctime} FROM ${input!.name})`,
    ')',
    `WHERE ${rowNum} = 1`,
  ].join('\n');
  return { query, columns };
};

const process: Translate<'process'> = (op, spec, _inputs, ctx) => {
  ctx.report(op, Diagnostics.JavaScriptOnFlink, { what: `the PROCESS function ${spec.function}()` });
  return undefined;
};

type Translators = { readonly [K in Exclude<OperatorSpec['kind'], 'source' | 'sink'>]: Translate<K> };

const TRANSLATORS: Translators = {
  filter,
  project,
  window_assign: windowAssign,
  window_aggregate: windowAggregate,
  group_aggregate: groupAggregate,
  join: (op, spec, inputs, ctx) => joinQuery(op, spec, inputs, [], ctx),
  interval_join: intervalJoin,
  // The window bounds are among the join keys; Flink recognizes a window join by them.
  window_join: (op, spec, inputs, ctx) => joinQuery(op, spec, inputs, [], ctx),
  union,
  deduplicate,
  process,
};

/** The query of a step (any operator but a source or sink), or undefined when it was reported as untranslatable. */
export function stepQuery(op: Operator, inputs: readonly Relation[], ctx: ExportContext): StepQuery | undefined {
  const spec = op.spec;
  if (spec.kind === 'source' || spec.kind === 'sink') throw new Error(`stepQuery: ${op.id} is a ${spec.kind}`);
  return (TRANSLATORS[spec.kind] as Translate<typeof spec.kind>)(op, spec as never, inputs, ctx);
}

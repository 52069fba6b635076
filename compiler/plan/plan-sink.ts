import type { CreateSink, InsertInto } from '../../grammar/ast/index.js';
import { connectorDefinition } from '../../connectors/definitions.js';
import type { ValidatedConnector } from '../connectors/validate-options.js';
import { validateSink } from '../connectors/validate-sink.js';
import { Diagnostics } from '../diagnostics/catalogue.js';
import { widensTo } from '../expressions/coercion.js';
import type { StreamSchema } from '../graph/job-graph.js';
import type { Field } from '../types/sql-type.js';
import { operatorName } from './operator-names.js';
import type { PlanContext } from './plan-context.js';
import { materializeWindow } from './plan-window.js';
import type { PlannedStream } from './planned-stream.js';
import { declaredFields } from './plan-source.js';
import { distinctNames } from './output-names.js';
import { formatColumns } from './schema-text.js';
import { primaryKeyOf } from './primary-key.js';
import { sinkState } from './state-declarations.js';

/** A sink and the streams inserted into it so far; its operator is made once every INSERT is planned. */
export interface SinkTarget {
  readonly statement: CreateSink;
  readonly connector: ValidatedConnector;
  /** The declared columns, or undefined when the sink takes the columns of what is inserted into it. */
  readonly declared: readonly Field[] | undefined;
  readonly inputs: PlannedStream[];
}

export function declareSink(statement: CreateSink, ctx: PlanContext): SinkTarget {
  const declared = statement.columns === undefined ? undefined : declaredFields(statement.name.name, statement.columns, ctx.bag);
  // A stand-in for an invalid connector, as for sources: no graph is returned when there are errors.
  const connector = validateSink(statement, ctx.bag) ?? { connector: 'blackhole', options: {} };
  return { statement, connector, declared, inputs: [] };
}

/**
 * `INSERT INTO sink <pipeline>`: the rows must fit the sink's columns by position (count equal, types
 * assignable without a CAST; names may differ, as in Flink's INSERT). A sink without declared columns takes
 * the columns of its first INSERT (a repeated name, as both sides' `id` after a JOIN, gets a numeric suffix
 * as `SELECT *` gives it in Flink), and later INSERTs must fit those. A sink may receive several INSERTs (a
 * union, like Flink's STATEMENT SET); updating rows may go to any sink, each row carrying its change kind.
 */
export function insertInto(target: SinkTarget, statement: InsertInto, planned: PlannedStream, ctx: PlanContext): void {
  const stream = materializeWindow(planned, ctx);
  if (stream === undefined) return;
  const sink = statement.sink.name;
  const actual = stream.schema.fields;
  const expected = target.declared ?? target.inputs[0]?.schema.fields;
  if (expected !== undefined && (actual.length !== expected.length || actual.some((f, i) => !widensTo(f.type, expected[i]!.type)))) {
    ctx.bag.report(Diagnostics.SinkSchemaMismatch, statement.sink.span, { sink, actual: formatColumns(actual), expected: formatColumns(expected) });
    return;
  }
  target.inputs.push(stream);
}

/** The sink operator with one input per INSERT; nothing when no INSERT reached it. */
export function addSinkOperator(target: SinkTarget, ctx: PlanContext): void {
  const first = target.inputs[0];
  if (first === undefined) return;
  const { connector, options } = target.connector;
  const updating = target.inputs.some((s) => s.schema.changelog !== 'append');
  const taken = first.schema.fields;
  const names = distinctNames(taken.map((f) => f.name));
  const output: StreamSchema = {
    fields: [...(target.declared ?? taken.map((f, i) => ({ ...f, name: names[i]! })))],
    changelog: updating ? 'upsert' : 'append',
    ...(target.inputs.length === 1 && first.schema.upsertKey !== undefined ? { upsertKey: first.schema.upsertKey } : {}),
  };
  const statement = target.statement;
  const primaryKey = primaryKeyOf(statement.primaryKey, output.fields, statement.name.name, ctx.bag);
  const upsertKey = output.upsertKey?.map((i) => output.fields[i]!.name);
  connectorDefinition('sink', connector)?.checkInput?.({ name: statement.name, fields: output.fields, updating, primaryKey, upsertKey, options, bag: ctx.bag });
  const node = ctx.graph.add({
    uid: statement.uid?.value ?? null,
    name: operatorName('Sink', statement.name.name),
    inputs: target.inputs.map((s) => s.schema),
    output,
    state: sinkState(connector, options),
    span: statement.span,
    spec: { kind: 'sink', connector, options, ...(primaryKey === undefined ? {} : { primaryKey }) },
  });
  target.inputs.forEach((s, i) => ctx.graph.connect(s.node, node, i));
}

import type { ColumnDef, CreateSource } from '../../grammar/ast/index.js';
import { validateSource } from '../connectors/validate-source.js';
import { checkWatermarkAlignment } from '../connectors/watermark-alignment.js';
import { Diagnostics } from '../diagnostics/catalogue.js';
import type { DiagnosticBag } from '../diagnostics/diagnostic.js';
import { checkExpr } from '../expressions/check-expr.js';
import { Scope } from '../expressions/scope.js';
import type { OperatorSpec, StreamSchema } from '../graph/job-graph.js';
import { resolveType } from '../types/resolve-type.js';
import { NULL_TYPE, typeToString, type Field } from '../types/sql-type.js';
import { operatorName } from './operator-names.js';
import type { PlanContext } from './plan-context.js';
import type { PlannedStream } from './planned-stream.js';
import { primaryKeyOf } from './primary-key.js';
import { deduplicateState, keyFieldsOf, sourceState } from './state-declarations.js';
import { connectorDefinition } from '../../connectors/definitions.js';
import type { TypedExpr } from '../expressions/typed-expr.js';

/**
 * Declared columns as fields, reporting duplicates. A column whose type does not resolve (already reported)
 * gets the NULL type, which every check accepts, so that its uses raise no second error.
 */
export function declaredFields(owner: string, columns: readonly ColumnDef[], bag: DiagnosticBag): Field[] {
  const seen = new Map<string, ColumnDef>();
  for (const column of columns) {
    const first = seen.get(column.name.name);
    if (first === undefined) seen.set(column.name.name, column);
    else {
      bag.report(Diagnostics.DuplicateColumn, column.name.span, { name: column.name.name, stream: owner }, [
        { message: `'${column.name.name}' is first declared here`, file: bag.file, span: first.name.span },
      ]);
    }
  }
  return columns.map((c) => ({ name: c.name.name, type: resolveType(c.type, bag) ?? NULL_TYPE, nullable: !c.notNull }));
}

/** The time attribute and watermark of `WATERMARK FOR col AS expr`, checked; undefined after an error. */
function watermarkOf(stmt: CreateSource, fields: readonly Field[], ctx: PlanContext): Extract<OperatorSpec, { kind: 'source' }>['watermark'] {
  const def = stmt.watermark!;
  const name = def.column.name;
  const column = fields.findIndex((f) => f.name === name);
  if (column === -1) {
    ctx.bag.report(Diagnostics.UnknownWatermarkColumn, def.column.span, { name, stream: stmt.name.name, columns: fields.map((f) => f.name).join(', ') });
    return undefined;
  }
  if (fields[column]!.type.name !== 'TIMESTAMP') {
    ctx.bag.report(Diagnostics.WatermarkColumnType, def.column.span, { name, type: typeToString(fields[column]!.type) });
    return undefined;
  }
  const expr = checkExpr(def.expr, Scope.fromFields(fields, stmt.name.name), ctx.exprs);
  if (expr === undefined) return undefined;
  if (expr.type.name !== 'TIMESTAMP') {
    ctx.bag.report(Diagnostics.WatermarkExpressionType, def.expr.span, { type: typeToString(expr.type), column: name });
    return undefined;
  }
  return { column, expr };
}

/** `CREATE SOURCE` → a `source` operator, planned once and read by every pipeline that names it. */
export function planSource(stmt: CreateSource, ctx: PlanContext): PlannedStream {
  const name = stmt.name.name;
  const fields = declaredFields(name, stmt.columns, ctx.bag);
  // With an invalid connector a stand-in keeps the pipelines reading this source checked; a program with
  // errors yields no graph, so the stand-in never reaches the runtime.
  const connector = validateSource(stmt, fields, ctx.bag) ?? { connector: 'datagen', options: {} };
  const changelog = connectorDefinition('source', connector.connector)?.changelog;
  const watermark = stmt.watermark === undefined ? undefined : watermarkOf(stmt, fields, ctx);
  checkWatermarkAlignment(stmt, ctx.bag);
  const primaryKey = primaryKeyOf(stmt.primaryKey, fields, name, ctx.bag);
  if (changelog !== undefined) checkChangelogSource(stmt, connector.connector, ctx);
  const upsertKey = changelog === undefined || primaryKey === undefined ? undefined : primaryKey.map((k) => fields.findIndex((f) => f.name === k));
  const normalize = upsertKey !== undefined && changelog!.normalize(connector.options);
  const output: StreamSchema =
    upsertKey !== undefined
      ? { fields, changelog: 'upsert', upsertKey, ...(normalize ? {} : { beforeImages: true }) }
      : {
          fields,
          changelog: 'append',
          ...(primaryKey === undefined ? {} : { uniqueKey: primaryKey.map((k) => fields.findIndex((f) => f.name === k)) }),
          ...(watermark === undefined ? {} : { rowtime: watermark.column }),
        };
  const node = ctx.graph.add({
    uid: stmt.uid?.value ?? null,
    name: operatorName('Source', name),
    inputs: [],
    output,
    state: sourceState(connector.connector),
    span: stmt.span,
    spec: { kind: 'source', ...connector, ...(watermark === undefined ? {} : { watermark }), ...(primaryKey === undefined ? {} : { primaryKey }) },
  });
  const planned: PlannedStream = { node, schema: output, qualifiers: fields.map(() => name) };
  return normalize ? changelogNormalize(stmt, planned, upsertKey!, ctx) : planned;
}

/** A changelog source needs its key and has no event time (SLC4060, SLC4061). */
function checkChangelogSource(stmt: CreateSource, connector: string, ctx: PlanContext): void {
  if (stmt.primaryKey === undefined) ctx.bag.report(Diagnostics.ChangelogSourceNeedsPrimaryKey, stmt.name.span, { name: stmt.name.name, connector });
  if (stmt.watermark !== undefined) ctx.bag.report(Diagnostics.ChangelogSourceWatermark, stmt.watermark.span, { name: stmt.name.name, connector });
}

/**
 * Flink's ChangelogNormalize after a changelog source whose updates carry no before-image and whose deletes carry
 * only the key: a KEEP LAST deduplication by the primary key, which keeps the last row per key (keyed state
 * `last-row`, under the uid `<source uid>-normalize`) and emits -U with the kept row before each +U, and the full
 * kept row with each -D.
 */
function changelogNormalize(stmt: CreateSource, source: PlannedStream, upsertKey: readonly number[], ctx: PlanContext): PlannedStream {
  const { fields } = source.schema;
  const output: StreamSchema = { ...source.schema, beforeImages: true };
  const keys: TypedExpr[] = upsertKey.map((index) => ({ op: 'column', index, name: fields[index]!.name, type: fields[index]!.type, nullable: fields[index]!.nullable }));
  const node = ctx.graph.add({
    uid: stmt.uid === undefined ? null : `${stmt.uid.value}-normalize`,
    name: operatorName('ChangelogNormalize', stmt.name.name),
    inputs: [source.schema],
    output,
    state: deduplicateState('last', keyFieldsOf(keys), fields),
    span: stmt.span,
    spec: { kind: 'deduplicate', keys, keep: 'last' },
  });
  ctx.graph.connect(source.node, node, 0, keys);
  return { node, schema: output, qualifiers: source.qualifiers };
}

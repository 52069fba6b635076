import type { UnionStep } from '../../grammar/ast/index.js';
import { Diagnostics } from '../diagnostics/catalogue.js';
import { commonType } from '../expressions/coercion.js';
import type { StreamSchema } from '../graph/job-graph.js';
import { resolveStream } from '../names/resolve.js';
import type { Field } from '../types/sql-type.js';
import { operatorName, stepText } from './operator-names.js';
import type { PlanContext } from './plan-context.js';
import { materializeWindow } from './plan-window.js';
import { requalify, type PlannedStream } from './planned-stream.js';
import { formatColumns } from './schema-text.js';

/** The columns both sides widen to, position by position; undefined when the shapes differ. */
function unionFields(left: readonly Field[], right: readonly Field[]): Field[] | undefined {
  if (left.length !== right.length) return undefined;
  const fields: Field[] = [];
  for (const [i, l] of left.entries()) {
    const r = right[i]!;
    const type = commonType(l.type, r.type);
    if (type === undefined) return undefined;
    fields.push({ name: l.name, type, nullable: l.nullable || r.nullable });
  }
  return fields;
}

/** What survives a union: properties both inputs have at the same positions. */
function sharedProperties(a: StreamSchema, b: StreamSchema): Omit<StreamSchema, 'fields'> {
  const same = (x: unknown, y: unknown): boolean => JSON.stringify(x) === JSON.stringify(y);
  const changelog = a.changelog === 'append' && b.changelog === 'append' ? 'append' : 'upsert';
  return {
    changelog,
    ...(changelog === 'upsert' && a.upsertKey !== undefined && same(a.upsertKey, b.upsertKey) ? { upsertKey: a.upsertKey } : {}),
    ...(a.rowtime !== undefined && a.rowtime === b.rowtime ? { rowtime: a.rowtime } : {}),
    ...(a.window !== undefined && same(a.window, b.window) ? { window: a.window } : {}),
  };
}

/**
 * `UNION ALL name` → `union`: both inputs' rows, unchanged. Columns match by position with compatible types
 * (widened to their common type; names from the left side). The time attribute survives when both sides
 * have it at the same position.
 */
export function planUnion(input: PlannedStream, step: UnionStep, at: number, ctx: PlanContext): PlannedStream | undefined {
  const ref = step.other;
  if (resolveStream(ref.name, at, ctx.catalog, ctx.bag) === undefined) return undefined;
  const planned = ctx.streams.get(ref.name.name);
  if (planned === undefined) return undefined;
  const left = materializeWindow(input, ctx);
  const right = materializeWindow(requalify(planned, ref.alias?.name ?? ref.name.name), ctx);
  if (left === undefined || right === undefined) return undefined;
  const fields = unionFields(left.schema.fields, right.schema.fields);
  if (fields === undefined) {
    ctx.bag.report(Diagnostics.UnionSchemaMismatch, ref.span, {
      name: ref.name.name,
      left: formatColumns(left.schema.fields),
      right: formatColumns(right.schema.fields),
    });
    return undefined;
  }
  const output: StreamSchema = { fields, ...sharedProperties(left.schema, right.schema) };
  const node = ctx.graph.add({
    uid: step.uid?.value ?? null,
    name: operatorName('Union', stepText(ctx.source, step)),
    inputs: [left.schema, right.schema],
    output,
    state: [],
    span: step.span,
    spec: { kind: 'union' },
  });
  ctx.graph.connect(left.node, node, 0);
  ctx.graph.connect(right.node, node, 1);
  return { node, schema: output, qualifiers: left.qualifiers };
}

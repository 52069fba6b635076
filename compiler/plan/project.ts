import type { Span } from '../../grammar/ast/index.js';
import type { TypedExpr } from '../expressions/typed-expr.js';
import type { StreamSchema } from '../graph/job-graph.js';
import type { PlanContext } from './plan-context.js';
import { operatorName } from './operator-names.js';
import type { PlannedStream } from './planned-stream.js';

/**
 * The schema of a projection. The time attribute, the window columns, the upsert key and the unique key survive
 * when their columns pass through unchanged (as bare column references; the first occurrence counts); a window's
 * `timeIndex` then points at the projected time column, or at window_end once the time column is gone.
 */
export function projectedSchema(input: StreamSchema, exprs: readonly TypedExpr[], names: readonly string[]): StreamSchema {
  const positions = new Map<number, number>();
  exprs.forEach((e, i) => {
    if (e.op === 'column' && !positions.has(e.index)) positions.set(e.index, i);
  });
  const rowtime = input.rowtime === undefined ? undefined : positions.get(input.rowtime);
  const start = input.window === undefined ? undefined : positions.get(input.window.start);
  const end = input.window === undefined ? undefined : positions.get(input.window.end);
  const keptKey = keptColumns(input.upsertKey, positions);
  const keptUniqueKey = keptColumns(input.uniqueKey, positions);
  return {
    fields: exprs.map((e, i) => ({ name: names[i]!, type: e.type, nullable: e.nullable })),
    changelog: input.changelog,
    ...(keptKey === undefined ? {} : { upsertKey: keptKey }),
    ...(keptUniqueKey === undefined ? {} : { uniqueKey: keptUniqueKey }),
    // Projections keep every row's kind, so a -U still carries the projection of the row its +U replaced.
    ...(input.beforeImages === true ? { beforeImages: true } : {}),
    ...(rowtime === undefined ? {} : { rowtime }),
    ...(input.window === undefined || start === undefined || end === undefined
      ? {}
      : { window: { start, end, spec: { ...input.window.spec, timeIndex: positions.get(input.window.spec.timeIndex) ?? end } } }),
  };
}

/** A key's columns at their projected positions, or undefined when the projection does not pass every one on. */
function keptColumns(key: readonly number[] | undefined, positions: ReadonlyMap<number, number>): number[] | undefined {
  const projected = key?.map((k) => positions.get(k));
  return projected?.every((k) => k !== undefined) ? (projected as number[]) : undefined;
}

/** Adds a `project` operator after `stream` (which has no pending WINDOW). */
export function addProjection(
  ctx: PlanContext,
  stream: PlannedStream,
  exprs: readonly TypedExpr[],
  names: readonly string[],
  qualifiers: readonly (string | undefined)[],
  meta: { readonly name: string; readonly span: Span; readonly uid: string | null; readonly idStem?: string },
): PlannedStream {
  const output = projectedSchema(stream.schema, exprs, names);
  const node = ctx.graph.add({ ...meta, inputs: [stream.schema], output, state: [], spec: { kind: 'project', exprs: [...exprs] } });
  ctx.graph.connect(stream.node, node, 0);
  return { node, schema: output, qualifiers };
}

/**
 * Projection pushdown before a key-partitioned exchange, as Flink pushes a Calc below its exchanges: when the
 * operator after the exchange reads only the columns `read` of `stream`, a projection keeping those (in their
 * order) is added after `stream`, chained to it, so that the exchange carries no column nobody reads: fewer
 * values to encode per row between threads, smaller rows waiting in channels. Returns the pruned stream and
 * where each read column went; undefined when every column is read, or at parallelism 1, where the exchange hands
 * its batches on by reference in one thread and a projection would only add an array per row — unless the operator
 * keeps the rows in state (`keptInState`, a regular join), where unread columns would live as long as the state.
 * The projection has no state and is numbered apart (`pruned-project-<n>`), so that it changes no other operator's
 * id, and a savepoint restores across it either way (as when it is taken at parallelism 1 and restored at 2).
 */
export function pruneColumns(
  ctx: PlanContext,
  stream: PlannedStream,
  read: ReadonlySet<number>,
  span: Span,
  keptInState = false,
): { readonly stream: PlannedStream; readonly positionOf: (index: number) => number } | undefined {
  const { fields } = stream.schema;
  if ((ctx.graph.parallelism === 1 && !keptInState) || fields.length <= read.size) return undefined;
  const kept = [...read].sort((a, b) => a - b);
  const positions = new Map(kept.map((index, position) => [index, position]));
  const exprs: TypedExpr[] = kept.map((index) => ({ op: 'column', index, name: fields[index]!.name, type: fields[index]!.type, nullable: fields[index]!.nullable }));
  const names = kept.map((index) => fields[index]!.name);
  const pruned = addProjection(ctx, stream, exprs, names, kept.map((index) => stream.qualifiers[index]), {
    uid: null,
    name: operatorName('Project', names.join(', ')),
    span,
    idStem: 'pruned-project',
  });
  return { stream: pruned, positionOf: (index) => positions.get(index)! };
}

import type { TypedExpr } from '../expressions/typed-expr.js';
import type { AggregateCall, Edge, Operator, StateDescriptor, WindowSpec } from '../graph/job-graph.js';
import { typeToString } from '../types/sql-type.js';
import { renderExpr } from './render-expr.js';

/** The words shared by the summary, DOT and Mermaid exporters, so that all three describe a graph alike. */

const DURATION_UNITS: readonly (readonly [string, number])[] = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['min', 60_000],
  ['s', 1_000],
];

/** `10 s`, `1 min`, `500 ms`: the spelling `SET` accepts. */
export function formatDuration(ms: number): string {
  const [unit, size] = DURATION_UNITS.find(([, size]) => ms !== 0 && ms % size === 0) ?? ['ms', 1];
  return `${ms / size} ${unit}`;
}

/** `TUMBLE(10 s)`, `HOP(2 s, 10 s)`, `SESSION(30 min)`. */
export function describeWindow(window: WindowSpec): string {
  switch (window.type) {
    case 'tumble':
      return `TUMBLE(${formatDuration(window.sizeMs)})`;
    case 'hop':
      return `HOP(${formatDuration(window.slideMs)}, ${formatDuration(window.sizeMs)})`;
    case 'session':
      return `SESSION(${formatDuration(window.gapMs)})`;
  }
}

function names(fields: readonly { readonly name: string }[] | undefined): string[] {
  return (fields ?? []).map((f) => f.name);
}

function renderList(exprs: readonly TypedExpr[], fieldNames: readonly string[]): string {
  return exprs.map((e) => renderExpr(e, fieldNames)).join(', ');
}

function describeAggregate(call: AggregateCall, fieldNames: readonly string[]): string {
  const args = call.args.length === 0 ? '*' : `${call.distinct ? 'DISTINCT ' : ''}${renderList(call.args, fieldNames)}`;
  return `${call.function}(${args}) AS ${call.name}`;
}

function describeAggregation(keys: readonly TypedExpr[], aggregates: readonly AggregateCall[], input: readonly string[]): string {
  // Keys first: when a long line is cut, what the state is keyed by survives.
  const calls = aggregates.map((a) => describeAggregate(a, input)).join(', ');
  return keys.length === 0 ? calls : `BY ${renderList(keys, input)}: ${calls}`;
}

function describeJoinKeys(op: Operator, leftKeys: readonly TypedExpr[], rightKeys: readonly TypedExpr[], residual: TypedExpr | undefined): string {
  const left = names(op.inputs[0]?.fields);
  const right = names(op.inputs[1]?.fields);
  const equalities = leftKeys.map((k, i) => `${renderExpr(k, left)} = ${renderExpr(rightKeys[i]!, right)}`);
  const conditions = residual === undefined ? equalities : [...equalities, renderExpr(residual, [...left, ...right])];
  return `ON ${conditions.join(' AND ')}`;
}

function offset(ms: number): string {
  return ms === 0 ? '' : ms > 0 ? ` + ${formatDuration(ms)}` : ` - ${formatDuration(-ms)}`;
}

/** What an operator does, in a few words after its kind: `nexmark(bid)`, `price > 100`, `HOP(2 s, 10 s) …`. */
export function describeOperator(op: Operator): string {
  const input = names(op.inputs[0]?.fields);
  const spec = op.spec;
  switch (spec.kind) {
    case 'source': {
      const subject = spec.options['table'] ?? spec.options['path'];
      return subject === undefined ? spec.connector : `${spec.connector}(${subject})`;
    }
    case 'sink': {
      const details = [spec.options['path'], spec.options['sink.semantic']].filter((d) => d !== undefined);
      return details.length === 0 ? spec.connector : `${spec.connector}(${details.join(', ')})`;
    }
    case 'filter':
      return renderExpr(spec.condition, input);
    case 'project':
      return spec.exprs
        .map((e, i) => {
          const text = renderExpr(e, input);
          const name = op.output.fields[i]?.name;
          return name === undefined || name === text ? text : `${text} AS ${name}`;
        })
        .join(', ');
    case 'window_assign':
      return describeWindow(spec.window);
    case 'group_aggregate':
      return describeAggregation(spec.keys, spec.aggregates, input);
    case 'window_aggregate':
      return `${describeWindow(spec.window)} ${describeAggregation(spec.keys, spec.aggregates, input)}`;
    case 'join': {
      const unique = spec.uniqueInputs === undefined ? '' : ` (${spec.uniqueInputs.map((input) => (input === 0 ? 'left' : 'right')).join(' and ')} unique by key)`;
      return `${spec.joinType}${unique} ${describeJoinKeys(op, spec.leftKeys, spec.rightKeys, spec.residual)}`;
    }
    case 'interval_join': {
      const leftTime = input[spec.leftTimeIndex] ?? `$${spec.leftTimeIndex}`;
      const rightTime = names(op.inputs[1]?.fields)[spec.rightTimeIndex] ?? `$${spec.rightTimeIndex}`;
      const bounds = `${rightTime} BETWEEN ${leftTime}${offset(spec.lowerMs)} AND ${leftTime}${offset(spec.upperMs)}`;
      return `${spec.joinType} ${describeJoinKeys(op, spec.leftKeys, spec.rightKeys, spec.residual)}, ${bounds}`;
    }
    case 'window_join':
      return `${spec.joinType} ${describeWindow(spec.window)} ${describeJoinKeys(op, spec.leftKeys, spec.rightKeys, spec.residual)}`;
    case 'union':
      return `ALL of ${op.inputs.length} inputs`;
    case 'deduplicate':
      return `BY ${renderList(spec.keys, input)} KEEP ${spec.keep.toUpperCase()}`;
    case 'process': {
      const call = `${spec.function}(${renderList(spec.args, input)})`;
      return spec.keys === undefined ? call : `${call} PARTITION BY ${renderList(spec.keys, input)}`;
    }
  }
}

function describeKey(state: StateDescriptor): string {
  const key = state.keyType ?? [];
  if (key.length === 0) return 'global';
  const types = key.map((f) => typeToString(f.type));
  return `key ${types.length === 1 ? types[0] : `(${types.join(', ')})`}`;
}

/** `splits (operator list)`, `windows (keyed map, key BIGINT)`. */
export function describeState(state: StateDescriptor): string {
  if (state.scope === 'operator') {
    return `${state.name} (operator ${state.redistribution === 'union' ? 'union ' : ''}${state.kind})`;
  }
  return `${state.name} (keyed ${state.kind}, ${describeKey(state)})`;
}

/**
 * `forward`, `hash(auction)`; hash keys are rendered over the sending operator's output columns. A hash on no
 * key sends every row to one key group, which Flink calls the global partitioner.
 */
export function describeEdge(edge: Edge, from: Operator | undefined): string {
  if (edge.partitioning !== 'hash') return edge.partitioning;
  const keys = edge.keys ?? [];
  return keys.length === 0 ? 'global' : `hash(${renderList(keys, names(from?.output.fields))})`;
}

/** Which input of a two-input or union operator an edge feeds, or undefined for a single-input operator. */
export function describeInput(edge: Edge, to: Operator): string | undefined {
  if (to.inputs.length < 2) return undefined;
  const isJoin = to.spec.kind === 'join' || to.spec.kind === 'interval_join' || to.spec.kind === 'window_join';
  if (isJoin) return edge.toInput === 0 ? 'left' : 'right';
  return `input ${edge.toInput + 1}`;
}


/** The lines of an operator's box in a diagram: name, kind and uid, what it does, parallelism, state. */
export function operatorLabelLines(op: Operator): string[] {
  const detail = describeOperator(op);
  return [
    op.name,
    `${op.spec.kind} · ${op.uid === null ? 'no uid' : `uid ${op.uid}`}`,
    ...(op.name.includes(detail) ? [] : [detail]),
    `p=${op.parallelism}`,
    ...op.state.map((s) => `state: ${describeState(s)}`),
  ];
}

/** An edge's label in a diagram: partitioning and keys, and the input it feeds when that matters. */
export function edgeLabel(edge: Edge, from: Operator | undefined, to: Operator): string {
  const input = describeInput(edge, to);
  return input === undefined ? describeEdge(edge, from) : `${describeEdge(edge, from)} (${input})`;
}

import type { StateDescriptor } from '../../../compiler/graph/job-graph.js';
import { aggregatingState, listState, mapState, reducingState, valueState, type AggregateFunction } from '../../state/keyed-state.js';
import type { OperatorContext } from '../operator.js';
import type {
  ProcessAggregatingState,
  ProcessListState,
  ProcessMapState,
  ProcessReducingState,
  ProcessStateAccess,
  ProcessValueState,
} from './process-function.js';

type DeclaredKind = StateDescriptor['kind'];

/** The functions of a reducing or aggregating state, as the definition's `state` entry carries them. */
interface StateFunctions {
  readonly reduce?: (stored: unknown, added: unknown) => unknown;
  readonly aggregate?: AggregateFunction<unknown, unknown, unknown>;
}

/**
 * The declared states of a process step, by name, as handles created once at open: keyed state (scoped to the
 * current key by the operator) with PARTITION BY, operator list state without. A name the step does not
 * declare, or asked for as another kind, throws a message listing what is declared. `declarations` is the
 * definition's own `state`, for the functions of reducing and aggregating state (the graph has their shape only).
 */
export function createProcessState(ctx: OperatorContext, functionName: string, declarations: readonly unknown[] = []): ProcessStateAccess {
  const functions = new Map<string, StateFunctions>();
  for (const entry of declarations) {
    if (entry !== null && typeof entry === 'object' && 'name' in entry) functions.set(String(entry.name), entry as StateFunctions);
  }
  const handles = new Map<string, { readonly kind: DeclaredKind; readonly handle: unknown }>();
  for (const declared of ctx.operator.state) {
    handles.set(declared.name, { kind: declared.kind, handle: openHandle(ctx, declared, functions.get(declared.name) ?? {}, functionName) });
  }

  const lookup = (name: string, kind: DeclaredKind): unknown => {
    const found = handles.get(name);
    if (found !== undefined && found.kind === kind) return found.handle;
    const declared = [...handles].map(([n, h]) => `'${n}' (${h.kind})`).join(', ') || 'none';
    const problem = found === undefined ? `has no state '${name}'` : `declares state '${name}' as ${found.kind} state, not ${kind} state`;
    throw new Error(`process function '${functionName}' ${problem}: its declared states are ${declared}; declare every state in its definition's \`state\``);
  };

  return {
    value: <T>(name: string) => lookup(name, 'value') as ProcessValueState<T>,
    list: <T>(name: string) => lookup(name, 'list') as ProcessListState<T>,
    map: <K, V>(name: string) => lookup(name, 'map') as ProcessMapState<K, V>,
    reducing: <T>(name: string) => lookup(name, 'reducing') as ProcessReducingState<T>,
    aggregating: <IN, OUT>(name: string) => lookup(name, 'aggregating') as ProcessAggregatingState<IN, OUT>,
  };
}

function openHandle(ctx: OperatorContext, declared: StateDescriptor, functions: StateFunctions, functionName: string): unknown {
  if (declared.scope === 'operator') return ctx.getOperatorListState(declared.name);
  const missing = (what: string) =>
    new Error(`process function '${functionName}' declares ${declared.kind} state '${declared.name}' without ${what} in the definition given to Job.start`);
  switch (declared.kind) {
    case 'value':
      return ctx.getState(valueState(declared.name));
    case 'list':
      return ctx.getState(listState(declared.name));
    case 'map':
      return ctx.getState(mapState(declared.name));
    case 'reducing':
      if (typeof functions.reduce !== 'function') throw missing('reduce(stored, added)');
      return ctx.getState(reducingState(declared.name, functions.reduce));
    case 'aggregating':
      if (functions.aggregate === undefined) throw missing('aggregate: { createAccumulator, add, getResult }');
      return ctx.getState(aggregatingState(declared.name, functions.aggregate));
  }
}

import type { StateDescriptor } from '../../../compiler/graph/job-graph.js';
import { listState, mapState, valueState } from '../../state/keyed-state.js';
import type { OperatorContext } from '../operator.js';
import type { ProcessListState, ProcessMapState, ProcessStateAccess, ProcessValueState } from './process-function.js';

type DeclaredKind = 'value' | 'list' | 'map';

/**
 * The declared states of a process step, by name, as handles created once at open: keyed state (scoped to the
 * current key by the operator) with PARTITION BY, operator list state without. A name the step does not
 * declare, or asked for as another kind, throws a message listing what is declared.
 */
export function createProcessState(ctx: OperatorContext, functionName: string): ProcessStateAccess {
  const handles = new Map<string, { readonly kind: DeclaredKind; readonly handle: unknown }>();
  for (const declared of ctx.operator.state) handles.set(declared.name, { kind: declaredKind(declared), handle: openHandle(ctx, declared) });

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
  };
}

function declaredKind(declared: StateDescriptor): DeclaredKind {
  if (declared.kind === 'value' || declared.kind === 'list' || declared.kind === 'map') return declared.kind;
  throw new Error(`process state '${declared.name}' is declared as ${declared.kind} state; process functions declare value, list or map state`);
}

function openHandle(ctx: OperatorContext, declared: StateDescriptor): unknown {
  if (declared.scope === 'operator') return ctx.getOperatorListState(declared.name);
  switch (declaredKind(declared)) {
    case 'value':
      return ctx.getState(valueState(declared.name));
    case 'list':
      return ctx.getState(listState(declared.name));
    case 'map':
      return ctx.getState(mapState(declared.name));
  }
}

import type { StateDescriptor, StateTtlConfig } from '../../../compiler/graph/job-graph.js';
import {
  aggregatingState,
  listState,
  mapState,
  reducingState,
  valueState,
  type AggregateFunction,
  type ListState,
  type MapState,
  type ReducingState,
  type ScopedState,
  type ValueState,
} from '../../state/keyed-state.js';
import { StateTtl, stateTtlTimerPart } from '../../state/state-ttl.js';
import type { Timer } from '../../time/timer-service.js';
import type { OperatorContext } from '../operator.js';
import { ElementTtl, ExpiringListState, ExpiringMapState, forgetElementTimes } from './expiring-elements.js';
import { ExpiringAddingState, ExpiringState, ExpiringValueState } from './expiring-state.js';
import type {
  ProcessAggregatingState,
  ProcessListState,
  ProcessMapState,
  ProcessRawState,
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

/** A process step's declared state: the handles the function sees, and the cleanup of those with a TTL. */
export interface ProcessState {
  readonly access: ProcessStateAccess;
  /** Handles a timer of state TTL (`isStateTtlTimer`), the current key set to the timer's. */
  onTtlTimer(timer: Timer): void;
}

/**
 * The declared states of a process step, by name, as handles created once at open: keyed state (scoped to the
 * current key by the operator) with PARTITION BY, operator list state without, raw state either way. Keyed state
 * with a `ttl` is behind ExpiringState, list and map state behind their per-element TTL (expiring-elements.ts). A
 * name the step does not declare, or asked for as another kind, throws a message listing what is declared.
 * `declarations` is the definition's own `state`, for the functions of reducing and aggregating state (the graph
 * has their shape only).
 */
export function createProcessState(ctx: OperatorContext, functionName: string, declarations: readonly unknown[] = []): ProcessState {
  const functions = new Map<string, StateFunctions>();
  for (const entry of declarations) {
    if (entry !== null && typeof entry === 'object' && 'name' in entry) functions.set(String(entry.name), entry as StateFunctions);
  }
  const handles = new Map<string, { readonly kind: DeclaredKind; readonly handle: unknown }>();
  const cleanups = new Map<string, (timer: Timer) => void>();
  const noTtl = new StateTtl(ctx, 0, []);
  for (const declared of ctx.operator.state) {
    let handle = openHandle(ctx, declared, functions.get(declared.name) ?? {}, functionName);
    if (declared.ttl !== undefined && declared.scope === 'keyed') {
      const expiring = withTtl(ctx, declared.name, declared.kind, declared.ttl, handle);
      cleanups.set(declared.name, expiring.onTimer);
      handle = expiring.handle;
    }
    handles.set(declared.name, { kind: declared.kind, handle });
  }

  const lookup = (name: string, kind: DeclaredKind): unknown => {
    const found = handles.get(name);
    if (found !== undefined && found.kind === kind) return found.handle;
    const declared = [...handles].map(([n, h]) => `'${n}' (${h.kind})`).join(', ') || 'none';
    const problem = found === undefined ? `has no state '${name}'` : `declares state '${name}' as ${found.kind} state, not ${kind} state`;
    throw new Error(`process function '${functionName}' ${problem}: its declared states are ${declared}; declare every state in its definition's \`state\``);
  };

  const access: ProcessStateAccess = {
    value: <T>(name: string) => lookup(name, 'value') as ProcessValueState<T>,
    list: <T>(name: string) => lookup(name, 'list') as ProcessListState<T>,
    map: <K, V>(name: string) => lookup(name, 'map') as ProcessMapState<K, V>,
    reducing: <T>(name: string) => lookup(name, 'reducing') as ProcessReducingState<T>,
    aggregating: <IN, OUT>(name: string) => lookup(name, 'aggregating') as ProcessAggregatingState<IN, OUT>,
    raw: (name: string) => lookup(name, 'raw') as ProcessRawState,
  };
  return {
    access,
    onTtlTimer(timer) {
      const name = stateTtlTimerPart(timer);
      const cleanup = cleanups.get(name);
      if (cleanup !== undefined) return cleanup(timer);
      // A timer of a state that no longer has a TTL (or no longer exists) only drops its write times.
      noTtl.onTimer(timer);
      forgetElementTimes(ctx, name);
    },
  };
}

/** A keyed state's handle behind its TTL, and its cleanup timers' handler. */
function withTtl(ctx: OperatorContext, name: string, kind: DeclaredKind, config: StateTtlConfig, handle: unknown): { handle: unknown; onTimer: (timer: Timer) => void } {
  if (kind === 'list' || kind === 'map') {
    const ttl = new ElementTtl(ctx, name, config);
    const state = kind === 'list' ? new ExpiringListState(handle as ListState<unknown>, ttl) : new ExpiringMapState(handle as MapState<unknown, unknown>, ttl);
    return { handle: state, onTimer: (timer) => state.onTimer(timer) };
  }
  const state = new ExpiringState(ctx, name, config, handle as ScopedState);
  const onTimer = (timer: Timer) => state.ttl.onTimer(timer);
  if (kind === 'value') return { handle: new ExpiringValueState(handle as ValueState<unknown>, state), onTimer };
  return { handle: new ExpiringAddingState(handle as ReducingState<unknown>, state), onTimer };
}

function openHandle(ctx: OperatorContext, declared: StateDescriptor, functions: StateFunctions, functionName: string): unknown {
  if (declared.kind === 'raw') return ctx.getRawState(declared.name);
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

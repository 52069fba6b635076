import os from 'node:os';
import type { Chain, JobGraph, Operator } from '../../compiler/graph/job-graph.js';

/** Why a chain runs on the main thread although the job runs in worker threads: it calls into the Node program. */
export type MainThreadReason =
  | { readonly kind: 'fed-source'; readonly uid: string }
  | { readonly kind: 'callback-sink'; readonly uid: string }
  | { readonly kind: 'console'; readonly uid: string }
  | { readonly kind: 'closure'; readonly function: string };

/** What of the Node program a job is given decides which chains must stay with it on the main thread. */
export interface PlacementInputs {
  /** Uids of sources fed from iterables (`Job.start`'s `sources`). */
  readonly fedSources: ReadonlySet<string>;
  /** Uids of sinks read through callbacks (`Job.start`'s `sinks`). */
  readonly callbackSinks: ReadonlySet<string>;
  /** Scalar UDFs and process functions a worker can import by module specifier; every other one is a closure. */
  readonly importableFunctions: ReadonlySet<string>;
}

/** `SlotPlan.slotOf` for a subtask that runs on the main thread. */
export const MAIN_THREAD = -1;

/**
 * Where each subtask runs (Flink's slot sharing): with `slots` worker threads, slot i runs subtask i (modulo
 * `slots`) of every chain, so steps of equal parallelism keep a record in one thread except at network exchanges.
 * Chains that call into the Node program stay on the main thread. No slots: the whole job runs in-process.
 */
export class SlotPlan {
  constructor(
    readonly slots: number,
    /** By chain id. */
    readonly mainThreadChains: ReadonlyMap<string, MainThreadReason>,
  ) {}

  /** The slot that runs `subtask` of `chain`, or MAIN_THREAD. */
  slotOf(chain: Chain, subtask: number): number {
    if (this.slots === 0 || this.mainThreadChains.has(chain.id)) return MAIN_THREAD;
    return subtask % this.slots;
  }
}

/**
 * The plan for `graph`: min(parallelism, `cap`) slots, where `cap` is `taskmanager.numberOfTaskSlots` or the CPUs
 * the process may use. A job whose chains all have parallelism 1 (or all must stay on the main thread) gets none.
 */
export function planSlots(graph: JobGraph, inputs: PlacementInputs, cap: number = graph.config.taskSlots ?? os.availableParallelism()): SlotPlan {
  const operators = new Map(graph.operators.map((op) => [op.id, op]));
  const mainThreadChains = new Map<string, MainThreadReason>();
  for (const chain of graph.chains) {
    for (const id of chain.operators) {
      const reason = mainThreadReason(operators.get(id)!, inputs);
      if (reason !== undefined) {
        mainThreadChains.set(chain.id, reason);
        break;
      }
    }
  }
  const parallelism = Math.max(0, ...graph.chains.filter((c) => !mainThreadChains.has(c.id)).map((c) => c.parallelism));
  const slots = parallelism <= 1 && graph.chains.every((c) => c.parallelism === 1) ? 0 : Math.min(parallelism, cap);
  return new SlotPlan(slots, mainThreadChains);
}

function mainThreadReason(operator: Operator, inputs: PlacementInputs): MainThreadReason | undefined {
  const { spec, uid } = operator;
  if (spec.kind === 'source' && uid !== null && inputs.fedSources.has(uid)) return { kind: 'fed-source', uid };
  if (spec.kind === 'sink' && uid !== null && inputs.callbackSinks.has(uid)) return { kind: 'callback-sink', uid };
  // The console belongs to the main thread (the CLI's status line, a Node program's sinkEnvironment).
  if (spec.kind === 'sink' && spec.connector === 'print') return { kind: 'console', uid: uid ?? operator.id };
  const closure = calledFunctions(spec).find((name) => !inputs.importableFunctions.has(name));
  return closure === undefined ? undefined : { kind: 'closure', function: closure };
}

/** Names of the scalar UDFs (`{ op: 'udf' }` expressions) and the process function a spec calls. */
export function calledFunctions(spec: Operator['spec']): string[] {
  const names: string[] = spec.kind === 'process' ? [spec.function] : [];
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) for (const item of value) visit(item);
    else if (value !== null && typeof value === 'object') {
      const node = value as Record<string, unknown>;
      if (node['op'] === 'udf' && typeof node['name'] === 'string') names.push(node['name']);
      for (const child of Object.values(node)) visit(child);
    }
  };
  visit(spec);
  return names;
}

/** Says why a chain stays on the main thread, for `compile`'s summary and the job's start-up notes. */
export function describeMainThreadReason(reason: MainThreadReason): string {
  switch (reason.kind) {
    case 'fed-source':
      return `source '${reason.uid}' is fed from an iterable of the Node program`;
    case 'callback-sink':
      return `sink '${reason.uid}' calls back into the Node program`;
    case 'console':
      return `sink '${reason.uid}' prints to the console`;
    case 'closure':
      return `it calls function '${reason.function}', given as a value rather than a module`;
  }
}

/**
 * The summary line of a plan (`sluice compile` with worker threads on): how many slots, and which chains stay on
 * the main thread and why, each named by its head operator.
 */
export function describeSlotPlan(graph: JobGraph, plan: SlotPlan): string {
  if (plan.slots === 0) return 'threads: every subtask on the main thread (parallelism 1, or every chain calls into the program)';
  const main = graph.chains
    .filter((chain) => plan.mainThreadChains.has(chain.id))
    .map((chain) => `[${chain.operators[0]}] (${describeMainThreadReason(plan.mainThreadChains.get(chain.id)!)})`);
  const slots = `threads: ${plan.slots} worker thread${plan.slots === 1 ? '' : 's'} (slots)`;
  return main.length === 0 ? slots : `${slots}; on the main thread: ${main.join(', ')}`;
}


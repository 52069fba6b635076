import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker, type ResourceLimits } from 'node:worker_threads';
import type { Chain, JobGraph } from '../../compiler/graph/job-graph.js';
import { Diagnostics } from '../../compiler/diagnostics/catalogue.js';
import type { CoordinatorPort, TaskGateway, TriggerOptions } from '../checkpoint/checkpoint-messages.js';
import type { CheckpointStorage } from '../checkpoint/storage/checkpoint-storage.js';
import type { KeyedStateChains } from '../checkpoint/storage/keyed-state-chains.js';
import { DiagnosticError } from '../diagnostic-error.js';
import type { JobWarning } from '../execution/job-events.js';
import type { TaskMetricsSnapshot } from '../execution/task-metrics.js';
import type { KeyedStateSnapshot } from '../state/keyed-state-backend.js';
import { keyedStateFromText } from '../state/snapshot-format.js';
import { reviveFailure } from './failure-transfer.js';
import type { FromWorker, GatewayCall, SlotInit, SlotPreload, ToWorker } from './worker-protocol.js';
import type { SlotPlan } from './slot-plan.js';
import { workerEntryUrl } from './source-bundle.js';

/** How long a cancelled worker may take to stop its tasks before its thread is terminated. */
const STOP_GRACE_MS = 10_000;
/** How often the main thread looks at when it last heard from a worker, at most (heartbeat.timeout / 4 below). */
const WATCHDOG_MS = 1_000;

/** What a slot worker reports to, on the main thread. */
export interface SlotWorkerHost {
  readonly graph: JobGraph;
  /** Absent without checkpointing. */
  readonly coordinator: CoordinatorPort | undefined;
  /** The storage checkpoints go to, for a worker whose tasks write through the main thread (WorkerStorage `main`). */
  readonly storage: CheckpointStorage | undefined;
  readonly warn: (warning: JobWarning) => void;
  readonly resourceLimits?: ResourceLimits;
}

/**
 * The main thread's handle on one slot's worker thread (worker-entry.ts): proxies of its tasks' gateways for the
 * checkpoint coordinator, its latest task metrics, and `ended`, which rejects with the first task failure, or
 * with SLC9260/SLC9261 when the thread dies (`process.exit` in user code, out of memory).
 */
export class SlotWorker {
  readonly gateways: readonly TaskGateway[];
  readonly ended: Promise<void>;
  private readonly worker: Worker;
  private latest: readonly TaskMetricsSnapshot[];
  private nextRequest = 0;
  private readonly requests = new Map<number, () => void>();
  private finished = false;
  /** Set by `stop()`: the thread ending now is what was asked for, not a failure. */
  private stopping = false;
  /** When the worker last sent anything (it sends at least a heartbeat four times a second); undefined before its first message. */
  private lastHeard: number | undefined;
  private watchdog: NodeJS.Timeout | undefined;

  /**
   * Starts the slot's thread, or adopts `started`, one Job.start started for this slot before the attempt was built
   * (what it sent or did meanwhile is handled now, in order); either way the slot's init is its first message.
   */
  constructor(
    readonly init: SlotInit,
    private readonly host: SlotWorkerHost,
    started?: StartedSlotThread,
  ) {
    const thread =
      started ?? new StartedSlotThread({ slot: init.slot, tasks: init.tasks, functionModules: init.functionModules, connectors: slotConnectors(host.graph, init.tasks) }, host.resourceLimits);
    const { worker, early } = thread.adopt();
    this.worker = worker;
    this.worker.postMessage({ type: 'init', init } satisfies ToWorker);
    this.latest = [];
    const heads = new Map(host.graph.chains.map((c) => [c.id, host.graph.operators.find((op) => op.id === c.operators[0])!.spec.kind === 'source']));
    this.gateways =
      init.checkpointing === undefined
        ? []
        : init.tasks.map((name) => this.gatewayOf(name, heads.get(name.slice(0, name.lastIndexOf('[')))!));
    this.ended = new Promise<void>((resolve, reject) => {
      const end = (error: unknown): void => {
        if (this.finished) return;
        this.finished = true;
        clearInterval(this.watchdog);
        for (const answer of this.requests.values()) answer();
        this.requests.clear();
        if (error === undefined) resolve();
        else reject(error);
      };
      this.worker.on('message', (message: FromWorker) => {
        this.lastHeard = Date.now();
        if (message.type === 'ended') {
          this.latest = message.metrics;
          end(message.failure === undefined ? undefined : reviveFailure(message.failure, host.graph));
        } else this.receive(message);
      });
      this.worker.on('error', (error: Error & { code?: string }) => {
        const tasks = init.tasks.join(', ');
        end(
          error.code === 'ERR_WORKER_OUT_OF_MEMORY'
            ? new DiagnosticError(Diagnostics.WorkerOutOfMemory, { slot: String(init.slot), tasks })
            : new DiagnosticError(Diagnostics.WorkerCrashed, { slot: String(init.slot), tasks, reason: error.message }),
        );
      });
      this.worker.on('exit', (code) => {
        if (this.stopping) end(undefined);
        else end(new DiagnosticError(Diagnostics.WorkerExited, { slot: String(init.slot), tasks: init.tasks.join(', '), code: String(code) }));
      });
      this.watchdog = this.watch(host.graph.config.heartbeatTimeoutMs, (silentMs, timeoutMs) => {
        end(new DiagnosticError(Diagnostics.WorkerHung, { slot: String(init.slot), tasks: init.tasks.join(', '), silentMs: String(silentMs), timeoutMs: String(timeoutMs) }));
        void this.terminate();
      });
      for (const { event, value } of early) this.worker.emit(event, value);
    });
    // `ended` is awaited by the attempt; a rejection before that must not count as unhandled.
    this.ended.catch(() => undefined);
  }

  /**
   * Calls `hung` once the worker, having sent its first message, sends nothing for `timeoutMs` (a function that never
   * returns blocks its thread, heartbeats included). A watchdog turn that comes late means this thread was blocked
   * itself, the worker's messages possibly waiting in its queue: the silence is counted anew from then.
   */
  private watch(timeoutMs: number, hung: (silentMs: number, timeoutMs: number) => void): NodeJS.Timeout {
    const every = Math.max(10, Math.min(WATCHDOG_MS, timeoutMs / 4));
    let lastTurn = Date.now();
    const watchdog = setInterval(() => {
      const now = Date.now();
      if (now - lastTurn > 2 * every && this.lastHeard !== undefined) this.lastHeard = now;
      lastTurn = now;
      if (this.lastHeard !== undefined && now - this.lastHeard > timeoutMs) hung(now - this.lastHeard, timeoutMs);
    }, every);
    watchdog.unref();
    return watchdog;
  }

  private gatewayOf(name: string, isSource: boolean): TaskGateway {
    const call = (message: GatewayCall): void => this.post({ type: 'gateway', task: name, ...message });
    return {
      name,
      isSource,
      trigger: (checkpointId: number, timestamp: number, options?: TriggerOptions) => call({ call: 'trigger', checkpointId, timestamp, options }),
      drain: () => call({ call: 'drain' }),
      notifyComplete: (checkpointId: number) => call({ call: 'notifyComplete', checkpointId }),
      notifyAborted: (checkpointId: number) => call({ call: 'notifyAborted', checkpointId }),
      release: () => call({ call: 'release' }),
    };
  }

  private receive(message: Exclude<FromWorker, { type: 'ended' }>): void {
    const { coordinator, storage } = this.host;
    switch (message.type) {
      case 'started':
      case 'alive':
        return;
      case 'acknowledge':
        coordinator?.acknowledge(message.ack);
        return;
      case 'decline':
        coordinator?.decline(message.task, message.checkpointId, message.reason, message.isFailure);
        return;
      case 'task-finished':
        coordinator?.taskFinished(message.task);
        return;
      case 'warning':
        this.host.warn(message.warning);
        return;
      case 'metrics':
        this.latest = message.tasks;
        return;
      case 'barrier-reply': {
        const answer = this.requests.get(message.id);
        this.requests.delete(message.id);
        answer?.();
        return;
      }
      case 'write-state': {
        const writing =
          message.what === 'raw'
            ? storage!.writeRawState(message.checkpointId, message.name, message.bytes)
            : message.what === 'keyed'
              ? storage!.writeKeyedState(message.checkpointId, message.name, snapshotOf(message.text))
              : storage!.writeChannelState(message.checkpointId, message.name, message.text.split('\n'));
        writing.then(
          (result) => this.post({ type: 'state-written', id: message.id, result, error: undefined }),
          (error: unknown) => this.post({ type: 'state-written', id: message.id, result: undefined, error: error instanceof Error ? error.message : String(error) }),
        );
        return;
      }
      case 'record-chain':
        void recordChain(storage!.chains!, message).then((answer) => this.post(answer));
        return;
      case 'discard':
        void storage?.discard(message.checkpointId, message.files).catch(() => undefined);
        return;
    }
  }

  private post(message: ToWorker): void {
    if (!this.finished) this.worker.postMessage(message);
  }

  /** The latest metrics the worker reported of its tasks (final once `ended` settled). */
  metrics(): readonly TaskMetricsSnapshot[] {
    return this.latest;
  }

  routeSavepoint(checkpointId: number, dir: string): void {
    this.post({ type: 'route-savepoint', checkpointId, dir });
  }

  unrouteSavepoint(checkpointId: number): void {
    this.post({ type: 'unroute-savepoint', checkpointId });
  }

  /** Resolves once the worker's running tasks served their mail (`mail`) or its state writes ended (`settled`); at once when it ended. */
  request(what: 'mail' | 'settled'): Promise<void> {
    if (this.finished) return Promise.resolve();
    const id = this.nextRequest++;
    return new Promise<void>((resolve) => {
      this.requests.set(id, resolve);
      this.post({ type: 'barrier-request', id, what });
    });
  }

  /**
   * Cancels the worker's tasks; it ends on its own once they stopped (`ended` resolves), or is terminated after
   * STOP_GRACE_MS (a function that never returns).
   */
  stop(): void {
    if (this.finished || this.stopping) return;
    this.stopping = true;
    this.post({ type: 'cancel' });
    setTimeout(() => void this.terminate(), STOP_GRACE_MS).unref();
  }

  /** Ends the thread at once (a worker that stopped answering, or one left after its tasks ended). */
  async terminate(): Promise<void> {
    await this.worker.terminate();
  }
}

/**
 * A slot's worker thread started before the SlotWorker that will run it exists (Job.start starts the slots' threads
 * first, so that their start overlaps the main thread's preparation of the job): it loads what its SlotPreload
 * names and waits for its init. What the thread sends or does until `adopt` (heartbeats, an error, its exit) is kept
 * and handed to the adopter, which replays it once it listens.
 */
export class StartedSlotThread {
  private readonly worker: Worker;
  private early: { readonly event: 'message' | 'error' | 'exit'; readonly value: unknown }[] | undefined = [];
  private readonly keep = {
    message: (value: unknown) => this.early?.push({ event: 'message', value }),
    error: (value: unknown) => this.early?.push({ event: 'error', value }),
    exit: (value: unknown) => this.early?.push({ event: 'exit', value }),
  };

  constructor(
    readonly preload: SlotPreload,
    resourceLimits?: ResourceLimits,
  ) {
    this.worker = new Worker(workerEntry(preload.functionModules), {
      eval: true,
      workerData: preload,
      ...(resourceLimits === undefined ? {} : { resourceLimits }),
    });
    for (const event of ['message', 'error', 'exit'] as const) this.worker.on(event, this.keep[event]);
  }

  /** The thread and what it sent or did so far, for the one SlotWorker that runs it; it stops keeping events. */
  adopt(): { readonly worker: Worker; readonly early: readonly { readonly event: 'message' | 'error' | 'exit'; readonly value: unknown }[] } {
    const early = this.early;
    if (early === undefined) throw new Error(`the thread of slot ${this.preload.slot} was adopted twice`);
    this.early = undefined;
    for (const event of ['message', 'error', 'exit'] as const) this.worker.off(event, this.keep[event]);
    return { worker: this.worker, early };
  }

  /** Ends a thread nobody adopted (the job failed to start). */
  async terminate(): Promise<void> {
    await this.worker.terminate();
  }
}

/** The threads Job.start started for the slots of its first attempt, each adopted once (`take`), the rest terminated. */
export class StartedSlotThreads {
  private readonly threads: Map<number, StartedSlotThread>;

  private constructor(threads: readonly StartedSlotThread[]) {
    this.threads = new Map(threads.map((thread) => [thread.preload.slot, thread]));
  }

  /** Starts a thread for every slot of `plan`. */
  static start(graph: JobGraph, plan: SlotPlan, functionModules: readonly string[]): StartedSlotThreads {
    const threads: StartedSlotThread[] = [];
    try {
      for (let slot = 0; slot < plan.slots; slot++) {
        const tasks = slotSubtasks(graph, plan, slot).map(({ chain, subtask }) => `${chain.id}[${subtask}]`);
        threads.push(new StartedSlotThread({ slot, tasks, functionModules, connectors: slotConnectors(graph, tasks) }));
      }
    } catch (error) {
      for (const thread of threads) void thread.terminate();
      throw error;
    }
    return new StartedSlotThreads(threads);
  }

  /** The thread started for `slot` if it was not taken yet and runs `tasks` (a plan of the same job), else undefined. */
  take(slot: number, tasks: readonly string[]): StartedSlotThread | undefined {
    const thread = this.threads.get(slot);
    if (thread === undefined || thread.preload.tasks.join() !== tasks.join()) return undefined;
    this.threads.delete(slot);
    return thread;
  }

  /** Ends the threads not taken. */
  terminate(): void {
    for (const thread of this.threads.values()) void thread.terminate();
    this.threads.clear();
  }
}

/** The subtasks `plan` puts in `slot`, chain by chain. */
export function slotSubtasks(graph: JobGraph, plan: SlotPlan, slot: number): { readonly chain: Chain; readonly subtask: number }[] {
  return graph.chains.flatMap((chain) =>
    Array.from({ length: chain.parallelism }, (_, subtask) => ({ chain, subtask })).filter(({ chain, subtask }) => plan.slotOf(chain, subtask) === slot),
  );
}

/**
 * The connectors a worker running `tasks` loads (ConnectorRuntimes.load, without their start-up checks: the job ran
 * them once on the main thread before starting it; run again in each worker, a check would meet the job's own
 * subtasks: postgres-cdc's finds the slot leased by the subtask that reads it and fails the worker, SLC9204, whenever
 * that subtask opened first): those of the source and sink operators of its chains, and of any without a uid.
 */
export function slotConnectors(graph: JobGraph, tasks: readonly string[]): string[] {
  const here = new Set(tasks.map((task) => task.slice(0, task.lastIndexOf('['))));
  const skipped = new Set(
    graph.chains
      .filter((chain) => !here.has(chain.id))
      .flatMap((chain) => chain.operators)
      .map((id) => graph.operators.find((op) => op.id === id)!.uid)
      .filter((uid): uid is string => uid !== null),
  );
  const names = graph.operators
    .filter((op) => (op.spec.kind === 'source' || op.spec.kind === 'sink') && (op.uid === null || !skipped.has(op.uid)))
    .map((op) => (op.spec as { readonly connector: string }).connector);
  return [...new Set(names)];
}

/**
 * The main thread's answer to a worker's `record-chain`: the worker wrote the files, `chains` only references them
 * and keeps the owner's chain (worker-storage.ts).
 */
export async function recordChain(chains: KeyedStateChains, message: Extract<FromWorker, { type: 'record-chain' }>): Promise<Extract<ToWorker, { type: 'chain-written' }>> {
  try {
    const result =
      message.after === undefined
        ? await chains.recordBase(message.checkpointId, message.owner, message.files, message.maxParallelism)
        : await chains.recordChanges(message.checkpointId, message.owner, message.files[0]!, message.after);
    return { type: 'chain-written', id: message.id, result, needsBase: chains.needsBase(message.owner), error: undefined };
  } catch (error) {
    return { type: 'chain-written', id: message.id, result: undefined, needsBase: true, error: error instanceof Error ? error.message : String(error) };
  }
}

/** A keyed snapshot from the canonical lines a worker sent (worker-storage.ts). */
function snapshotOf(text: string): KeyedStateSnapshot {
  const parsed = keyedStateFromText(text);
  return {
    keyGroupRange: parsed.header.keyGroupRange,
    maxParallelism: parsed.header.maxParallelism,
    layouts: new Map(Object.entries(parsed.header.states)),
    entries: () => parsed.entries,
    release: () => undefined,
  };
}

/**
 * The code that starts a worker: it imports the build's bundle of the entry (dist/worker/sluice-worker.js); running
 * from TypeScript sources (vitest, tsx), a bundle of the entry made from them (source-bundle.ts), after registering
 * tsx's loader in the worker only when a functions module is TypeScript itself (the main thread's loader does not
 * reach a worker).
 */
function workerEntry(functionModules: readonly string[]): string {
  const here = import.meta.url;
  const entry = JSON.stringify(workerEntryUrl(here, 'worker-entry', 'sluice-worker.js'));
  if (!here.endsWith('.ts') || !functionModules.some((m) => /\.[cm]?ts$/.test(m))) return `import(${entry});`;
  // tsx's ES-module API (its `import` condition; require.resolve would give the CommonJS one).
  const tsx = new URL('dist/esm/api/index.mjs', pathToFileURL(createRequire(here).resolve('tsx/package.json'))).href;
  return `import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${entry}); });`;
}

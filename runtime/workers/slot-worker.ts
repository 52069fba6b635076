import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker, type ResourceLimits } from 'node:worker_threads';
import type { JobGraph } from '../../compiler/graph/job-graph.js';
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
import type { FromWorker, GatewayCall, SlotInit, ToWorker } from './worker-protocol.js';
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

  constructor(
    readonly init: SlotInit,
    private readonly host: SlotWorkerHost,
  ) {
    this.worker = new Worker(workerEntry(init.functionModules), {
      eval: true,
      workerData: init,
      ...(host.resourceLimits === undefined ? {} : { resourceLimits: host.resourceLimits }),
    });
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

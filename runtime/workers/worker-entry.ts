import { parentPort, workerData } from 'node:worker_threads';
import { ConnectorRuntimes } from '../../connectors/runtime-registry.js';
import type { CoordinatorPort } from '../checkpoint/checkpoint-messages.js';
import { SavepointRouting, SavepointStorage } from '../checkpoint/savepoint-storage.js';
import type { CheckpointStorage } from '../checkpoint/storage/checkpoint-storage.js';
import { buildTasks } from '../execution/build-tasks.js';
import type { AttemptResources } from '../execution/execution-attempt.js';
import { TaskSet } from '../execution/task-set.js';
import type { UdfImplementation } from '../expressions/compile-expr.js';
import { WatermarkAlignmentCoordinator } from '../time/alignment-coordinator.js';
import type { AlignmentLink } from '../time/alignment-messages.js';
import { AlignmentTable } from '../time/alignment-table.js';
import { systemClock } from '../time/clock.js';
import { RoutedChannelEnds } from './channel-routes.js';
import { parseInFlightLines } from '../checkpoint/channel-state.js';
import { serializeFailure } from './failure-transfer.js';
import { MainThreadRequests, MainThreadStorage, WorkerFileStorage } from './worker-storage.js';
import type { FromWorker, SlotInit, SlotPreload, ToWorker } from './worker-protocol.js';

/**
 * How often a worker reports its tasks' metrics (the main thread's status line reads about once a second); before
 * its tasks run, a bare heartbeat. Either tells the main thread's watchdog that the thread is not hung (slot-worker.ts).
 */
const METRICS_INTERVAL_MS = 250;

/**
 * A slot's worker thread (slot-worker.ts starts it): loads what its tasks need (SlotPreload, its `workerData`), then
 * builds the tasks of its slot from the job graph (SlotInit, the first message) and runs them, talking to the main
 * thread only by messages (worker-protocol.ts) and to other threads' tasks through channels.
 */
const port = parentPort!;
const preload = workerData as SlotPreload;
const post = (message: FromWorker): void => port.postMessage(message);
let set: TaskSet | undefined;
const reporter = setInterval(() => post(set === undefined ? { type: 'alive' } : { type: 'metrics', tasks: set.metrics() }), METRICS_INTERVAL_MS);

// One listener from the start: `init` comes first; what follows it before the tasks are built waits in `early`.
let received: ((init: SlotInit) => void) | undefined;
const initMessage = new Promise<SlotInit>((resolve) => (received = resolve));
let serve: ((message: ToWorker) => void) | undefined;
const early: ToWorker[] = [];
port.on('message', (message: ToWorker) => {
  if (message.type === 'init') received!(message.init);
  else if (serve !== undefined) serve(message);
  else early.push(message);
});

const { udfs, processFunctions } = await importFunctions(preload.functionModules);
const connectors = await ConnectorRuntimes.load(preload.connectors);
const init = await initMessage;
const here = new Set(init.tasks);

const coordinator: CoordinatorPort = {
  acknowledge: (ack) => post({ type: 'acknowledge', ack }),
  decline: (task, checkpointId, reason, isFailure) => {
    // Once a task of the slot failed, the others' writes fail as they are stopped (their state is disposed): the
    // slot's failure, sent with `ended`, fails the attempt and so aborts the checkpoint. A decline sent first would
    // be taken for the attempt's cause (a failed checkpoint) instead of the task's failure.
    if (set?.failed !== true) post({ type: 'decline', task, checkpointId, reason, isFailure });
  },
  taskFinished: (task) => post({ type: 'task-finished', task }),
};
const requests = new MainThreadRequests(post);
const baseStorage: CheckpointStorage | undefined =
  init.checkpointing === undefined
    ? undefined
    : init.checkpointing.storage.kind === 'files'
      ? new WorkerFileStorage(init.checkpointing.storage.root, init.checkpointing.storage.backend, requests)
      : new MainThreadStorage(requests);
const storage = baseStorage === undefined ? undefined : new SavepointRouting(baseStorage);

const resources: AttemptResources = {
  graph: init.graph,
  jobId: init.jobId,
  clock: systemClock,
  udfs,
  sourceFeeds: new Map(),
  sinkCallbacks: new Map(),
  processFunctions,
  sinkEnvironment: {},
  connectors,
  batchSize: init.batchSize,
  channelCapacity: init.channelCapacity,
  // A slot's attempt routes its channels (RoutedChannelEnds): the one-thread capacity is the main thread's alone.
  oneThreadChannelCapacity: init.channelCapacity,
  lineage: init.lineage,
  warn: (warning) => post({ type: 'warning', warning }),
  checkpointing: init.checkpointing === undefined || storage === undefined ? undefined : { mode: init.checkpointing.mode, storage, coordinator },
};
/** Aligned sources of this slot report to and read their group's minimum from the attempt's shared table; without any, nothing connects. */
const alignment: AlignmentLink = init.alignment === undefined ? new WatermarkAlignmentCoordinator() : new AlignmentTable(init.alignment);
const replayed = init.replayed.map(({ lines, ...channel }) => ({ ...channel, batches: parseInFlightLines(lines.join('\n')) }));
const ends = new RoutedChannelEnds(init.graph, init.routes, init.channelCapacity, replayed);
try {
  const built = buildTasks(
    resources,
    { runId: init.runId, localStateDir: init.localStateDir, restore: (operator, subtask) => init.restore.get(`${operator.id}/${subtask}`) },
    ends,
    (chain, subtask) => here.has(`${chain.id}[${subtask}]`),
    alignment,
  );
  set = new TaskSet(built.tasks, built.checkpointers, ends);
} catch (error) {
  clearInterval(reporter);
  ends.close();
  post({ type: 'ended', failure: serializeFailure(error), metrics: [] });
  port.close();
  throw error;
}
const gateways = new Map(set.checkpointers.map((c) => [c.name, c]));

serve = (message: ToWorker): void => {
  switch (message.type) {
    case 'gateway': {
      const gateway = gateways.get(message.task)!;
      if (message.call === 'trigger') gateway.trigger(message.checkpointId, message.timestamp, message.options);
      else if (message.call === 'notifyComplete') gateway.notifyComplete(message.checkpointId);
      else if (message.call === 'notifyAborted') gateway.notifyAborted(message.checkpointId);
      else gateway[message.call]();
      return;
    }
    case 'route-savepoint':
      storage?.route(message.checkpointId, new SavepointStorage(message.dir));
      return;
    case 'unroute-savepoint':
      storage?.unroute(message.checkpointId);
      return;
    case 'barrier-request':
      void (message.what === 'mail' ? set.mailServed() : set.settled()).then(() => post({ type: 'barrier-reply', id: message.id }));
      return;
    case 'state-written':
    case 'chain-written':
      requests.answered(message);
      return;
    case 'cancel':
      set.stop();
      return;
  }
};
for (const message of early.splice(0)) serve(message);

let failure: unknown;
try {
  await set.run();
} catch (error) {
  failure = error;
}
clearInterval(reporter);
// Writes still in flight end (acknowledged or declined) before the main thread hears that the tasks ended.
await set.settled();
post({ type: 'ended', failure: failure === undefined ? undefined : serializeFailure(failure), metrics: set.metrics() });
port.close();

async function importFunctions(modules: readonly string[]): Promise<Pick<AttemptResources, 'udfs' | 'processFunctions'>> {
  const udfs = new Map<string, UdfImplementation>();
  const processFunctions = new Map<string, unknown>();
  for (const specifier of modules) {
    const exports = (await import(specifier)) as { functions?: readonly (UdfImplementation & { name: string })[]; processes?: readonly { name: string }[] };
    for (const udf of exports.functions ?? []) udfs.set(udf.name, udf);
    for (const definition of exports.processes ?? []) processFunctions.set(definition.name, definition);
  }
  return { udfs, processFunctions };
}

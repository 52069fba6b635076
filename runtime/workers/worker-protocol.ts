import type { JobGraph } from '../../compiler/graph/job-graph.js';
import type { Diagnostic } from '../../compiler/diagnostics/diagnostic.js';
import type { CheckpointingMode } from '../checkpoint/barrier-alignment.js';
import type { CheckpointAcknowledgement, TriggerOptions } from '../checkpoint/checkpoint-messages.js';
import type { StateFile } from '../checkpoint/metadata/metadata-v4.js';
import type { WrittenFile } from '../checkpoint/storage/checkpoint-storage.js';
import type { ChainWrite, WrittenStateFile } from '../checkpoint/storage/keyed-state-chains.js';
import type { JobWarning } from '../execution/job-events.js';
import type { OperatorSubtaskRestore } from '../execution/operator-host.js';
import type { TaskMetricsSnapshot } from '../execution/task-metrics.js';
import type { AlignmentTableDescriptor } from '../time/alignment-table.js';
import type { ChannelRoute } from './channel-routes.js';

/**
 * The messages between the main thread and a slot's worker thread (slot-worker.ts ↔ worker-entry.ts). All plain
 * data, structured-cloned by postMessage; none is sent per record or per batch (records go through channels).
 */

/** Where a worker's tasks write checkpoint state: their own file storage, or the main thread's (memory, injected). */
export type WorkerStorage =
  /** The worker writes the files; the main thread's chains record what it wrote (`record-chain`). */
  | { readonly kind: 'files'; readonly root: string; readonly backend: 'fs' | 'disk' }
  | { readonly kind: 'main' };

/**
 * What a slot's worker thread is started with (its `workerData`): enough to load what its tasks will need (the
 * functions modules and the connectors of its sources and sinks) while the main thread still prepares the job.
 * Job.start starts the threads before it takes locks, recovers checkpoints and builds the attempt, so that a
 * worker's start (Node's bootstrap of the thread, the bundle, those imports) overlaps that work; the rest of the slot
 * (SlotInit) follows as the first message, `init`.
 */
export interface SlotPreload {
  readonly slot: number;
  /** The tasks this slot will run: `<chain>[<subtask>]` (as in SlotInit; a functions module may read it). */
  readonly tasks: readonly string[];
  /** ES modules (file URLs) exporting `functions` and `processes`, imported in order (a later one wins). */
  readonly functionModules: readonly string[];
  /** Connector names of the sources and sinks of the slot's chains, imported before `init` is awaited. */
  readonly connectors: readonly string[];
}

/** Everything a worker needs to build its slot's tasks (the `init` message that follows its SlotPreload). */
export interface SlotInit {
  readonly slot: number;
  readonly slots: number;
  /** The tasks this slot runs: `<chain>[<subtask>]`. */
  readonly tasks: readonly string[];
  readonly graph: JobGraph;
  readonly jobId: string;
  readonly runId: string;
  readonly lineage: string;
  readonly localStateDir: string;
  readonly batchSize: number;
  readonly channelCapacity: number;
  /** `routes[edge index among network edges][from subtask][to subtask]`. */
  readonly routes: readonly (readonly (readonly (ChannelRoute | null)[])[])[];
  /**
   * An unaligned checkpoint's records in flight for the channels this slot reads (`edge`: index among network
   * edges), as channel-state lines: the value codec's JSON keeps every SQL value exact across threads.
   */
  readonly replayed: readonly { readonly edge: number; readonly from: number; readonly to: number; readonly lines: readonly string[] }[];
  /** ES modules (file URLs) exporting `functions` and `processes`, imported in order (a later one wins). */
  readonly functionModules: readonly string[];
  /** What each operator subtask of this slot restores, by `<operator id>/<subtask>`. */
  readonly restore: ReadonlyMap<string, OperatorSubtaskRestore>;
  readonly checkpointing: { readonly mode: CheckpointingMode; readonly storage: WorkerStorage } | undefined;
  /** The attempt's watermark alignment table (shared memory), when any source is in an alignment group. */
  readonly alignment: AlignmentTableDescriptor | undefined;
}

/** A failure inside a worker, as plain data: an OperatorFailure's parts, or any other error's message. */
export type SerializedFailure =
  | {
      readonly kind: 'operator';
      readonly operatorId: string;
      readonly subtask: number;
      readonly parallelism: number;
      readonly recordOrigin: string | undefined;
      readonly row: readonly unknown[] | undefined;
      readonly reason: string;
      readonly diagnostic: Diagnostic | undefined;
    }
  | { readonly kind: 'error'; readonly message: string; readonly diagnostic: Diagnostic | undefined };

export type GatewayCall =
  | { readonly call: 'trigger'; readonly checkpointId: number; readonly timestamp: number; readonly options: TriggerOptions | undefined }
  | { readonly call: 'drain' }
  | { readonly call: 'notifyComplete'; readonly checkpointId: number }
  | { readonly call: 'notifyAborted'; readonly checkpointId: number }
  | { readonly call: 'release' };

/** Main thread → worker. */
export type ToWorker =
  /** The slot to run: always the first message. */
  | { readonly type: 'init'; readonly init: SlotInit }
  | ({ readonly type: 'gateway'; readonly task: string } & GatewayCall)
  /** Checkpoint `checkpointId` is a savepoint written to `dir` (savepoint-storage.ts). */
  | { readonly type: 'route-savepoint'; readonly checkpointId: number; readonly dir: string }
  | { readonly type: 'unroute-savepoint'; readonly checkpointId: number }
  /** Answer with `served` once every running task ran the mail queued before this (`mailServed`), or `settled` (`settled`). */
  | { readonly type: 'barrier-request'; readonly id: number; readonly what: 'mail' | 'settled' }
  /** The answer to a `write-state`: what the storage's write returned, or why it failed. */
  | { readonly type: 'state-written'; readonly id: number; readonly result: readonly StateFile[] | WrittenFile | undefined; readonly error: string | undefined }
  /** The answer to a `record-chain`: what the chain's write returned and whether the owner's next snapshot must be a base, or why it failed. */
  | { readonly type: 'chain-written'; readonly id: number; readonly result: ChainWrite | undefined; readonly needsBase: boolean; readonly error: string | undefined }
  | { readonly type: 'cancel' };

/**
 * A state file a worker has the main thread's storage write: one operator subtask's keyed state (`keyed`: `name` is
 * its owner, `text` its canonical lines), records in flight (`channel`: `name` is the file's, `text` its lines) or
 * a raw state's bytes (`raw`: `name` is the file's).
 */
export type StateWrite = { readonly checkpointId: number; readonly name: string } & (
  | { readonly what: 'keyed' | 'channel'; readonly text: string }
  | { readonly what: 'raw'; readonly bytes: Uint8Array }
);

/**
 * A base (`after` undefined, `files` its file or `disk` parts) or a delta taken after checkpoint `after` (`files` its
 * one file) that a worker wrote into the checkpoint directory for owner `owner`'s chain (keyed-state-chains.ts, kept
 * by the main thread): handles only, never the state.
 */
export interface ChainRecord {
  readonly checkpointId: number;
  readonly owner: string;
  readonly files: readonly WrittenStateFile[];
  readonly after: number | undefined;
  readonly maxParallelism: number;
}

/** Worker → main thread. */
export type FromWorker =
  | { readonly type: 'started'; readonly tasks: readonly { readonly name: string; readonly isSource: boolean }[] }
  /** A sign of life while the worker starts (its metrics are one once its tasks run): slot-worker.ts's watchdog. */
  | { readonly type: 'alive' }
  | { readonly type: 'acknowledge'; readonly ack: CheckpointAcknowledgement }
  | { readonly type: 'decline'; readonly task: string; readonly checkpointId: number; readonly reason: string; readonly isFailure: boolean }
  | { readonly type: 'task-finished'; readonly task: string }
  | { readonly type: 'warning'; readonly warning: JobWarning }
  | { readonly type: 'metrics'; readonly tasks: readonly TaskMetricsSnapshot[] }
  | { readonly type: 'barrier-reply'; readonly id: number }
  /** Main-thread storage: write a state file. */
  | ({ readonly type: 'write-state'; readonly id: number } & StateWrite)
  /** Incremental checkpoints: record the files the worker wrote for owner `owner`'s chain (worker-storage.ts). */
  | ({ readonly type: 'record-chain'; readonly id: number } & ChainRecord)
  | { readonly type: 'discard'; readonly checkpointId: number; readonly files: readonly StateFile[] }
  /** Every task ended: `failure` when one failed (the others were cancelled). */
  | { readonly type: 'ended'; readonly failure: SerializedFailure | undefined; readonly metrics: readonly TaskMetricsSnapshot[] };

import type { Operator } from '../../compiler/graph/job-graph.js';
import type { SinkEnvironment } from '../connectors/sink-connector.js';
import type { UdfImplementation } from '../expressions/compile-expr.js';
import type { SinkTarget } from '../operators/callback-sink.js';
import type { SourceFeed } from '../operators/iterable-source.js';
import type { Clock } from '../time/clock.js';
import type { CheckpointMetrics } from '../checkpoint/checkpoint-stats.js';
import type { CheckpointStorage } from '../checkpoint/storage/checkpoint-storage.js';
import type { OperatorSubtaskRestore } from './operator-host.js';

export interface JobOptions {
  /** Scalar UDFs by name (functions, or their registered definitions). */
  readonly udfs?: ReadonlyMap<string, UdfImplementation> | Readonly<Record<string, UdfImplementation>>;
  /** Process functions by name, for PROCESS steps. */
  readonly processFunctions?: ReadonlyMap<string, unknown> | Readonly<Record<string, unknown>>;
  /**
   * ES modules (paths or file URLs) exporting `functions` (scalar UDFs) and `processes`, as `--functions` takes
   * them: in a job that runs in worker threads (docs/parallelism.md), every worker imports them, so the steps that
   * call their functions run in the workers. Functions given only as values (`udfs`, `processFunctions`) cannot
   * cross threads: the steps that call them run on the main thread.
   */
  readonly functionModules?: readonly string[];
  /** Feeds a source from an (async) iterable instead of its connector, by source uid. */
  readonly sources?: Readonly<Record<string, SourceFeed>>;
  /** Reads a sink through a callback instead of its connector, by sink uid: a function or `{ callback, maxInFlight }`. */
  readonly sinks?: Readonly<Record<string, SinkTarget>>;
  /** Processing time (timers, rates, throttling); the system clock by default. */
  readonly clock?: Clock;
  /** Rows per batch read from sources (default 1024). */
  readonly batchSize?: number;
  /**
   * Batches a channel holds before its producer waits: by default 2 when every task runs on the main thread (they
   * take turns anyway), 8 with slot workers; given, every channel holds this many.
   */
  readonly channelCapacity?: number;
  /** Where the disk backend keeps its databases (default: a fresh directory under the OS temp dir). */
  readonly localStateDir?: string;
  readonly jobId?: string;
  /** Console output of print sinks (tests). */
  readonly sinkEnvironment?: SinkEnvironment;
  /**
   * Restore from this checkpoint or savepoint: its directory (`…/chk-<n>`, `…/savepoint-…`) or its `_metadata`
   * file. State is matched to operators by uid; a refused restore rejects `Job.start` with a CheckpointRestoreError.
   */
  readonly restoreFrom?: string;
  /**
   * Restore from the latest completed checkpoint of this pipeline (by `pipeline.name`) in its checkpoint
   * directory, skipping corrupt ones; with none, start from scratch (`job.restoreInfo` and the `restored` event
   * say which). Ignored when `restoreFrom` is given.
   */
  readonly resume?: boolean;
  /**
   * With `resume`: restore the newest retained checkpoint or known savepoint completed at or before this time
   * instead (see `sluice checkpoints`); refused with a DiagnosticError (SLC9220) when none is that old.
   */
  readonly resumeBefore?: Date;
  /**
   * With `resume` or `restoreFrom`: when exactly-once file sinks hold output committed after the checkpoint restored
   * (or `resume` finds no usable checkpoint while they hold committed output), move those part files into
   * `<sink dir>/_rewound-after-chk-<n>-<time>/` and go on, instead of refusing (SLC9122, SLC9123). In-run restarts
   * that fall back past a damaged checkpoint rewind the same way.
   */
  readonly rewindSinks?: boolean;
  /** Drop checkpointed state whose operator uid is no longer in the job instead of refusing to restore. */
  readonly allowNonRestoredState?: boolean;
  /**
   * Where checkpoints go, instead of what the configuration implies (`memory` in the process; `fs`/`disk` under
   * `state.checkpoints.dir/<pipeline.name>/`). Tests hand one memory storage to several jobs, or inject a file system.
   */
  readonly checkpointStorage?: CheckpointStorage;
  /** Low level: state to start from per operator subtask, when neither `restoreFrom` nor `resume` is given. */
  readonly restore?: (operator: Operator, subtask: number) => OperatorSubtaskRestore | undefined;
}

export interface OperatorSubtaskMetrics {
  readonly subtask: number;
  readonly recordsIn: number;
  readonly recordsOut: number;
  readonly lateRowsDropped: number;
  /** null until the first watermark. */
  readonly watermark: number | null;
}

export interface OperatorMetricsReport {
  readonly id: string;
  readonly uid: string | null;
  readonly name: string;
  readonly kind: Operator['spec']['kind'];
  readonly parallelism: number;
  readonly recordsIn: number;
  readonly recordsOut: number;
  readonly lateRowsDropped: number;
  /** Sources: rows skipped as unparsable. */
  readonly parseErrorsSkipped: number;
  /**
   * A restored file source: the files new since the snapshot it started from, which this run reads (docs/connectors:
   * "available now"). Null for other sources and operators, and when the job was not restored.
   */
  readonly newSplits: number | null;
  /**
   * A source in a watermark alignment group: milliseconds its subtasks spent paused waiting for the group's
   * slowest source (summed over subtasks). Null for other operators.
   */
  readonly alignmentPausedMs: number | null;
  /** A source in a watermark alignment group: how many of its subtasks are paused now. */
  readonly alignmentPausedSubtasks: number;
  /** Since the previous `metrics()` call (or the start). */
  readonly recordsInPerSecond: number;
  readonly recordsOutPerSecond: number;
  /** The lowest watermark over subtasks; null until every subtask has one. */
  readonly watermark: number | null;
  readonly subtasks: readonly OperatorSubtaskMetrics[];
}

export interface TaskMetricsReport {
  readonly chain: string;
  readonly subtask: number;
  /** The slot whose worker thread runs the task (docs/parallelism.md), or null for the main thread. */
  readonly slot: number | null;
  /** Share of the time since the previous `metrics()` call spent waiting for room in output channels. */
  readonly backpressureRatio: number;
  /** Share of that time spent waiting for input. */
  readonly idleRatio: number;
}

export interface JobMetrics {
  readonly elapsedMs: number;
  readonly operators: readonly OperatorMetricsReport[];
  readonly tasks: readonly TaskMetricsReport[];
  /** With checkpointing: counts and the latest checkpoints' statistics. */
  readonly checkpoints?: CheckpointMetrics;
}

export interface JobResult {
  /** `stopped`: ended by `job.stop()`. */
  readonly status: 'finished' | 'cancelled' | 'stopped';
  /** The savepoint `job.stop({ savepoint })` took. */
  readonly savepointPath?: string;
  readonly durationMs: number;
  readonly metrics: JobMetrics;
}

/** What `job.cancel()` resolves with: the job's result, or, when it had failed, the error `done` rejected with. */
export type CancelResult = JobResult | FailedJobResult;

export interface FailedJobResult {
  readonly status: 'failed';
  /** What `done` rejected with (an OperatorFailure, usually). */
  readonly error: unknown;
  readonly durationMs: number;
  readonly metrics: JobMetrics;
}

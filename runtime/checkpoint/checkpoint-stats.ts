/** Statistics of one checkpoint, as job events and `job.metrics()` report them. Durations in milliseconds. */

export interface SubtaskCheckpointStats {
  /** The task (`<chain>[<subtask>]`) that snapshotted the operator. */
  readonly task: string;
  readonly operatorId: string;
  readonly uid: string | null;
  readonly subtask: number;
  /** Keyed state written. */
  readonly bytes: number;
  /** Keyed state the checkpoint lists for it (written now or shared with earlier ones): its state size. */
  readonly stateBytes: number;
  readonly alignmentMs: number;
  readonly syncMs: number;
  readonly asyncMs: number;
  /** The task took this checkpoint unaligned. */
  readonly unaligned: boolean;
  /** Bytes of records in flight the task wrote with it (unaligned checkpoints). */
  readonly inFlightBytes: number;
  /**
   * What went wrong with its keyed state in the background since its previous checkpoint, e.g. a failed merge of
   * its incremental chain (docs/checkpoints.md); each is also a job warning.
   */
  readonly problems: readonly string[];
}

export interface CheckpointStats {
  readonly checkpointId: number;
  readonly status: 'in-progress' | 'completed' | 'aborted';
  /** The checkpoint taken at the end of bounded input, which commits the rest of the output. */
  readonly final: boolean;
  /** Milliseconds since the epoch (the job's clock). */
  readonly triggeredAt: number;
  /** From the trigger to completion (or abort). */
  readonly durationMs: number;
  /** Keyed state this checkpoint wrote (incremental checkpoints: its deltas, or a new base). */
  readonly bytes: number;
  /** Keyed state this checkpoint lists, written by it or by the earlier ones it shares files with: what a restore reads. */
  readonly stateBytes: number;
  /** The longest over subtasks. */
  readonly alignmentMs: number;
  readonly syncMs: number;
  readonly asyncMs: number;
  /** Some task took its part unaligned (records in flight written with it, docs/checkpoints.md). */
  readonly unaligned: boolean;
  /** Bytes of records in flight the checkpoint holds (unaligned checkpoints). */
  readonly inFlightBytes: number;
  readonly acknowledgedTasks: number;
  readonly totalTasks: number;
  readonly subtasks: readonly SubtaskCheckpointStats[];
  /** Completed: where it is (a directory, or `memory:chk-<n>`). */
  readonly location?: string;
  /** Aborted: why. */
  readonly failure?: string;
}

/** Counts and the latest checkpoints, for `job.metrics()`. */
export interface CheckpointMetrics {
  readonly completed: number;
  readonly aborted: number;
  readonly inProgress: number;
  readonly latestCompleted: CheckpointStats | null;
  readonly latestAborted: CheckpointStats | null;
  /** The most recent checkpoints, newest first (a few). */
  readonly history: readonly CheckpointStats[];
}

import * as z from 'zod';

/**
 * The seam between sink connectors and the runtime's sink operator, in the two-phase-commit shape of Flink's
 * transactional sinks: rows are written into an open transaction (`write`, `flush`); at checkpoint barrier n,
 * `preCommit(n)` closes it and returns what is pending; the runtime stores those committables in the checkpoint
 * and, once checkpoint n is complete, calls `commit` with every committable of checkpoints <= n (so the pending
 * output of a checkpoint that was aborted is committed by the next one that completes). On restore it calls
 * `recover` with the committables of the restored checkpoint.
 */

/**
 * A change's kind, as a byte per row in `write`'s `kinds` (the values of Flink's RowKind). Append streams pass no
 * `kinds`, meaning all inserts.
 */
export const RowKind = { INSERT: 0, UPDATE_BEFORE: 1, UPDATE_AFTER: 2, DELETE: 3 } as const;
export type RowKind = (typeof RowKind)[keyof typeof RowKind];

/** How a row kind is written: the `op` field of upsert output and the prefix of printed rows. */
export const ROW_KIND_SHORT: readonly string[] = ['+I', '-U', '+U', '-D'];

/**
 * Output pre-committed at a barrier and not yet visible, JSON-able (stored in checkpoints, in the sink's
 * `pending-commits` operator state, so read back through a schema). Every sink's names the checkpoint whose
 * barrier closed it; the rest is the connector's own: the file sink's names a hidden pending file, a sink that
 * stages its output in the checkpoint carries the rows themselves. A writer with its own shape declares its
 * schema (`SinkWriter.committableSchema`) so that a restored checkpoint is checked before `recover` sees it.
 */
export const CommittableSchema = z.looseObject({
  /** The checkpoint whose barrier closed it. */
  checkpointId: z.number().int().min(1),
});
export type Committable = z.infer<typeof CommittableSchema>;

export interface SinkWriter<C extends Committable = Committable> {
  /** The shape of this writer's committables, when it has more than CommittableSchema's (checked on restore). */
  readonly committableSchema?: z.ZodType<C>;
  /** Flush after every batch rather than every few thousand rows: output read by people as it happens (print). */
  readonly flushEachBatch?: boolean;
  /** Buffers rows (in the sink schema's column order); no I/O. `kinds[i]` is the RowKind of `rows[i]`. */
  write(rows: readonly (readonly unknown[])[], kinds?: Uint8Array): void;
  /** Writes the buffered rows out (to the open in-progress file, the console, …) and rolls files when due. */
  flush(): Promise<void>;
  /** At barrier `checkpointId`: flushes, closes (fsyncs) the open output and returns what became pending since the previous call. */
  preCommit(checkpointId: number): Promise<C[]>;
  /** Makes committables visible. Idempotent: a committable already committed is skipped. */
  commit(committables: readonly C[]): Promise<void>;
  /** On failure or cancel: discards the open output that no checkpoint has claimed. */
  abort(): Promise<void>;
  /**
   * On restore, before any `write`: commits `committables` (those of the restored checkpoint) and deletes leftover
   * hidden output of earlier runs that no completed checkpoint can claim: in-progress files, and pending files of
   * checkpoints after `restoredCheckpointId` (when given).
   */
  recover(committables: readonly C[], restoredCheckpointId?: number): Promise<void>;
  /**
   * At the end of input without checkpointing: flushes and makes everything visible. (With checkpointing the
   * runtime takes a final checkpoint and commits it first, so nothing is left to publish here.)
   */
  close(): Promise<void>;
}

/** Who is writing: names output files uniquely per run and subtask. */
export interface SinkContext {
  readonly jobId: string;
  readonly subtask: number;
  readonly parallelism: number;
  /** Unique per run (attempt) of the job, so that a restored run never overwrites a committed file. Safe in file names. */
  readonly runId: string;
  /** The sink's uid (or generated operator id): names it in errors and its commit records. */
  readonly uid: string;
  /**
   * The job's lineage: created when a job starts from scratch and carried over by every restore, so that commit
   * records of one line of checkpoints are told apart from those of another run that numbered its checkpoints anew.
   */
  readonly lineage: string;
  /** The sink's `PRIMARY KEY (…) NOT ENFORCED` columns, when declared: what an upserting sink updates and deletes by. */
  readonly primaryKey?: readonly string[];
  /** Tells the user of a risk found at start (a JetStream duplicate window too short) as a job warning. */
  readonly warn?: (message: string) => void;
  /** How soon a failed job is back, for sinks whose guarantee holds only for so long (JetStream's duplicate window). */
  readonly recovery?: RecoveryTimes;
}

export interface RecoveryTimes {
  /** null: the job does not checkpoint. */
  readonly checkpointIntervalMs: number | null;
  /** The restart strategy's (longest) delay before a restart; 0 when it never restarts. */
  readonly restartDelayMs: number;
}

/** Where console sinks write: `process.stdout`/`process.stderr`, or a test's collector. */
export interface TextOutput {
  /** Returns false when the caller should wait for `drain` before writing more. */
  write(chunk: string): boolean;
  once?(event: 'drain', listener: () => void): unknown;
}

/** What a sink writer may be given besides its options, schema and context: injected for tests. */
export interface SinkEnvironment {
  /** For the rollover interval; defaults to the system clock. */
  readonly clock?: () => number;
  readonly stdout?: TextOutput;
  readonly stderr?: TextOutput;
}

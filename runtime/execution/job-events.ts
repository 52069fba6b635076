import type { CheckpointStats } from '../checkpoint/checkpoint-stats.js';

/** Where a job's state came from when it started. */
export type RestoreInfo =
  | {
      readonly kind: 'fresh';
      /** Why there was nothing to restore (with `resume`), or that no restore was asked for. */
      readonly reason: string;
      /** With `resume`: checkpoints passed over because they are damaged (`chk-<n>: <reason>`). */
      readonly skipped: readonly string[];
    }
  | {
      readonly kind: 'restored';
      readonly type: 'checkpoint' | 'savepoint';
      readonly checkpointId: number;
      /** The checkpoint's directory (or `memory:chk-<n>`). */
      readonly location: string;
      /** The graph digest differs from the one that wrote it (steps or state changed). */
      readonly graphChanged: boolean;
      /** Newer checkpoints passed over because a file was missing or corrupt (`chk-<n>: <reason>`). */
      readonly skipped: readonly string[];
      /** Dropped empty state, operators that start empty. */
      readonly notes: readonly string[];
    };

export interface CheckpointStartedEvent {
  readonly checkpointId: number;
  readonly triggeredAt: number;
  readonly final: boolean;
}

/** All tasks were restarted after a failure. */
export interface RestartEvent {
  /** The attempt starting now (the first run is attempt 1). */
  readonly attempt: number;
  /** The failure, in words. */
  readonly reason: string;
  readonly error: unknown;
  readonly delayMs: number;
  /** The completed checkpoint it restores, or null when it starts again from where the job started. */
  readonly checkpointId: number | null;
}

/**
 * Something the job handled but the user should know, such as a source file truncated by log rotation and read
 * again from its start. The job goes on.
 */
export interface JobWarning {
  /** The operator that warns: its uid, or its id when it has none. */
  readonly operator: string;
  readonly subtask: number;
  readonly message: string;
}

/** A Job's events (`job.on(name, listener)`); listeners added right after `Job.start` see them all. */
export interface JobEvents {
  restored: [RestoreInfo];
  'checkpoint-started': [CheckpointStartedEvent];
  'checkpoint-completed': [CheckpointStats];
  'checkpoint-aborted': [CheckpointStats];
  restart: [RestartEvent];
  warning: [JobWarning];
}

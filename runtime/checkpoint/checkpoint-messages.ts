import type { SubtaskState } from './metadata/metadata-v6.js';
import type { ChannelStateFile } from './metadata/metadata-v5.js';

/**
 * What tasks and the checkpoint coordinator tell each other. Everything is plain data or a one-way call, so a
 * task could run in a worker thread and talk to the coordinator by messages unchanged.
 */

/** One operator subtask's part of an acknowledgement: its state as `_metadata` will list it. */
export interface AcknowledgedOperatorState {
  readonly operatorId: string;
  readonly uid: string | null;
  readonly state: SubtaskState;
  /** Bytes of keyed state written for it. */
  readonly bytes: number;
  /** What went wrong with its state in the background since its last checkpoint (a failed chain merge). */
  readonly problems?: readonly string[];
}

/** A task snapshotted checkpoint `checkpointId` and wrote its state. */
export interface CheckpointAcknowledgement {
  readonly checkpointId: number;
  /** The task's name: `<chain>[<subtask>]`. */
  readonly task: string;
  readonly operators: readonly AcknowledgedOperatorState[];
  /** From the first barrier to the last (0 for sources and finished tasks). */
  readonly alignmentMs: number;
  /** The synchronous part: the task did nothing else meanwhile. */
  readonly syncMs: number;
  /** Writing the state, while the task went on processing. */
  readonly asyncMs: number;
  /** The task took its part unaligned: it recorded input in flight or its barrier overtook queued output. */
  readonly unaligned?: boolean;
  /** The records in flight it wrote (unaligned checkpoints), per channel. */
  readonly channelState?: readonly ChannelStateFile[];
}

/** Task → coordinator. */
export interface CoordinatorPort {
  acknowledge(ack: CheckpointAcknowledgement): void;
  /** The task will not acknowledge `checkpointId`; `isFailure` says whether it counts towards tolerable failures. */
  decline(task: string, checkpointId: number, reason: string, isFailure: boolean): void;
  /** The task processed all its input; its state is final and it waits for the final checkpoint. */
  taskFinished(task: string): void;
}

/** How stop-with-savepoint ends the sources: `suspend` stops reading right after the barrier; `drain` ends their input first (every window fires). */
export type StopMode = 'suspend' | 'drain';

export interface TriggerOptions {
  /** Marks the barrier: a savepoint. */
  readonly savepoint: boolean;
  /** A source stops reading right after emitting the barrier, until the checkpoint is aborted (then it reads on). */
  readonly suspend: boolean;
}

/** Coordinator → task: each call only queues work on the task's own loop. */
export interface TaskGateway {
  readonly name: string;
  /** Sources start checkpoints; other tasks get them through barriers, unless they have finished. */
  readonly isSource: boolean;
  /** A source: snapshot and emit the barrier. A finished task: snapshot its final state. */
  trigger(checkpointId: number, timestamp: number, options?: TriggerOptions): void;
  /** A source: stop reading and end its input, as a bounded source does at its end (stop with drain). */
  drain(): void;
  notifyComplete(checkpointId: number): void;
  notifyAborted(checkpointId: number): void;
  /** The final checkpoint completed: the finished task may close. */
  release(): void;
}

import type { CheckpointAcknowledgement, TriggerOptions } from './checkpoint-messages.js';
import type { CheckpointStats } from './checkpoint-stats.js';
import type { CheckpointRequest } from './coordinator.js';
import type { StateFile } from './metadata/metadata-v1.js';
import type { ChannelStateFile } from './metadata/metadata-v5.js';
import type { StoredCheckpoint } from './storage/checkpoint-storage.js';

/** A checkpoint someone waits for: what was asked, and how to tell them it completed or was aborted. */
export interface RequestedCheckpoint {
  readonly request: CheckpointRequest;
  readonly resolve: (stored: StoredCheckpoint) => void;
  readonly reject: (error: Error) => void;
}

/** A checkpoint triggered and not yet complete: which tasks acknowledged it, with what. */
export class PendingCheckpoint {
  readonly acknowledgements = new Map<string, CheckpointAcknowledgement>();
  /** Cancels the timeout timer. */
  cancelTimeout: () => void = () => {};

  constructor(
    readonly checkpointId: number,
    /** The job clock's time of the trigger (the barrier timestamp). */
    readonly triggeredAt: number,
    private readonly tasks: ReadonlySet<string>,
    /** Its completion ends the job (the tasks are released). A savepoint pending when every task finished becomes final. */
    public final: boolean,
    /** Asked for outside the schedule (a savepoint, a stop), with whoever waits for it. */
    readonly requested?: RequestedCheckpoint,
  ) {}

  /**
   * What its trigger tells a task, the same for every task: a task that finishes while it is pending snapshots its
   * final state for it with these too (a savepoint must be written in full, never as a checkpoint chain's files).
   */
  get triggerOptions(): TriggerOptions {
    return { savepoint: this.requested?.request.savepoint !== undefined, suspend: this.requested?.request.stop === 'suspend' };
  }

  /** Records `ack`; true when it was the last one missing. Acknowledgements of unknown tasks or twice are ignored. */
  acknowledge(ack: CheckpointAcknowledgement): boolean {
    if (!this.tasks.has(ack.task) || this.acknowledgements.has(ack.task)) return false;
    this.acknowledgements.set(ack.task, ack);
    return this.isComplete;
  }

  get isComplete(): boolean {
    return this.acknowledgements.size === this.tasks.size;
  }

  isAcknowledgedBy(task: string): boolean {
    return this.acknowledgements.has(task);
  }

  /** Every state file acknowledged so far (to discard them when the checkpoint is aborted). */
  get files(): StateFile[] {
    return [...this.acknowledgements.values()].flatMap((ack) => ack.operators.flatMap((op) => op.state.keyedState));
  }

  stats(status: CheckpointStats['status'], now: number, extra: Pick<CheckpointStats, 'location' | 'failure'> = {}): CheckpointStats {
    const acks = [...this.acknowledgements.values()];
    const subtasks = acks.flatMap((ack) =>
      ack.operators.map((op) => ({
        task: ack.task,
        operatorId: op.operatorId,
        uid: op.uid,
        subtask: op.state.subtask,
        bytes: op.bytes,
        stateBytes: op.state.keyedState.reduce((sum, file) => sum + file.bytes, 0),
        alignmentMs: ack.alignmentMs,
        syncMs: ack.syncMs,
        asyncMs: ack.asyncMs,
        unaligned: ack.unaligned === true,
        // A task's in-flight records are counted once, with its first operator.
        inFlightBytes: op === ack.operators[0] ? inFlightBytesOf(ack) : 0,
        problems: op.problems ?? [],
      })),
    );
    const longest = (pick: (ack: CheckpointAcknowledgement) => number) => acks.reduce((max, ack) => Math.max(max, pick(ack)), 0);
    return {
      checkpointId: this.checkpointId,
      status,
      final: this.final,
      triggeredAt: this.triggeredAt,
      durationMs: Math.max(0, now - this.triggeredAt),
      bytes: subtasks.reduce((sum, s) => sum + s.bytes, 0),
      stateBytes: this.files.reduce((sum, file) => sum + file.bytes, 0),
      alignmentMs: longest((a) => a.alignmentMs),
      syncMs: longest((a) => a.syncMs),
      asyncMs: longest((a) => a.asyncMs),
      unaligned: acks.some((ack) => ack.unaligned === true),
      inFlightBytes: acks.reduce((sum, ack) => sum + inFlightBytesOf(ack), 0),
      acknowledgedTasks: acks.length,
      totalTasks: this.tasks.size,
      subtasks,
      ...extra,
    };
  }
}

function inFlightBytesOf(ack: CheckpointAcknowledgement): number {
  return (ack.channelState ?? []).reduce((sum, file) => sum + file.bytes, 0);
}

/** The in-flight records files of every acknowledgement, for `_metadata`. */
export function channelStateOf(acks: Iterable<CheckpointAcknowledgement>): ChannelStateFile[] {
  return [...acks].flatMap((ack) => ack.channelState ?? []);
}

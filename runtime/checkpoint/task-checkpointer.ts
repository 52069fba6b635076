import type { BarrierEvent, ChannelEvent } from '../channels/channel-event.js';
import type { InputGate } from '../channels/input-gate.js';
import type { KeyedSnapshotMode, OperatorSubtaskSnapshot } from '../execution/operator-host.js';
import type { TaskCheckpointing } from '../execution/stream-task.js';
import { BarrierAligner, type AlignmentAction, type CheckpointingMode } from './barrier-alignment.js';
import type { AcknowledgedOperatorState, CoordinatorPort, StopMode, TaskGateway, TriggerOptions } from './checkpoint-messages.js';
import type { StateFile } from './metadata/metadata-v4.js';
import type { CheckpointStorage } from './storage/checkpoint-storage.js';
import type { KeyedStateChains } from './storage/keyed-state-chains.js';
import { fileSafeName } from './storage/checkpoint-names.js';

/** What the checkpointer uses of its task (a StreamTask). */
export interface CheckpointingTask {
  readonly gate: InputGate | undefined;
  enqueue(action: () => void | Promise<void>): void;
  snapshotOperators(checkpointId: number, keyedMode: KeyedSnapshotMode): Promise<OperatorSubtaskSnapshot[]>;
  emitEvent(event: ChannelEvent): void;
  notifyCheckpointComplete(checkpointId: number): Promise<void>;
  release(): void;
  /** A source: `suspend` stops reading, `drain` ends its input, undefined reads on. */
  stopSource(stop: StopMode | undefined): void;
}

const PLAIN_CHECKPOINT: TriggerOptions = { savepoint: false, suspend: false };

const ABORT_REASONS = { subsumed: 'a newer checkpoint reached it first', cancelled: 'it was cancelled upstream' } as const;

/**
 * One task's side of checkpointing. Sources snapshot when the coordinator triggers them and emit the barrier;
 * other tasks align barriers (barrier-alignment.ts) and snapshot when every input delivered one. The
 * synchronous part (operators' hooks, a frozen view of state) runs on the task's loop and is followed at once by
 * the barrier; writing the state happens asynchronously while the task goes on, and ends in an acknowledgement.
 * A finished task snapshots its final state for every checkpoint still asking for it, and closes once released.
 *
 * Keyed state is checkpointed incrementally when the storage keeps chains (docs/checkpoints.md): a base snapshot
 * first, then only what changed; a base again when a chain grows long or a write failed (the changes of a lost
 * delta are then covered by the base). Savepoints are always full and leave the chain alone.
 */
export class TaskCheckpointer implements TaskCheckpointing, TaskGateway {
  private task!: CheckpointingTask;
  private aligner: BarrierAligner | undefined;
  private finished = false;
  private latestSnapshotted = 0;
  /** The stop-with-savepoint checkpoint this source stopped reading for. */
  private suspendedFor: number | undefined;
  /** Barriers aligning: the barrier to forward and when its first copy arrived. */
  private readonly aligning = new Map<number, { barrier: BarrierEvent; startedAt: number }>();
  private readonly writes = new Set<Promise<void>>();
  /** The next checkpoint's keyed snapshots must be bases: the first one, after a failed write, or a chain grown long. */
  private needsBase = true;
  /** The checkpoint whose keyed bases or deltas this task took last: the next delta follows it. */
  private previousChainSnapshot = 0;

  constructor(
    readonly name: string,
    readonly isSource: boolean,
    private readonly mode: CheckpointingMode,
    private readonly storage: CheckpointStorage,
    private readonly coordinator: CoordinatorPort,
  ) {}

  attach(task: CheckpointingTask): void {
    this.task = task;
    if (task.gate !== undefined) this.aligner = new BarrierAligner(task.gate.channels.length, this.mode);
  }

  // ---- TaskGateway: called by the coordinator; the work runs on the task's loop ----

  trigger(checkpointId: number, timestamp: number, options: TriggerOptions = PLAIN_CHECKPOINT): void {
    this.task.enqueue(async () => {
      // A running non-source task takes its checkpoints from barriers.
      if (!this.isSource && !this.finished) return;
      await this.snapshot({ type: 'barrier', checkpointId, timestamp, savepoint: options.savepoint }, 0);
      if (options.suspend && !this.finished) {
        this.suspendedFor = checkpointId;
        this.task.stopSource('suspend');
      }
    });
  }

  drain(): void {
    this.task.enqueue(() => this.task.stopSource('drain'));
  }

  notifyComplete(checkpointId: number): void {
    this.task.enqueue(() => this.task.notifyCheckpointComplete(checkpointId));
  }

  notifyAborted(checkpointId: number): void {
    this.task.enqueue(() => {
      if (this.suspendedFor === checkpointId) {
        // The stop failed: the job goes on.
        this.suspendedFor = undefined;
        this.task.stopSource(undefined);
      }
      if (this.aligner !== undefined) return this.perform(this.aligner.abort(checkpointId));
    });
  }

  release(): void {
    this.task.enqueue(() => this.task.release());
  }

  // ---- TaskCheckpointing: called by the task ----

  onControlEvent(channel: number, event: BarrierEvent | Extract<ChannelEvent, { type: 'cancel-barrier' }>): Promise<void> {
    const aligner = this.aligner!;
    if (event.type === 'cancel-barrier') return this.perform(aligner.onCancellationMarker(event.checkpointId));
    return this.perform(aligner.onBarrier(channel, event.checkpointId), event);
  }

  onEndOfInput(channel: number): Promise<void> {
    return this.perform(this.aligner!.onEndOfInput(channel));
  }

  onFinished(): void {
    this.finished = true;
    this.coordinator.taskFinished(this.name);
  }

  /** Resolves when every state write started so far has ended (acknowledged or declined). */
  async settled(): Promise<void> {
    while (this.writes.size > 0) await Promise.all(this.writes);
  }

  private async perform(actions: readonly AlignmentAction[], barrier?: BarrierEvent): Promise<void> {
    const gate = this.task.gate!;
    for (const action of actions) {
      switch (action.type) {
        case 'started':
          this.aligning.set(action.checkpointId, { barrier: barrier!, startedAt: performance.now() });
          break;
        case 'block':
          gate.block(action.channel);
          break;
        case 'unblock-all':
          for (let channel = 0; channel < gate.channels.length; channel++) gate.unblock(channel);
          break;
        case 'snapshot': {
          const aligned = this.aligning.get(action.checkpointId)!;
          this.aligning.delete(action.checkpointId);
          await this.snapshot(aligned.barrier, performance.now() - aligned.startedAt);
          break;
        }
        case 'abort':
          this.aligning.delete(action.checkpointId);
          if (!this.finished) this.task.emitEvent({ type: 'cancel-barrier', checkpointId: action.checkpointId });
          this.coordinator.decline(this.name, action.checkpointId, ABORT_REASONS[action.reason], false);
          break;
      }
    }
  }

  /** The synchronous part, then the barrier downstream; the write goes on in the background. */
  private async snapshot(barrier: BarrierEvent, alignmentMs: number): Promise<void> {
    const checkpointId = barrier.checkpointId;
    if (checkpointId <= this.latestSnapshotted) return;
    this.latestSnapshotted = checkpointId;
    const start = performance.now();
    const chains = barrier.savepoint ? undefined : this.storage.chains;
    const mode: KeyedSnapshotMode = chains === undefined ? 'full' : this.needsBase ? 'base' : 'changes';
    let snapshots: OperatorSubtaskSnapshot[];
    try {
      snapshots = await this.task.snapshotOperators(checkpointId, mode);
    } catch (error) {
      // A sink that could not write or sync what the checkpoint covers: the checkpoint must not complete without it.
      // Not counted as a failed checkpoint: the task fails with the error itself, and that is what the job reports.
      this.coordinator.decline(this.name, checkpointId, `its snapshot failed: ${firstLine(error)}`, false);
      throw error;
    }
    if (!this.finished) this.task.emitEvent(barrier);
    const syncMs = performance.now() - start;
    const after = this.previousChainSnapshot;
    if (chains !== undefined) {
      this.previousChainSnapshot = checkpointId;
      this.needsBase = false;
    }
    const write = this.write(checkpointId, snapshots, chains === undefined ? undefined : { chains, after }, alignmentMs, syncMs);
    this.writes.add(write);
    void write.finally(() => this.writes.delete(write));
  }

  private async write(
    checkpointId: number,
    snapshots: readonly OperatorSubtaskSnapshot[],
    chain: { readonly chains: KeyedStateChains; readonly after: number } | undefined,
    alignmentMs: number,
    syncMs: number,
  ): Promise<void> {
    const start = performance.now();
    const operators: AcknowledgedOperatorState[] = [];
    const written: StateFile[] = [];
    const owners: string[] = [];
    try {
      for (const snapshot of snapshots) {
        const owner = `${fileSafeName(snapshot.uid ?? snapshot.operatorId)}-${snapshot.subtask}`;
        let keyedState: StateFile[] = [];
        let bytes = 0;
        if (snapshot.keyedChanges !== undefined) {
          ({ files: keyedState, writtenBytes: bytes } = await chain!.chains.writeChanges(checkpointId, owner, snapshot.keyedChanges, chain!.after));
          snapshot.keyedChanges.release();
        } else if (snapshot.keyed !== undefined) {
          if (chain === undefined) {
            keyedState = await this.storage.writeKeyedState(checkpointId, owner, snapshot.keyed);
            bytes = keyedState.reduce((sum, file) => sum + file.bytes, 0);
          } else {
            ({ files: keyedState, writtenBytes: bytes } = await chain.chains.writeBase(checkpointId, owner, snapshot.keyed));
          }
          snapshot.keyed.release();
        }
        written.push(...keyedState);
        if (snapshot.keyed !== undefined || snapshot.keyedChanges !== undefined) owners.push(owner);
        operators.push({
          operatorId: snapshot.operatorId,
          uid: snapshot.uid,
          bytes,
          state: {
            subtask: snapshot.subtask,
            keyGroupRange: { start: snapshot.keyGroupRange.start, end: snapshot.keyGroupRange.end },
            keyedState,
            // Copied now: the metadata is written later, and operator state must not change under it.
            operatorState: snapshot.operatorState.map((list) => ({ name: list.name, redistribution: list.redistribution, items: structuredClone([...list.items]) })),
          },
        });
      }
    } catch (error) {
      for (const snapshot of snapshots) {
        snapshot.keyed?.release();
        snapshot.keyedChanges?.release();
      }
      // Changes this checkpoint took but did not write would be missing from the next delta.
      if (chain !== undefined) this.needsBase = true;
      await this.storage.discard(checkpointId, written).catch(() => undefined);
      this.coordinator.decline(this.name, checkpointId, `writing its state failed: ${(error as Error).message}`, true);
      return;
    }
    if (chain !== undefined && owners.some((owner) => chain.chains.needsBase(owner))) this.needsBase = true;
    this.coordinator.acknowledge({ checkpointId, task: this.name, operators, alignmentMs, syncMs, asyncMs: performance.now() - start });
  }
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
}

import type { BarrierEvent, ChannelEvent } from '../channels/channel-event.js';
import type { InputGate } from '../channels/input-gate.js';
import type { KeyedSnapshotMode, OperatorSubtaskSnapshot } from '../execution/operator-host.js';
import type { TaskCheckpointing } from '../execution/stream-task.js';
import type { RecordBatch } from '../record-batch.js';
import { systemClock, type Clock } from '../time/clock.js';
import { BarrierAligner, type AlignmentAction, type CheckpointingMode } from './barrier-alignment.js';
import { inFlightLines, recordsIn, type InFlightChannel } from './channel-state.js';
import type { AcknowledgedOperatorState, CoordinatorPort, StopMode, TaskGateway, TriggerOptions } from './checkpoint-messages.js';
import type { StateFile } from './metadata/metadata-v4.js';
import type { ChannelStateFile } from './metadata/metadata-v5.js';
import type { RawStateFile } from './metadata/metadata-v6.js';
import type { RawStateSnapshot } from '../state/raw-state.js';
import type { CheckpointStorage } from './storage/checkpoint-storage.js';
import type { KeyedStateChains } from './storage/keyed-state-chains.js';
import { fileSafeName } from './storage/checkpoint-names.js';

/** What the checkpointer uses of its task (a StreamTask). */
export interface CheckpointingTask {
  readonly gate: InputGate | undefined;
  readonly subtask: number;
  enqueue(action: () => void | Promise<void>): void;
  snapshotOperators(checkpointId: number, keyedMode: KeyedSnapshotMode): Promise<OperatorSubtaskSnapshot[]>;
  emitEvent(event: ChannelEvent): void;
  /** Puts `barrier` ahead of what is queued in every output channel; the batches it overtook, per channel. */
  overtakeOutputs(barrier: BarrierEvent): InFlightChannel[];
  /** The part of `channel`'s current batch the task has not processed yet (it slices batches by time). */
  unprocessedInput(channel: number): RecordBatch | undefined;
  notifyCheckpointComplete(checkpointId: number): Promise<void>;
  release(): void;
  /** A source: `suspend` stops reading, `drain` ends its input, undefined reads on. */
  stopSource(stop: StopMode | undefined): void;
}

const PLAIN_CHECKPOINT: TriggerOptions = { savepoint: false, suspend: false };

/** `execution.checkpointing.unaligned.enabled` and `execution.checkpointing.aligned-checkpoint-timeout`. */
export interface UnalignedSettings {
  readonly enabled: boolean;
  readonly alignedTimeoutMs: number;
}

const ALIGNED: UnalignedSettings = { enabled: false, alignedTimeoutMs: 0 };

/** A snapshot taken and not written yet: the operators' state and the records in flight that go with it. */
interface TakenSnapshot {
  readonly checkpointId: number;
  readonly snapshots: OperatorSubtaskSnapshot[];
  readonly chain: { readonly chains: KeyedStateChains; readonly after: number } | undefined;
  readonly alignmentMs: number;
  readonly syncMs: number;
  /** Unaligned: batches the barrier overtook in output channels, and batches recorded per input channel. */
  readonly output: readonly InFlightChannel[];
  readonly input: ReadonlyMap<number, RecordBatch[]>;
  readonly unaligned: boolean;
}

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
 *
 * Unaligned checkpoints (FLIP-76; savepoints never are): a barrier passed unaligned — every one, or one older than
 * the aligned-checkpoint timeout — is snapshotted at its first arrival and sent ahead of the batches queued in the
 * output channels, which are written with the snapshot; batches then arriving on an input channel before its own
 * barrier are recorded too, and the state is written once the last barrier arrived.
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
  /** Snapshotted unaligned, recording input channels until their barriers arrive. */
  private inFlight: TakenSnapshot | undefined;
  /** Input channels being recorded for `inFlight`, with the batches recorded so far. */
  private readonly recording = new Map<number, RecordBatch[]>();
  private cancelAlignmentTimer: (() => void) | undefined;

  constructor(
    readonly name: string,
    readonly isSource: boolean,
    private readonly mode: CheckpointingMode,
    private readonly storage: CheckpointStorage,
    private readonly coordinator: CoordinatorPort,
    private readonly unaligned: UnalignedSettings = ALIGNED,
    private readonly clock: Clock = systemClock,
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
    return this.perform(aligner.onBarrier(channel, event.checkpointId, this.isLate(event)), event);
  }

  onInputBatch(channel: number, batch: RecordBatch): void {
    if (this.recording.size === 0) return;
    this.recording.get(channel)?.push(batch);
  }

  onEndOfInput(channel: number): Promise<void> {
    return this.perform(this.aligner!.onEndOfInput(channel));
  }

  onFinished(): void {
    this.finished = true;
    this.coordinator.taskFinished(this.name);
  }

  /** The task ended (or was cancelled): an aligned-checkpoint timer left would only keep the process alive. */
  taskEnded(): void {
    this.disarmAlignmentTimeout();
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
          this.armAlignmentTimeout(barrier!);
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
          this.disarmAlignmentTimeout();
          await this.snapshot(aligned.barrier, performance.now() - aligned.startedAt, action.record);
          break;
        }
        case 'recorded':
          this.recording.delete(action.channel);
          break;
        case 'persist': {
          const taken = this.inFlight!;
          this.inFlight = undefined;
          this.startWrite(taken);
          break;
        }
        case 'abort':
          this.aligning.delete(action.checkpointId);
          this.disarmAlignmentTimeout();
          if (this.inFlight?.checkpointId === action.checkpointId) this.dropInFlight();
          if (!this.finished) this.task.emitEvent({ type: 'cancel-barrier', checkpointId: action.checkpointId });
          this.coordinator.decline(this.name, action.checkpointId, ABORT_REASONS[action.reason], false);
          break;
      }
    }
  }

  /**
   * The synchronous part, then the barrier downstream (ahead of queued output when unaligned); the write goes on in
   * the background — once the channels in `record` delivered their barriers, when there are any.
   */
  private async snapshot(barrier: BarrierEvent, alignmentMs: number, record: readonly number[] = []): Promise<void> {
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
    const overtakes = !this.finished && (record.length > 0 || this.isLate(barrier));
    let output: InFlightChannel[] = [];
    if (overtakes) output = this.task.overtakeOutputs(barrier).filter((channel) => channel.batches.length > 0);
    else if (!this.finished) this.task.emitEvent(barrier);
    const syncMs = performance.now() - start;
    const after = this.previousChainSnapshot;
    if (chains !== undefined) {
      this.previousChainSnapshot = checkpointId;
      this.needsBase = false;
    }
    const input = new Map<number, RecordBatch[]>();
    for (const channel of record) {
      const rest = this.task.unprocessedInput(channel);
      const batches: RecordBatch[] = rest === undefined ? [] : [rest];
      input.set(channel, batches);
      this.recording.set(channel, batches);
    }
    const chain = chains === undefined ? undefined : { chains, after };
    const taken: TakenSnapshot = { checkpointId, snapshots, chain, alignmentMs, syncMs, output, input, unaligned: overtakes };
    if (record.length > 0) this.inFlight = taken;
    else this.startWrite(taken);
  }

  /** Whether `barrier` is passed unaligned here: unaligned checkpoints are on and it is older than the aligned timeout. */
  private isLate(barrier: BarrierEvent): boolean {
    const { enabled, alignedTimeoutMs } = this.unaligned;
    return enabled && this.mode === 'EXACTLY_ONCE' && !barrier.savepoint && this.clock.now() - barrier.timestamp >= alignedTimeoutMs;
  }

  /** Starting aligned with a timeout: once the checkpoint is that old, what still aligns switches to unaligned. */
  private armAlignmentTimeout(barrier: BarrierEvent): void {
    const { enabled, alignedTimeoutMs } = this.unaligned;
    if (!enabled || alignedTimeoutMs === 0 || barrier.savepoint || this.mode !== 'EXACTLY_ONCE') return;
    this.disarmAlignmentTimeout();
    const checkpointId = barrier.checkpointId;
    this.cancelAlignmentTimer = this.clock.setTimer(barrier.timestamp + alignedTimeoutMs, () =>
      this.task.enqueue(() => this.perform(this.aligner!.onAlignmentTimeout(checkpointId))),
    );
  }

  private disarmAlignmentTimeout(): void {
    this.cancelAlignmentTimer?.();
    this.cancelAlignmentTimer = undefined;
  }

  /** The unaligned snapshot's checkpoint was aborted while its input was recorded: nothing of it is written. */
  private dropInFlight(): void {
    const taken = this.inFlight!;
    this.inFlight = undefined;
    this.recording.clear();
    for (const snapshot of taken.snapshots) {
      snapshot.keyed?.release();
      snapshot.keyedChanges?.release();
    }
    // The changes it took are missing from the next delta.
    if (taken.chain !== undefined) this.needsBase = true;
  }

  private startWrite(taken: TakenSnapshot): void {
    const write = this.write(taken);
    this.writes.add(write);
    void write.finally(() => this.writes.delete(write));
  }

  private async write(taken: TakenSnapshot): Promise<void> {
    const { checkpointId, snapshots, chain, alignmentMs, syncMs } = taken;
    const start = performance.now();
    const operators: AcknowledgedOperatorState[] = [];
    let channelState: ChannelStateFile[] = [];
    const written: StateFile[] = [];
    const owners: string[] = [];
    try {
      for (const snapshot of snapshots) {
        const owner = `${fileSafeName(snapshot.uid ?? snapshot.operatorId)}-${snapshot.subtask}`;
        let keyedState: StateFile[] = [];
        let bytes = 0;
        let problems: readonly string[] = [];
        if (snapshot.keyedChanges !== undefined) {
          ({ files: keyedState, writtenBytes: bytes, problems } = await chain!.chains.writeChanges(checkpointId, owner, snapshot.keyedChanges, chain!.after));
          snapshot.keyedChanges.release();
        } else if (snapshot.keyed !== undefined) {
          if (chain === undefined) {
            keyedState = await this.storage.writeKeyedState(checkpointId, owner, snapshot.keyed);
            bytes = keyedState.reduce((sum, file) => sum + file.bytes, 0);
          } else {
            ({ files: keyedState, writtenBytes: bytes, problems } = await chain.chains.writeBase(checkpointId, owner, snapshot.keyed));
          }
          snapshot.keyed.release();
        }
        written.push(...keyedState);
        if (snapshot.keyed !== undefined || snapshot.keyedChanges !== undefined) owners.push(owner);
        operators.push({
          operatorId: snapshot.operatorId,
          uid: snapshot.uid,
          bytes,
          ...(problems.length === 0 ? {} : { problems }),
          state: {
            subtask: snapshot.subtask,
            keyGroupRange: { start: snapshot.keyGroupRange.start, end: snapshot.keyGroupRange.end },
            keyedState,
            // Copied now: the metadata is written later, and operator state must not change under it.
            operatorState: snapshot.operatorState.map((list) => ({ name: list.name, redistribution: list.redistribution, items: structuredClone([...list.items]) })),
            rawState: await this.writeRawState(checkpointId, owner, snapshot.rawState),
          },
        });
      }
      channelState = await this.writeInFlight(taken);
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
    const unaligned = taken.unaligned || taken.input.size > 0;
    this.coordinator.acknowledge({ checkpointId, task: this.name, operators, alignmentMs, syncMs, asyncMs: performance.now() - start, unaligned, channelState });
  }

  /** Writes each raw state of an operator subtask as a file of its own: `<owner>.<state>.raw`. */
  private async writeRawState(checkpointId: number, owner: string, states: readonly RawStateSnapshot[]): Promise<RawStateFile[]> {
    const files: RawStateFile[] = [];
    for (const { name, bytes } of states) files.push({ name, ...(await this.storage.writeRawState(checkpointId, `${owner}.${fileSafeName(name)}.raw`, bytes)) });
    return files;
  }

  /** Writes the records in flight of an unaligned snapshot, one file per channel that holds any. */
  private async writeInFlight(taken: TakenSnapshot): Promise<ChannelStateFile[]> {
    const gate = this.task.gate;
    const input: InFlightChannel[] = [...taken.input].map(([channel, batches]) => {
      const info = gate!.channels[channel]!;
      return { edge: info.edge, fromSubtask: info.fromSubtask, toSubtask: this.task.subtask, direction: 'input', batches };
    });
    const files: ChannelStateFile[] = [];
    for (const channel of [...input, ...taken.output]) {
      if (channel.batches.length === 0) continue;
      const name = `${fileSafeName(this.name)}.${files.length}.${channel.direction}.inflight`;
      const file = await this.storage.writeChannelState(taken.checkpointId, name, inFlightLines(channel.batches));
      const { edge, fromSubtask, toSubtask, direction, batches } = channel;
      files.push({ edge, fromSubtask, toSubtask, direction, ...file, batches: batches.length, records: recordsIn(batches) });
    }
    return files;
  }
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
}

import { ACTIVE, END_OF_INPUT, IDLE, type BarrierEvent, type ChannelEvent } from '../channels/channel-event.js';
import type { InputGate } from '../channels/input-gate.js';
import type { EdgeWriter } from '../channels/output-writer.js';
import { edgeRef, type InFlightChannel } from '../checkpoint/channel-state.js';
import { Signal } from '../channels/signal.js';
import type { RecordBatch } from '../record-batch.js';
import type { SourceOperator, SourcePollResult } from '../operators/operator.js';
import type { Clock } from '../time/clock.js';
import { WatermarkTracker } from '../time/watermark-tracker.js';
import type { Downstream, KeyedSnapshotMode, OperatorHost, OperatorSubtaskSnapshot } from './operator-host.js';
import { SlicedInput } from './sliced-input.js';

/** Time a task may run without giving the event loop a turn (timers, I/O, other tasks' wake-ups). */
const SLICE_MS = 10;

/** The tail of a chain: writes into the channels of every outgoing edge. */
class EdgesDownstream implements Downstream {
  constructor(private readonly writers: readonly EdgeWriter[]) {}

  pushBatch(batch: RecordBatch): void {
    for (const writer of this.writers) writer.pushBatch(batch);
  }

  pushWatermark(timestamp: number): void {
    // +Infinity only comes at the end, and the end-of-input that follows means the same downstream. Sent as a
    // watermark it would make this channel an active one at +Infinity, and a sibling channel that is merely idle
    // (a throttled source) could no longer hold the downstream watermark back: its last rows would come late.
    if (timestamp === Infinity) return;
    this.pushEvent({ type: 'watermark', timestamp });
  }

  pushIdle(idle: boolean): void {
    this.pushEvent(idle ? IDLE : ACTIVE);
  }

  pushEvent(event: ChannelEvent): void {
    for (const writer of this.writers) writer.pushEvent(event);
  }
}

/**
 * A task's part in checkpointing (runtime/checkpoint/task-checkpointer.ts): barrier alignment, snapshots and
 * the final checkpoint. The task hands it the control events it reads and waits for it after its input ended.
 */
export interface TaskCheckpointing {
  /** A barrier or cancellation marker arrived on input channel `channel`. */
  onControlEvent(channel: number, event: BarrierEvent | Extract<ChannelEvent, { type: 'cancel-barrier' }>): void | Promise<void>;
  /** A batch arrived on input channel `channel` (an unaligned checkpoint may be recording it as in flight). */
  onInputBatch(channel: number, batch: RecordBatch): void;
  /** `channel` delivered its end of input; called before the task handles it. */
  onEndOfInput(channel: number): void | Promise<void>;
  /** The task processed all its input and ended its outputs; it stays open (serving mail) until `release()`. */
  onFinished(): void;
}

export interface StreamTaskOptions {
  readonly chainId: string;
  readonly subtask: number;
  readonly parallelism: number;
  /** The chain's operators, head first. */
  readonly hosts: readonly OperatorHost[];
  /** Absent for a source chain. */
  readonly gate: InputGate | undefined;
  readonly writers: readonly EdgeWriter[];
  readonly clock: Clock;
  /** Woken by the gate's channels, processing-time timers and cancellation. */
  readonly signal: Signal;
  readonly checkpointing?: TaskCheckpointing;
  /** Run after every step: looks at what other threads changed without waiting for an event loop turn (alignment-table.ts `poll`). */
  readonly betweenSteps?: () => void;
}

/**
 * One subtask of a chain: a single-threaded loop (Flink's mailbox) that takes the next input event (or, for a
 * source chain, polls the source), pushes it through the chained operators synchronously, and only awaits when
 * it has nothing to do, when an output channel is full (back-pressure), when an operator deferred async work,
 * or to give the event loop a turn every few milliseconds. Everything it shares with other tasks goes through
 * channels, so the same loop can later run in a worker thread.
 */
export class StreamTask {
  readonly hosts: readonly OperatorHost[];
  readonly gate: InputGate | undefined;
  /** Input batches processed in time-bounded slices; absent for a source chain. */
  readonly input: SlicedInput | undefined;
  private readonly tail: EdgesDownstream;
  private readonly signal: Signal;
  private readonly clock: Clock;
  private readonly tracker: WatermarkTracker | undefined;
  /** Channels not yet ended, per input of the head operator. */
  private readonly openChannelsPerInput: number[] = [];
  private emittedWatermark = -Infinity;
  private emittedIdle = false;
  private cancelled = false;
  private deferred: Promise<void>[] = [];
  /** Work other parts of the job hand this task (checkpoint triggers, notifications), run between input events. */
  private mail: (() => void | Promise<void>)[] = [];
  private released = false;
  /** Stop-with-savepoint: a source chain stops reading (`suspend`) or ends its input (`drain`). */
  private sourceStop: 'suspend' | 'drain' | undefined;
  private deferredFailure: unknown;
  private sliceStart = 0;
  /** Milliseconds spent waiting for room in an output channel, or for a sink's pending writes (its flush). */
  backpressuredMs = 0;
  /** Milliseconds spent waiting for input (or a source's data). */
  idleMs = 0;
  readonly startedAt: number;
  finishedAt: number | undefined;

  constructor(readonly options: StreamTaskOptions) {
    this.hosts = options.hosts;
    this.gate = options.gate;
    this.signal = options.signal;
    this.clock = options.clock;
    this.tail = new EdgesDownstream(options.writers);
    for (let i = 0; i < this.hosts.length; i++) this.hosts[i]!.downstream = this.hosts[i + 1] ?? this.tail;
    if (this.gate !== undefined) {
      this.tracker = new WatermarkTracker(this.gate.channels.length);
      this.input = new SlicedInput(this.gate, this.head);
      for (const channel of this.gate.channels) this.openChannelsPerInput[channel.input] = (this.openChannelsPerInput[channel.input] ?? 0) + 1;
    }
    this.startedAt = performance.now();
  }

  get name(): string {
    return `${this.options.chainId}[${this.options.subtask}]`;
  }

  private get head(): OperatorHost {
    return this.hosts[0]!;
  }

  /** Stops the task at its next step; its `run()` then resolves. */
  cancel(): void {
    this.cancelled = true;
    this.signal.notify();
  }

  get isCancelled(): boolean {
    return this.cancelled;
  }

  /** Hands the task work to run on its own loop, between input events (or while it waits for its release). */
  enqueue(action: () => void | Promise<void>): void {
    this.mail.push(action);
    this.signal.notify();
  }

  /** Lets a finished task close: its final checkpoint completed. */
  release(): void {
    this.released = true;
    this.signal.notify();
  }

  /** A source chain: `suspend` stops reading (mail is still served), `drain` ends the input, undefined reads on. */
  stopSource(stop: 'suspend' | 'drain' | undefined): void {
    this.sourceStop = stop;
    this.signal.notify();
  }

  private async processMail(): Promise<void> {
    while (this.mail.length > 0 && !this.cancelled) await this.mail.shift()!();
  }

  /**
   * The synchronous part of a checkpoint of the whole chain: finishes deferred work (a sink's flush), then
   * snapshots every operator, head first. Nothing else runs on the task meanwhile.
   */
  async snapshotOperators(checkpointId: number, keyedMode: KeyedSnapshotMode): Promise<OperatorSubtaskSnapshot[]> {
    await this.awaitDeferred();
    const snapshots: OperatorSubtaskSnapshot[] = [];
    for (const host of this.hosts) snapshots.push(await host.snapshot(checkpointId, keyedMode));
    return snapshots;
  }

  async notifyCheckpointComplete(checkpointId: number): Promise<void> {
    for (const host of this.hosts) await host.call((impl) => impl.notifyCheckpointComplete(checkpointId));
  }

  /** Sends a control event (a barrier, a cancellation marker) on every output channel, after the records before it. */
  emitEvent(event: ChannelEvent): void {
    this.tail.pushEvent(event);
  }

  /** An unaligned barrier: sent ahead of what is queued in every output channel; the batches it overtook, per channel. */
  overtakeOutputs(barrier: BarrierEvent): InFlightChannel[] {
    const subtask = this.options.subtask;
    return this.options.writers.flatMap((writer) =>
      writer.overtakeWith(barrier, subtask).map(({ toSubtask, batches }) => ({ edge: edgeRef(writer.edge), fromSubtask: subtask, toSubtask, direction: 'output' as const, batches })),
    );
  }

  get subtask(): number {
    return this.options.subtask;
  }

  /** The rows of `channel`'s batch the task has not processed yet (it processes batches in slices), if any. */
  unprocessedInput(channel: number): RecordBatch | undefined {
    return this.input?.unprocessed(channel);
  }

  /** Runs the task to the end of its input (or cancellation); rejects with an OperatorFailure. */
  async run(): Promise<void> {
    let failed = false;
    try {
      // Open downstream operators first, so they are ready when the head starts emitting (as Flink does).
      for (let i = this.hosts.length - 1; i >= 0; i--) await this.hosts[i]!.call((impl) => impl.open(this.hosts[i]!));
      if (this.gate === undefined) await this.runSource();
      else await this.runInputs(this.gate);
      if (!this.cancelled) await this.finish();
      if (!this.cancelled && this.options.checkpointing !== undefined) await this.awaitRelease();
    } catch (error) {
      failed = true;
      throw error;
    } finally {
      await this.closeAll(failed);
      this.finishedAt = performance.now();
    }
  }

  /**
   * Each step handles one input event (a batch's first slice) or, when no channel has one, the next slice of an
   * unfinished batch (SlicedInput): a channel whose batch is unfinished is held, so the gate ends only after it.
   */
  private async runInputs(gate: InputGate): Promise<void> {
    const input = this.input!;
    this.sliceStart = performance.now();
    while (!this.cancelled && !gate.finished) {
      await this.awaitDeferred();
      await this.processMail();
      this.fireProcessingTimers();
      const event = gate.poll();
      if (event !== undefined) await this.handleEvent(event, gate.lastChannel);
      else if (input.pending) input.next();
      else {
        await this.waitForWork(Infinity);
        continue;
      }
      await this.afterStep();
    }
  }

  private async handleEvent(event: ChannelEvent, channel: number): Promise<void> {
    const tracker = this.tracker!;
    switch (event.type) {
      case 'batch':
        this.options.checkpointing?.onInputBatch(channel, event.batch);
        this.input!.begin(event.batch, channel);
        return;
      case 'watermark':
        tracker.onWatermark(channel, event.timestamp);
        this.emitProgress();
        return;
      case 'status':
        tracker.onStatus(channel, event.idle);
        this.emitProgress();
        return;
      case 'barrier':
      case 'cancel-barrier':
        if (this.options.checkpointing === undefined) {
          throw new Error(`task ${this.name} received a ${event.type} of checkpoint ${event.checkpointId} but checkpointing is not set up`);
        }
        await this.options.checkpointing.onControlEvent(channel, event);
        return;
      case 'end-of-input': {
        await this.options.checkpointing?.onEndOfInput(channel);
        tracker.onEnd(channel);
        this.emitProgress();
        const input = this.gate!.channels[channel]!.input;
        this.openChannelsPerInput[input]!--;
        if (this.openChannelsPerInput[input] === 0) await this.head.call((impl) => impl.endInput(input));
        return;
      }
    }
  }

  /** Forwards the combined input watermark and idleness when they changed. */
  private emitProgress(): void {
    const tracker = this.tracker!;
    if (tracker.current > this.emittedWatermark) {
      this.emittedWatermark = tracker.current;
      this.head.pushWatermark(this.emittedWatermark);
    }
    if (tracker.idle !== this.emittedIdle) {
      this.emittedIdle = tracker.idle;
      this.head.pushIdle(this.emittedIdle);
    }
  }

  private async runSource(): Promise<void> {
    const head = this.head;
    const source = head.impl as SourceOperator;
    this.sliceStart = performance.now();
    while (!this.cancelled) {
      await this.awaitDeferred();
      await this.processMail();
      if (this.cancelled || this.sourceStop === 'drain') break;
      if (this.sourceStop === 'suspend') {
        // Nothing after the stop's barrier: no rows, no timers; only mail (commits, an abort that resumes).
        await this.waitForMail();
        continue;
      }
      this.fireProcessingTimers();
      let result: SourcePollResult | Promise<SourcePollResult>;
      try {
        result = source.pollNext();
        if (typeof result !== 'string') result = await result;
      } catch (error) {
        throw head.failure(error);
      }
      if (result === 'end') break;
      if (result === 'idle') await this.waitForWork(source.idleWaitMs);
      else await this.afterStep();
    }
    if (!this.cancelled) head.emitWatermark(Infinity);
  }

  /** After the last input: the rest of the chain sees its input end, then every output channel ends. */
  private async finish(): Promise<void> {
    for (let i = 1; i < this.hosts.length; i++) await this.hosts[i]!.call((impl) => impl.endInput(0));
    await this.awaitDeferred();
    this.tail.pushEvent(END_OF_INPUT);
  }

  /** After the end of input, with checkpointing: serves mail (snapshots of the final state, commits) until released. */
  private async awaitRelease(): Promise<void> {
    this.options.checkpointing!.onFinished();
    for (;;) {
      await this.processMail();
      if (this.cancelled || this.released) return;
      await this.waitForMail();
    }
  }

  private async waitForMail(): Promise<void> {
    const start = performance.now();
    await this.signal.wait();
    this.idleMs += performance.now() - start;
  }

  private async closeAll(failed: boolean): Promise<void> {
    for (const host of this.hosts) {
      try {
        await host.call((impl) => impl.close());
      } catch (error) {
        // A failure while closing after another failure must not hide the first one.
        if (!failed) throw error;
      } finally {
        host.dispose();
      }
    }
  }

  /** Back-pressure, deferred work and time slicing, after each step. */
  private async afterStep(): Promise<void> {
    this.options.betweenSteps?.();
    for (const writer of this.options.writers) {
      for (let full = writer.fullChannel(); full !== undefined && !this.cancelled; full = writer.fullChannel()) {
        const start = performance.now();
        await full.whenWritable();
        this.backpressuredMs += performance.now() - start;
        this.sliceStart = performance.now();
      }
    }
    if (performance.now() - this.sliceStart > SLICE_MS) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      this.sliceStart = performance.now();
    }
  }

  /**
   * Waits for deferred work, a sink's flush: time spent waiting for an external system (a slow sink callback, a
   * database) is back-pressure on the task, as a full output channel is.
   */
  private async awaitDeferred(): Promise<void> {
    if (this.deferred.length > 0) {
      const pending = this.deferred;
      this.deferred = [];
      const start = performance.now();
      await Promise.all(pending);
      this.backpressuredMs += performance.now() - start;
    }
    if (this.deferredFailure !== undefined) throw this.deferredFailure;
  }

  /** Called by hosts: async work to finish before the next input event. */
  defer(work: Promise<unknown>, host: OperatorHost): void {
    this.deferred.push(
      work.then(
        () => undefined,
        (error: unknown) => {
          this.deferredFailure ??= host.failure(error);
        },
      ),
    );
  }

  private fireProcessingTimers(): void {
    const next = this.nextProcessingTime();
    if (next === undefined) return;
    const now = this.clock.now();
    if (next > now) return;
    for (const host of this.hosts) host.fireProcessingTimers(now);
  }

  private nextProcessingTime(): number | undefined {
    let next: number | undefined;
    for (const host of this.hosts) {
      const t = host.nextProcessingTime();
      if (t !== undefined && (next === undefined || t < next)) next = t;
    }
    return next;
  }

  /** Sleeps until input arrives, the next processing-time timer is due, `maxWaitMs` passed, or cancellation. */
  private async waitForWork(maxWaitMs: number): Promise<void> {
    const timer = this.nextProcessingTime();
    const wakeAt = Math.min(timer ?? Infinity, maxWaitMs === Infinity ? Infinity : this.clock.now() + maxWaitMs);
    const cancelTimer = wakeAt === Infinity ? undefined : this.clock.setTimer(wakeAt, () => this.signal.notify());
    const start = performance.now();
    await this.signal.wait();
    this.idleMs += performance.now() - start;
    cancelTimer?.();
    this.sliceStart = performance.now();
  }
}

import type { ChannelStateFile } from '../checkpoint/metadata/metadata-v5.js';
import type { ChannelEvent } from './channel-event.js';
import type { ChannelReader } from './channel.js';
import type { Signal } from './signal.js';

/** One input channel of a task: where it comes from and which input of the head operator it feeds. */
export interface InputChannelInfo {
  readonly reader: ChannelReader;
  /** The head operator's input (0 = left/only, 1 = right, n = union input n). */
  readonly input: number;
  readonly name: string;
  /** The job-graph edge and the sending subtask: what an unaligned checkpoint records its in-flight batches under. */
  readonly edge: ChannelStateFile['edge'];
  readonly fromSubtask: number;
}

/**
 * Merges a task's input channels into one sequence of events: round robin over channels that have events, are
 * not blocked, not held and have not ended. `block(channel)` holds a channel back (barrier alignment, issue 4)
 * without reordering anything on it; `hold(channel)` does the same for the task while it still processes a batch
 * of that channel in slices, independently of alignment. The gate never waits itself: when `poll()` finds nothing the task awaits the
 * availability `signal` it passed in, which every channel notifies when it goes from empty to non-empty.
 */
export class InputGate {
  private readonly blocked: boolean[];
  private readonly held: boolean[];
  private readonly ended: boolean[];
  private next = 0;
  private open: number;
  /** The channel index of the event `poll()` returned last. */
  lastChannel = -1;

  constructor(
    readonly channels: readonly InputChannelInfo[],
    signal: Signal,
  ) {
    this.blocked = channels.map(() => false);
    this.held = channels.map(() => false);
    this.ended = channels.map(() => false);
    this.open = channels.length;
    for (const channel of channels) channel.reader.setAvailabilityListener(signal);
  }

  /** Channels that have not delivered `end-of-input` yet. */
  get openChannels(): number {
    return this.open;
  }

  get finished(): boolean {
    return this.open === 0;
  }

  poll(): ChannelEvent | undefined {
    const n = this.channels.length;
    for (let tried = 0; tried < n; tried++) {
      const index = this.next;
      this.next = index + 1 === n ? 0 : index + 1;
      if (this.blocked[index] || this.held[index] || this.ended[index]) continue;
      const event = this.channels[index]!.reader.poll();
      if (event === undefined) continue;
      if (event.type === 'end-of-input') {
        this.ended[index] = true;
        this.open--;
      }
      this.lastChannel = index;
      return event;
    }
    return undefined;
  }

  block(channel: number): void {
    this.blocked[channel] = true;
  }

  unblock(channel: number): void {
    this.blocked[channel] = false;
  }

  /** The task still processes a batch of `channel`: nothing after it is polled until `release`. */
  hold(channel: number): void {
    this.held[channel] = true;
  }

  release(channel: number): void {
    this.held[channel] = false;
  }

  isBlocked(channel: number): boolean {
    return this.blocked[channel]!;
  }

  isEnded(channel: number): boolean {
    return this.ended[channel]!;
  }
}

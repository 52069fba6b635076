import type { RecordBatch } from '../record-batch.js';
import type { ChannelEvent } from './channel-event.js';
import { Signal } from './signal.js';

/** The producer's end of a channel. */
export interface ChannelWriter {
  /** Enqueues `event` (never refuses; check `isFull` afterwards and await `whenWritable()` before producing more). */
  push(event: ChannelEvent): void;
  /** Whether the channel holds `capacity` batches or more: the producer should wait before writing again. */
  readonly isFull: boolean;
  /** Resolves once the channel has room again (or was closed). */
  whenWritable(): Promise<void>;
  /**
   * Puts `event` (an unaligned checkpoint barrier) ahead of everything not read yet and returns the batches it
   * overtook, which stay queued behind it. Absent where a channel cannot reorder: the barrier then goes last.
   */
  overtake?(event: ChannelEvent): RecordBatch[];
}

/** The consumer's end of a channel. */
export interface ChannelReader {
  /** The next event, or `undefined` when the channel is empty right now. */
  poll(): ChannelEvent | undefined;
  readonly isEmpty: boolean;
  /** `signal` is notified whenever the channel goes from empty to non-empty. */
  setAvailabilityListener(signal: Signal): void;
}

/**
 * A bounded FIFO of channel events between one producer subtask and one consumer subtask: the message-passing
 * seam between tasks (nothing else is shared between them, so either end can later move to a worker thread).
 * Only batches count towards `capacity`: control events are tiny and must never be held back behind it.
 * The bound is soft by design: a producer writes the whole output of one input event without awaiting, and only
 * then waits for room, so back-pressure costs one await per full channel, not one per record or batch.
 */
export class Channel implements ChannelWriter, ChannelReader {
  private queue: (ChannelEvent | undefined)[] = [];
  private head = 0;
  private batches = 0;
  private readonly writable = new Signal();
  private listener: Signal | undefined;
  private closed = false;

  constructor(
    readonly capacity: number,
    /** For messages and metrics: `from[subtask] → to[subtask]`. */
    readonly name: string = 'channel',
  ) {
    if (!(capacity >= 1)) throw new RangeError(`channel capacity must be at least 1, got ${capacity}`);
  }

  push(event: ChannelEvent): void {
    const wasEmpty = this.head === this.queue.length;
    this.queue.push(event);
    if (event.type === 'batch') this.batches++;
    if (wasEmpty) this.listener?.notify();
  }

  overtake(event: ChannelEvent): RecordBatch[] {
    const overtaken: RecordBatch[] = [];
    for (let i = this.head; i < this.queue.length; i++) {
      const queued = this.queue[i]!;
      if (queued.type === 'batch') overtaken.push(queued.batch);
    }
    const wasEmpty = this.head === this.queue.length;
    if (this.head > 0) this.queue[--this.head] = event;
    else this.queue.unshift(event);
    if (wasEmpty) this.listener?.notify();
    return overtaken;
  }

  get isFull(): boolean {
    return !this.closed && this.batches >= this.capacity;
  }

  async whenWritable(): Promise<void> {
    while (this.isFull) await this.writable.wait();
  }

  poll(): ChannelEvent | undefined {
    if (this.head === this.queue.length) return undefined;
    const event = this.queue[this.head]!;
    this.queue[this.head] = undefined;
    this.head++;
    if (this.head === this.queue.length) {
      this.queue.length = 0;
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    if (event.type === 'batch' && --this.batches === this.capacity - 1) this.writable.notify();
    return event;
  }

  get isEmpty(): boolean {
    return this.head === this.queue.length;
  }

  /** Batches queued now. */
  get size(): number {
    return this.batches;
  }

  setAvailabilityListener(signal: Signal): void {
    this.listener = signal;
    if (!this.isEmpty) signal.notify();
  }

  /** Releases a producer blocked on a full channel, for cancellation: nothing will be read any more. */
  close(): void {
    this.closed = true;
    this.writable.notify();
  }
}

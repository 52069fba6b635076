import { EventDecoder, EventEncoder } from './batch-codec.js';
import type { ChannelEvent } from './channel-event.js';
import type { RecordBatch } from '../record-batch.js';
import type { ChannelReader, ChannelWriter } from './channel.js';
import { waitForChange, wake } from './shared-wait.js';
import type { Signal } from './signal.js';

/**
 * A `Channel` whose two ends may live in different threads: events are encoded once (batch-codec.ts) into a
 * single-producer single-consumer ring of shared memory, in order, control events in band.
 *
 * Usage (issue 10):
 * ```ts
 * const descriptor = createThreadChannel(capacity, 'map[0] → sink[1]');   // anywhere, once
 * worker.postMessage({ channel: descriptor });                               // structured clone keeps the shared memory
 * const writer = openThreadChannelWriter(descriptor);                       // in the producing thread
 * const reader = openThreadChannelReader(descriptor);                       // in the consuming thread
 * ```
 * Each end is opened once, in one thread. The contracts are `Channel`'s: `push` never refuses; `isFull` while
 * `capacity` batches are unread (the reader returns credit as it polls); `poll` never blocks; the availability
 * listener is notified from the consumer's own event loop (an `Atomics.waitAsync` armed when a poll finds the ring
 * empty: one promise per wake-up). `close()` from either end releases a producer waiting in `whenWritable()` and
 * a reader waiting for data; the writer then drops what it pushes.
 *
 * While an end waits (a reader for data, a writer for room) it holds the thread open (shared-wait.ts): a thread
 * whose only work is a channel does not exit under it. Close both ends of every channel when a job ends or fails,
 * or the thread waits on (after `end-of-input` a reader no longer waits).
 *
 * Overtaking (unaligned checkpoints): `overtake(barrier)` puts the barrier ahead of every event not read yet, as
 * `Channel.overtake` does. The barrier goes into a slot of its own beside the ring, which the reader looks at before
 * the ring; the cut (how many batches the reader had taken when the barrier went ahead) is agreed through one word
 * holding the reader's batch count and a "barrier waiting" bit: the writer sets the bit with a compare-and-swap,
 * the reader counts a batch with one only while the bit is clear. So the writer knows which batches were
 * overtaken, from the batches it pushed and keeps until the reader has taken them. A second barrier while the slot
 * is still taken goes in band (behind the queued output), which is always allowed.
 *
 * Framing: each event is a u32 length and its encoded bytes. Positions are byte counters that wrap at 2^32 (kept
 * in an Int32Array for Atomics; `(write - read) | 0` is the fill). A frame longer than the ring's free space is
 * written in pieces as the reader frees room (the writer keeps the rest in a local queue and waits for the
 * reader's progress), so a batch larger than the ring passes too.
 *
 * Spawning TypeScript workers (under vitest or tsx, on Node 20): `execArgv: ['--import', 'tsx']` does NOT work
 * (the worker's entry is resolved before the loader is registered: "Unknown file extension .ts"). What works is
 * an eval'd entry that registers tsx first: `new Worker(\`import('tsx/esm/api').then(({ register }) => { register();
 * return import(${JSON.stringify(url.href)}); })\`, { eval: true, workerData })` (test/channels/thread-channel.test.ts).
 * From dist, `new Worker(new URL('./worker.js', import.meta.url))` needs no loader.
 */

/** Default and largest ring: a 1024-row Nexmark bid batch encodes to about 190 KB, so five fit. */
const DEFAULT_RING_BYTES = 1 << 20;
/** The smallest ring `ringBytesWithin` gives: a hash exchange over many channels sends small batches to each. */
const MIN_RING_BYTES = 64 << 10;

/**
 * The ring size for each of `channels` thread channels sharing `budgetBytes` (as Flink's network buffers share
 * the network memory): the largest power of two within the share, between 64 KiB and 1 MiB. Frames larger than a
 * ring still pass, in pieces.
 */
export function ringBytesWithin(budgetBytes: number, channels: number): number {
  let bytes = DEFAULT_RING_BYTES;
  while (bytes > MIN_RING_BYTES && bytes * channels > budgetBytes) bytes /= 2;
  return bytes;
}

// Slots of the control array.
const WRITE = 0;
const READ = 1;
/** Batches the reader has taken (mod 2^30), and OVERTAKING: a barrier waits in the overtaking slot. */
const BATCHES_READ = 2;
const CLOSED = 3;
const READER_WAITING = 4;
const WRITER_WAITING = 5;
/** Bumped by the writer whenever the reader has something new to look at (bytes, a barrier, close): what it waits on. */
const SIGNAL = 6;
const CONTROL_SLOTS = 8;
const OVERTAKING = 1 << 30;
const BATCH_COUNT = OVERTAKING - 1;
/** The overtaking barrier: checkpoint id, timestamp, savepoint (as 0/1), as doubles after the control words. */
const BARRIER_OFFSET = CONTROL_SLOTS * 4;
const CONTROL_BYTES = BARRIER_OFFSET + 3 * 8;

/** Structured-clone-able (holds SharedArrayBuffers): created once, posted to the producing and consuming threads. */
export interface ThreadChannelDescriptor {
  readonly name: string;
  readonly capacity: number;
  /** The control words (slots above), then the overtaking barrier's fields. */
  readonly control: SharedArrayBuffer;
  /** The ring of frames; its size is a power of two. */
  readonly ring: SharedArrayBuffer;
}

export function createThreadChannel(capacity: number, name: string, ringBytes = DEFAULT_RING_BYTES): ThreadChannelDescriptor {
  if (!(capacity >= 1)) throw new RangeError(`channel capacity must be at least 1, got ${capacity}`);
  if (!(ringBytes >= 16 && (ringBytes & (ringBytes - 1)) === 0)) {
    throw new RangeError(`thread channel ring size must be a power of two of at least 16 bytes, got ${ringBytes}`);
  }
  return {
    name,
    capacity,
    control: new SharedArrayBuffer(CONTROL_BYTES),
    ring: new SharedArrayBuffer(ringBytes),
  };
}

function close(control: Int32Array): void {
  Atomics.store(control, CLOSED, 1);
  Atomics.add(control, SIGNAL, 1);
  Atomics.notify(control, READ);
  Atomics.notify(control, SIGNAL);
}

/** Batches pushed but not yet read, unread while the writer counted `count` less than `read`. */
const unread = (pushed: number, read: number): number => (pushed - (read & BATCH_COUNT)) & BATCH_COUNT;


class ThreadChannelWriter implements ChannelWriter {
  private readonly control: Int32Array;
  private readonly barrier: Float64Array;
  private readonly ring: Uint8Array;
  private readonly mask: number;
  private readonly encoder = new EventEncoder();
  private readonly capacity: number;
  /** Bytes written so far (mod 2^32): only this end writes `WRITE`. */
  private write = 0;
  /** Batches pushed so far (mod 2^30, as the reader counts them). */
  private batchesPushed = 0;
  /**
   * The batches pushed that the reader had not taken when last looked, oldest first (`unreadFrom` is the number of
   * the first): what an overtaking barrier would overtake.
   */
  private unreadBatches: RecordBatch[] = [];
  private unreadFrom = 0;
  /** Frames (or the rest of one) that did not fit the ring yet, oldest first. */
  private readonly backlog: Uint8Array[] = [];
  private readerProgress: Promise<void> | undefined;

  constructor(descriptor: ThreadChannelDescriptor) {
    this.control = new Int32Array(descriptor.control, 0, CONTROL_SLOTS);
    this.barrier = new Float64Array(descriptor.control, BARRIER_OFFSET, 3);
    this.ring = new Uint8Array(descriptor.ring);
    this.mask = this.ring.length - 1;
    this.capacity = descriptor.capacity;
    this.write = Atomics.load(this.control, WRITE);
    this.batchesPushed = this.unreadFrom = Atomics.load(this.control, BATCHES_READ) & BATCH_COUNT;
  }

  private get closed(): boolean {
    return Atomics.load(this.control, CLOSED) !== 0;
  }

  push(event: ChannelEvent): void {
    if (this.closed) return;
    const frame = this.encoder.encode(event);
    if (event.type === 'batch') {
      this.forgetRead(Atomics.load(this.control, BATCHES_READ));
      this.unreadBatches.push(event.batch);
      this.batchesPushed = (this.batchesPushed + 1) & BATCH_COUNT;
    }
    if (this.backlog.length === 0 && frame.length <= this.free(Atomics.load(this.control, READ))) {
      this.copyIn(frame);
      this.publish();
    } else {
      this.backlog.push(new Uint8Array(frame)); // a copy: the encoder reuses its buffer
      this.drain();
    }
  }

  overtake(event: ChannelEvent): RecordBatch[] {
    if (this.closed) return [];
    if (event.type !== 'barrier' || (Atomics.load(this.control, BATCHES_READ) & OVERTAKING) !== 0) {
      this.push(event);
      return [];
    }
    this.barrier[0] = event.checkpointId;
    this.barrier[1] = event.timestamp;
    this.barrier[2] = event.savepoint ? 1 : 0;
    // The barrier's fields are written before the bit that publishes them (Atomics order them).
    let read = Atomics.load(this.control, BATCHES_READ);
    for (;;) {
      const seen = Atomics.compareExchange(this.control, BATCHES_READ, read, read | OVERTAKING);
      if (seen === read) break;
      read = seen;
    }
    this.forgetRead(read);
    Atomics.add(this.control, SIGNAL, 1);
    wake(this.control, SIGNAL, READER_WAITING);
    return this.unreadBatches.slice();
  }

  get isFull(): boolean {
    return !this.closed && unread(this.batchesPushed, Atomics.load(this.control, BATCHES_READ)) >= this.capacity;
  }

  async whenWritable(): Promise<void> {
    for (;;) {
      // READ first: the reader counts a batch read before it moves READ past it.
      const read = Atomics.load(this.control, READ);
      if (!this.isFull) return;
      await this.readerProgressFrom(read);
    }
  }

  close(): void {
    this.backlog.length = 0;
    this.unreadBatches = [];
    close(this.control);
  }

  /** Lets go of the batches the reader has taken, by its count `read`. */
  private forgetRead(read: number): void {
    const taken = ((read & BATCH_COUNT) - this.unreadFrom) & BATCH_COUNT;
    if (taken === 0) return;
    if (taken >= this.unreadBatches.length) this.unreadBatches = [];
    else this.unreadBatches.splice(0, taken);
    this.unreadFrom = read & BATCH_COUNT;
  }

  private free(read: number): number {
    return this.ring.length - ((this.write - read) | 0);
  }

  private copyIn(bytes: Uint8Array): void {
    const offset = this.write & this.mask;
    const first = Math.min(bytes.length, this.ring.length - offset);
    this.ring.set(first === bytes.length ? bytes : bytes.subarray(0, first), offset);
    if (first < bytes.length) this.ring.set(bytes.subarray(first), 0);
    this.write = (this.write + bytes.length) | 0;
  }

  private publish(): void {
    Atomics.store(this.control, WRITE, this.write);
    Atomics.add(this.control, SIGNAL, 1);
    wake(this.control, SIGNAL, READER_WAITING);
  }

  /** Writes as much of the backlog as fits; if some is left, does it again when the reader has made room. */
  private drain(): void {
    if (this.closed) {
      this.backlog.length = 0;
      return;
    }
    const read = Atomics.load(this.control, READ);
    let wrote = false;
    while (this.backlog.length > 0) {
      const free = this.free(read);
      if (free === 0) break;
      const head = this.backlog[0]!;
      if (head.length <= free) {
        this.copyIn(head);
        this.backlog.shift();
      } else {
        this.copyIn(head.subarray(0, free));
        this.backlog[0] = head.subarray(free);
      }
      wrote = true;
    }
    if (wrote) this.publish();
    if (this.backlog.length > 0) void this.readerProgressFrom(read).then(() => this.drain());
  }

  /**
   * Resolves once the reader has moved READ from `read` (or the channel was closed). One wait shared by all: one
   * armed on an older position only ends sooner.
   */
  private readerProgressFrom(read: number): Promise<void> {
    if (this.closed) return Promise.resolve();
    return (this.readerProgress ??= waitForChange(this.control, READ, read, WRITER_WAITING).then(() => {
      this.readerProgress = undefined;
    }));
  }
}

class ThreadChannelReader implements ChannelReader {
  private readonly control: Int32Array;
  private readonly barrier: Float64Array;
  private readonly ring: Uint8Array;
  private readonly mask: number;
  private readonly decoder = new EventDecoder();
  /** Bytes read so far (mod 2^32): only this end writes `READ`. */
  private read: number;
  /** The ring as a Buffer, to decode a frame in place. */
  private readonly ringBuffer: Buffer;
  /** A frame being assembled, copied out of the ring: one that wraps around its end, outsizes it or came in pieces. */
  private frame = Buffer.alloc(64 * 1024);
  private frameLength = -1;
  private frameHave = 0;
  /** A batch decoded when an overtaking barrier came first: handed out after it. */
  private heldBack: ChannelEvent | undefined;
  private listener: Signal | undefined;
  private armed = false;
  private ended = false;

  constructor(descriptor: ThreadChannelDescriptor) {
    this.control = new Int32Array(descriptor.control, 0, CONTROL_SLOTS);
    this.barrier = new Float64Array(descriptor.control, BARRIER_OFFSET, 3);
    this.ring = new Uint8Array(descriptor.ring);
    this.ringBuffer = Buffer.from(descriptor.ring);
    this.mask = this.ring.length - 1;
    this.read = Atomics.load(this.control, READ);
  }

  poll(): ChannelEvent | undefined {
    // SIGNAL before anything it announces: a wait armed on it below ends at once if more came since.
    const signal = Atomics.load(this.control, SIGNAL);
    if ((Atomics.load(this.control, BATCHES_READ) & OVERTAKING) !== 0) return this.takeBarrier();
    if (this.heldBack !== undefined) {
      const event = this.heldBack;
      this.heldBack = undefined;
      return this.deliver(event);
    }
    const write = Atomics.load(this.control, WRITE);
    let available = (write - this.read) | 0;
    if (this.frameLength < 0) {
      if (available < 4) return this.nothingYet(signal);
      const length = this.u32At(this.read);
      const start = (this.read + 4) & this.mask;
      if (available - 4 >= length && start + length <= this.ring.length) {
        // Whole and in one piece: decoded where it lies (the values are copied out), then handed back.
        const event = this.deliver(this.decoder.decode(this.ringBuffer, length, start));
        this.read = (this.read + 4 + length) | 0;
        this.release();
        return event;
      }
      this.frameLength = length;
      this.read = (this.read + 4) | 0;
      available -= 4;
      this.frameHave = 0;
      if (this.frame.length < this.frameLength) this.frame = Buffer.alloc(Math.max(this.frameLength, this.frame.length * 2));
    }
    const take = Math.min(available, this.frameLength - this.frameHave);
    this.copyOut(take);
    if (this.frameHave < this.frameLength) {
      this.release();
      return this.nothingYet(signal);
    }
    const event = this.deliver(this.decoder.decode(this.frame, this.frameLength));
    this.frameLength = -1;
    // After counting the batch: a writer woken by READ's move must find the credit it returns.
    this.release();
    return event;
  }

  get isEmpty(): boolean {
    if (this.heldBack !== undefined || (Atomics.load(this.control, BATCHES_READ) & OVERTAKING) !== 0) return false;
    return this.isEmptyAt(Atomics.load(this.control, WRITE));
  }

  setAvailabilityListener(signal: Signal): void {
    this.listener = signal;
    // Any bytes, even part of a frame, call for a poll: it hands them back so that the writer can go on.
    const seen = Atomics.load(this.control, SIGNAL);
    if (Atomics.load(this.control, WRITE) !== this.read || !this.isEmpty) signal.notify();
    else this.arm(seen);
  }

  close(): void {
    close(this.control);
  }

  /** Counts a batch as taken, unless a barrier overtook it just now: then the barrier first, the batch next. */
  private deliver(event: ChannelEvent): ChannelEvent {
    if (event.type === 'batch') {
      let read = Atomics.load(this.control, BATCHES_READ);
      for (;;) {
        if ((read & OVERTAKING) !== 0) {
          this.heldBack = event;
          return this.takeBarrier();
        }
        const seen = Atomics.compareExchange(this.control, BATCHES_READ, read, (read + 1) & BATCH_COUNT);
        if (seen === read) break;
        read = seen;
      }
    } else if (event.type === 'end-of-input') {
      this.ended = true;
    }
    return event;
  }

  /** The overtaking barrier; frees its slot for the next. */
  private takeBarrier(): ChannelEvent {
    const event: ChannelEvent = { type: 'barrier', checkpointId: this.barrier[0]!, timestamp: this.barrier[1]!, savepoint: this.barrier[2] === 1 };
    Atomics.and(this.control, BATCHES_READ, BATCH_COUNT);
    return event;
  }

  /** Whether no whole event is readable once the writer has written up to `write`. */
  private isEmptyAt(write: number): boolean {
    const available = (write - this.read) | 0;
    if (this.frameLength >= 0) return this.frameHave + available < this.frameLength;
    return available < 4 || available - 4 < this.u32At(this.read);
  }

  private nothingYet(signal: number): undefined {
    this.arm(signal);
    return undefined;
  }

  /** Waits (once) for the writer to move SIGNAL from `signal`, then tells the listener. */
  private arm(signal: number): void {
    if (this.armed || this.ended || this.listener === undefined || Atomics.load(this.control, CLOSED) !== 0) return;
    this.armed = true;
    void waitForChange(this.control, SIGNAL, signal, READER_WAITING).then(() => {
      this.armed = false;
      this.listener!.notify();
    });
  }

  /** Hands the bytes read so far back to the writer. */
  private release(): void {
    Atomics.store(this.control, READ, this.read);
    wake(this.control, READ, WRITER_WAITING);
  }

  private u32At(position: number): number {
    const ring = this.ring;
    const mask = this.mask;
    return (ring[position & mask]! | (ring[(position + 1) & mask]! << 8) | (ring[(position + 2) & mask]! << 16) | (ring[(position + 3) & mask]! << 24)) >>> 0;
  }

  private copyOut(length: number): void {
    const offset = this.read & this.mask;
    const first = Math.min(length, this.ring.length - offset);
    this.frame.set(this.ring.subarray(offset, offset + first), this.frameHave);
    if (first < length) this.frame.set(this.ring.subarray(0, length - first), this.frameHave + first);
    this.frameHave += length;
    this.read = (this.read + length) | 0;
  }
}

/** The producer's end, in the producing thread. */
export function openThreadChannelWriter(descriptor: ThreadChannelDescriptor): ChannelWriter & { close(): void } {
  return new ThreadChannelWriter(descriptor);
}

/** The consumer's end, in the consuming thread. */
export function openThreadChannelReader(descriptor: ThreadChannelDescriptor): ChannelReader & { close(): void } {
  return new ThreadChannelReader(descriptor);
}

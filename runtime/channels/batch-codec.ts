import type { ChannelEvent } from './channel-event.js';
import { makeBatch, type RecordBatch } from '../record-batch.js';

/**
 * The binary form of channel events between threads (thread-channel.ts): each event encoded once into bytes
 * that are copied into shared memory, instead of a structured clone per event or a message per row.
 *
 * Row-major: a batch is its row count, a byte of flags, its kinds (if any), its key groups (if any, two bytes per
 * row in the machine's order: both ends are threads of one process) and then each row as its length and its
 * values, each value a tag byte and a fixed-size or length-prefixed payload. Rows rather than columns because the runtime's
 * unit is a row array of values of any runtime type with no schema at the channel, and the receiver needs row
 * arrays anyway: one pass per side, no transposition, no per-column type check.
 *
 * Every runtime value round-trips exactly: null, undefined, booleans, numbers (int32 in 4 bytes, any other double
 * including NaN, ±Infinity and -0 in 8), strings (UTF-8; UTF-16 for the rare string with a lone surrogate,
 * which UTF-8 cannot spell), bigints, Dates, arrays, plain objects and Uint8Arrays, nested. Anything else (a Map, a class instance, a
 * function) is refused with a TypeError naming it: rows carry SQL values, which are never such things.
 */

const enum EventTag {
  Batch = 1,
  Watermark = 2,
  Status = 3,
  Barrier = 4,
  CancelBarrier = 5,
  EndOfInput = 6,
}

/** Which of a batch's optional arrays follow its row count. */
const enum BatchFlag {
  Kinds = 1,
  KeyGroups = 2,
}

const enum ValueTag {
  Null = 0,
  Undefined = 1,
  False = 2,
  True = 3,
  Int32 = 4,
  Double = 5,
  String = 6,
  /** A string that is not well-formed UTF-16 (a lone surrogate), as its UTF-16 code units. */
  Utf16String = 12,
  /**
   * A string of ASCII characters only (its UTF-8 is as long as it): String's bytes, decoded as Latin-1, which V8
   * copies into a one-byte string without UTF-8 decoding (9 % of a decoding thread's time in perf).
   */
  AsciiString = 13,
  BigInt = 7,
  Date = 8,
  Array = 9,
  Object = 10,
  Bytes = 11,
}

/**
 * Strings go through Node's Buffer methods (`utf8Write`, `utf8Slice`…): measured on Nexmark bid strings, 20–30 %
 * faster than TextEncoder.encodeInto / TextDecoder.decode, and they take offsets where those need a subarray (an
 * allocation) per string.
 */
interface BufferStrings {
  utf8Write(text: string, offset: number, length: number): number;
  ucs2Write(text: string, offset: number, length: number): number;
  utf8Slice(start: number, end: number): string;
  ucs2Slice(start: number, end: number): string;
  latin1Slice(start: number, end: number): string;
}

type StringBuffer = Buffer & BufferStrings;

/** `String.prototype.isWellFormed` (Node 20, ES2024; the project's lib is ES2023). */
interface WellFormedCheck {
  isWellFormed(): boolean;
}

function stringBuffer(size: number): StringBuffer {
  return Buffer.alloc(size) as StringBuffer;
}

/**
 * Values (see the top of this file) written into one growing scratch buffer, reused (no allocation once grown):
 * the thread channel's events and the binary keyed-state files of checkpoints (state/snapshot-binary.ts) build on
 * it. `refusal` completes the TypeError for a value that has no encoding ("a Map cannot …").
 */
export class ValueWriter {
  protected bytes = stringBuffer(64 * 1024);
  protected view = new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength);
  protected pos = 0;

  constructor(private readonly refusal: string) {}

  // An if-chain rather than `switch (typeof value)`: TurboFan turns each `typeof value === '…'` into a type check,
  // where the switch called the Typeof builtin for every value (11 % of an encoding thread's time in perf).
  protected value(value: unknown): void {
    if (typeof value === 'number') {
      if ((value | 0) === value && (value !== 0 || 1 / value > 0)) {
        this.ensure(5);
        this.bytes[this.pos++] = ValueTag.Int32;
        this.view.setInt32(this.pos, value, true);
        this.pos += 4;
      } else {
        this.ensure(9);
        this.bytes[this.pos++] = ValueTag.Double;
        this.view.setFloat64(this.pos, value, true);
        this.pos += 8;
      }
    } else if (typeof value === 'string') {
      this.text(value);
    } else if (typeof value === 'object') {
      this.object(value);
    } else if (typeof value === 'boolean') {
      this.u8(value ? ValueTag.True : ValueTag.False);
    } else if (typeof value === 'undefined') {
      this.u8(ValueTag.Undefined);
    } else if (typeof value === 'bigint') {
      this.u8(ValueTag.BigInt);
      this.string(value.toString());
    } else {
      throw new TypeError(`a ${typeof value} cannot ${this.refusal}`);
    }
  }

  /**
   * A string value: its tag, then as `string` does. UTF-8 first: as many bytes as characters means ASCII (a lone
   * surrogate would have taken 3), which needs no well-formedness check; a string that is not well-formed is
   * written again as UTF-16.
   */
  private text(value: string): void {
    const room = value.length * 3;
    this.ensure(5 + room);
    const tagAt = this.pos;
    const written = this.bytes.utf8Write(value, tagAt + 5, room);
    if (written === value.length || (value as unknown as WellFormedCheck).isWellFormed()) {
      this.bytes[tagAt] = written === value.length ? ValueTag.AsciiString : ValueTag.String;
      this.view.setUint32(tagAt + 1, written, true);
      this.pos = tagAt + 5 + written;
      return;
    }
    this.u8(ValueTag.Utf16String);
    this.u32(value.length * 2);
    this.ensure(value.length * 2);
    this.pos += this.bytes.ucs2Write(value, this.pos, value.length * 2);
  }

  private object(value: object | null): void {
    if (value === null) {
      this.u8(ValueTag.Null);
    } else if (Array.isArray(value)) {
      this.u8(ValueTag.Array);
      this.u32(value.length);
      for (let i = 0; i < value.length; i++) this.value(value[i]);
    } else if (value instanceof Date) {
      this.u8(ValueTag.Date);
      this.f64(value.getTime());
    } else if (value instanceof Uint8Array && value.constructor === Uint8Array) {
      this.u8(ValueTag.Bytes);
      this.u32(value.length);
      this.ensure(value.length);
      this.bytes.set(value, this.pos);
      this.pos += value.length;
    } else {
      const prototype = Object.getPrototypeOf(value) as unknown;
      if (prototype !== Object.prototype && prototype !== null) {
        throw new TypeError(`a ${value.constructor?.name ?? 'non-plain object'} cannot ${this.refusal}`);
      }
      const keys = Object.keys(value);
      this.u8(ValueTag.Object);
      this.u32(keys.length);
      for (const key of keys) {
        this.string(key);
        this.value((value as Record<string, unknown>)[key]);
      }
    }
  }

  /** A u32 byte length, then the UTF-8 bytes (encoded in place: at most 3 bytes per UTF-16 unit). */
  protected string(text: string): void {
    const room = text.length * 3;
    this.ensure(4 + room);
    const start = this.pos + 4;
    const written = this.bytes.utf8Write(text, start, room);
    this.view.setUint32(this.pos, written, true);
    this.pos = start + written;
  }

  protected u8(n: number): void {
    this.ensure(1);
    this.bytes[this.pos++] = n;
  }

  protected u32(n: number): void {
    this.ensure(4);
    this.view.setUint32(this.pos, n, true);
    this.pos += 4;
  }

  protected f64(n: number): void {
    this.ensure(8);
    this.view.setFloat64(this.pos, n, true);
    this.pos += 8;
  }

  protected ensure(n: number): void {
    if (this.pos + n <= this.bytes.length) return;
    let size = this.bytes.length * 2;
    while (size < this.pos + n) size *= 2;
    const grown = stringBuffer(size);
    grown.set(this.bytes.subarray(0, this.pos));
    this.bytes = grown;
    this.view = new DataView(grown.buffer, grown.byteOffset, grown.byteLength);
  }
}

/** Encodes events into one growing scratch buffer, reused from event to event (no allocation once grown). */
export class EventEncoder extends ValueWriter {
  constructor() {
    super('cross a thread channel');
  }

  /**
   * The frame of `event`, a u32 length and the encoded bytes that `EventDecoder.decode` takes: a view of the
   * scratch buffer, valid until the next call.
   */
  encode(event: ChannelEvent): Buffer {
    this.pos = 4;
    switch (event.type) {
      case 'batch':
        this.u8(EventTag.Batch);
        this.batch(event.batch);
        break;
      case 'watermark':
        this.u8(EventTag.Watermark);
        this.f64(event.timestamp);
        break;
      case 'status':
        this.u8(EventTag.Status);
        this.u8(event.idle ? 1 : 0);
        break;
      case 'barrier':
        this.u8(EventTag.Barrier);
        this.f64(event.checkpointId);
        this.f64(event.timestamp);
        this.u8(event.savepoint ? 1 : 0);
        break;
      case 'cancel-barrier':
        this.u8(EventTag.CancelBarrier);
        this.f64(event.checkpointId);
        break;
      case 'end-of-input':
        this.u8(EventTag.EndOfInput);
        break;
    }
    this.view.setUint32(0, this.pos - 4, true);
    return this.bytes.subarray(0, this.pos);
  }

  private batch(batch: RecordBatch): void {
    const rows = batch.rows;
    this.u32(rows.length);
    const { kinds, keyGroups } = batch;
    this.u8((kinds === undefined ? 0 : BatchFlag.Kinds) | (keyGroups === undefined ? 0 : BatchFlag.KeyGroups));
    if (kinds !== undefined) {
      this.ensure(kinds.length);
      this.bytes.set(kinds, this.pos);
      this.pos += kinds.length;
    }
    if (keyGroups !== undefined) {
      this.ensure(keyGroups.byteLength);
      this.bytes.set(new Uint8Array(keyGroups.buffer, keyGroups.byteOffset, keyGroups.byteLength), this.pos);
      this.pos += keyGroups.byteLength;
    }
    for (let r = 0; r < rows.length; r++) {
      const row = rows[r]!;
      this.u32(row.length);
      for (let c = 0; c < row.length; c++) this.value(row[c]);
    }
  }
}

/** Reads values that a `ValueWriter` wrote; `what` names the source in errors ("thread channel: unknown value tag 99"). */
export class ValueReader {
  protected bytes = stringBuffer(0);
  protected view = new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength);
  protected pos = 0;

  constructor(private readonly what: string) {}

  /** Reads from `bytes` from now on (at the current position: set `pos` after). */
  protected read(bytes: Buffer): void {
    if (bytes === this.bytes) return;
    this.bytes = bytes as StringBuffer;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  protected value(): unknown {
    const tag = this.bytes[this.pos++] as ValueTag;
    switch (tag) {
      case ValueTag.Int32: {
        const n = this.view.getInt32(this.pos, true);
        this.pos += 4;
        return n;
      }
      case ValueTag.Double:
        return this.f64();
      case ValueTag.String:
        return this.string();
      case ValueTag.AsciiString: {
        const length = this.u32();
        const start = this.pos;
        this.pos += length;
        return this.bytes.latin1Slice(start, this.pos);
      }
      case ValueTag.Utf16String: {
        const length = this.u32();
        const start = this.pos;
        this.pos += length;
        return this.bytes.ucs2Slice(start, this.pos);
      }
      case ValueTag.Null:
        return null;
      case ValueTag.Undefined:
        return undefined;
      case ValueTag.False:
        return false;
      case ValueTag.True:
        return true;
      case ValueTag.BigInt:
        return BigInt(this.string());
      case ValueTag.Date:
        return new Date(this.f64());
      case ValueTag.Array: {
        const length = this.u32();
        const array = new Array<unknown>(length);
        for (let i = 0; i < length; i++) array[i] = this.value();
        return array;
      }
      case ValueTag.Object: {
        const count = this.u32();
        const object: Record<string, unknown> = {};
        for (let i = 0; i < count; i++) {
          const key = this.string();
          // A '__proto__' key is data here, not the prototype.
          Object.defineProperty(object, key, { value: this.value(), enumerable: true, writable: true, configurable: true });
        }
        return object;
      }
      case ValueTag.Bytes: {
        return this.copy(this.u32());
      }
      default:
        throw new Error(`${this.what}: unknown value tag ${tag as number}`);
    }
  }

  /** The next `length` bytes as a Uint8Array of their own (the frame buffer is reused). */
  protected copy(length: number): Uint8Array {
    const bytes = new Uint8Array(length);
    bytes.set(this.bytes.subarray(this.pos, this.pos + length));
    this.pos += length;
    return bytes;
  }

  protected string(): string {
    const length = this.u32();
    const start = this.pos;
    this.pos += length;
    return this.bytes.utf8Slice(start, this.pos);
  }

  protected u32(): number {
    const n = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return n;
  }

  protected f64(): number {
    const n = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return n;
  }
}

/** Decodes an event from what `EventEncoder` framed (without the length). */
export class EventDecoder extends ValueReader {
  constructor() {
    super('thread channel');
  }

  /** The event in `bytes[start, start + length)` (`start` 0 by default). */
  decode(bytes: Buffer, length: number, start = 0): ChannelEvent {
    this.read(bytes);
    this.pos = start;
    const event = this.event();
    if (this.pos !== start + length) throw new Error(`thread channel: an event of ${length} bytes decoded from ${this.pos - start}`);
    return event;
  }

  private event(): ChannelEvent {
    const tag = this.bytes[this.pos++] as EventTag;
    switch (tag) {
      case EventTag.Batch:
        return { type: 'batch', batch: this.batch() };
      case EventTag.Watermark:
        return { type: 'watermark', timestamp: this.f64() };
      case EventTag.Status:
        return { type: 'status', idle: this.bytes[this.pos++] === 1 };
      case EventTag.Barrier: {
        const checkpointId = this.f64();
        const timestamp = this.f64();
        return { type: 'barrier', checkpointId, timestamp, savepoint: this.bytes[this.pos++] === 1 };
      }
      case EventTag.CancelBarrier:
        return { type: 'cancel-barrier', checkpointId: this.f64() };
      case EventTag.EndOfInput:
        return { type: 'end-of-input' };
      default:
        throw new Error(`thread channel: unknown event tag ${tag as number}`);
    }
  }

  private batch(): RecordBatch {
    const count = this.u32();
    const flags = this.bytes[this.pos++]!;
    const kinds = (flags & BatchFlag.Kinds) === 0 ? undefined : this.copy(count);
    let keyGroups: Uint16Array | undefined;
    if ((flags & BatchFlag.KeyGroups) !== 0) {
      keyGroups = new Uint16Array(count);
      new Uint8Array(keyGroups.buffer).set(this.bytes.subarray(this.pos, this.pos + 2 * count));
      this.pos += 2 * count;
    }
    const rows = new Array<unknown[]>(count);
    for (let r = 0; r < count; r++) {
      const length = this.u32();
      const row = new Array<unknown>(length);
      for (let c = 0; c < length; c++) row[c] = this.value();
      rows[r] = row;
    }
    return makeBatch(rows, kinds, keyGroups);
  }
}

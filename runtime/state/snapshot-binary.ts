import { ValueReader, ValueWriter } from '../channels/batch-codec.js';
import type { KeyGroupRange } from './key-groups.js';
import type { CellLayout, KeyedStateDelta, KeyedStateSnapshot, StateEntry, StateEntrySink } from './keyed-state-backend.js';
import { KeyedStateHeaderSchema, keyedStateHeader, parseKeyedStateLines, SnapshotFormatError, type KeyedStateHeader, type ParsedKeyedState } from './snapshot-format.js';

/**
 * The binary encoding of keyed-state files, for checkpoints only (savepoints stay JSON lines, snapshot-format.ts,
 * which are relocatable between versions and readable by eye). It holds what the JSON lines hold, entry for entry
 * and in the same order, but costs no JSON text per entry: each record is encoded straight into one reused buffer
 * with the thread channel's value codec (channels/batch-codec.ts), and a chain merge copies records as bytes.
 *
 * Layout: the magic (`MAGIC`, starting with a NUL byte, so never JSON), then records, each a u32 length (little
 * endian) and that many bytes of body starting with its type:
 * - `Header` (first record, once): the JSON header of snapshot-format.ts (UTF-8), `"delta": true` for a delta;
 * - `Key` (deltas only): u32 key group, the key — every entry up to the next `Key` belongs to that key, as in a
 *   JSON delta's `[keyGroup, key]` line;
 * - `Entry`: u32 key group, the key, the state's name, the namespace, the value, and for a map-layout state the
 *   map key, each a value of the codec (a tag, then the payload: a key's bytes identify it, so merges compare them
 *   without decoding). The state goes by name, not by an index into the header, so that a merge can copy a record
 *   into a file whose header lists more states;
 * - `End` (last record, once): f64 entries, f64 keys (a truncated file is detected).
 * The file's size and sha256 are in `_metadata` and checked before it is read, as for JSON files.
 */
export const BINARY_MAGIC = Buffer.from('\u0000sluice.keyed-state.bin\n', 'latin1');

export const enum RecordType {
  Header = 0,
  Entry = 1,
  Key = 2,
  End = 3,
}

/** Offsets inside a record (from the start of its length): its type, and of an entry or key record the key group and key. */
export const RECORD_TYPE_AT = 4;
export const RECORD_GROUP_AT = 5;
export const RECORD_KEY_AT = 9;

/**
 * A piece is handed to the writer once it holds PIECE_BYTES and its encoding took PIECE_MS, or once it holds
 * MAX_PIECE_BYTES. The task runs between pieces, and each piece waits for a turn of the event loop, in which every
 * task of the thread runs its slice (stream-task.ts, 10 ms): a fixed 256 KiB piece, ~4 ms of encoding, made a
 * 4 MiB file wait for 15 turns (q5: ~0.6 s of a ~0.8 s write, its copy-on-write on all along). A budget of one
 * slice (10 ms, before) gave the writer a third of the thread or less where several tasks share it (a job at
 * parallelism 1 runs all of its tasks on the main thread), so an unpaced 3 M-key aggregate's delta took several
 * times its CPU in wall time and its checkpoints 4–5 s in median; at 40 ms the writer gets about half of the
 * thread or more while a checkpoint is written: the same job's checkpoints took about half as long, at the same
 * events per CPU-second (bench/README.md, "The `disk` backend, part 7").
 */
const PIECE_BYTES = 256 * 1024;
const PIECE_MS = 40;
const MAX_PIECE_BYTES = 16 * 1024 * 1024;
/** Bytes encoded between looks at the clock. */
const CLOCK_EVERY_BYTES = 64 * 1024;

/** The longest string value (encoded: tag, length, bytes) that `RepeatedText` keeps. */
const REPEAT_MAX_BYTES = 256;

/**
 * The last string written in one field of the entry records (the key, the state's name, the namespace) and its
 * encoded bytes. Consecutive records mostly repeat them (a map cell's entries, a bucket's state, a window's or a
 * timer's namespace), and copying ~10 bytes in a loop costs less than the native `utf8Write` call per string,
 * which was most of the writer's own time. The copy is the same bytes, so merges still compare keys by bytes.
 */
class RepeatedText {
  text: string | undefined = undefined;
  length = 0;
  readonly bytes = new Uint8Array(REPEAT_MAX_BYTES);
}

/** Decides where pieces end (PIECE_MS): `full(size)` after each record, the clock read once per CLOCK_EVERY_BYTES. */
class PieceBudget {
  private started = performance.now();
  private nextLook = PIECE_BYTES;

  full(size: number): boolean {
    if (size < this.nextLook) return false;
    if (size < MAX_PIECE_BYTES && performance.now() - this.started < PIECE_MS) {
      this.nextLook = size + CLOCK_EVERY_BYTES;
      return false;
    }
    this.nextLook = PIECE_BYTES;
    return true;
  }

  /** The next piece starts now (after the writer took the last one). */
  restart(): void {
    this.started = performance.now();
  }
}

export function isBinaryKeyedState(data: Uint8Array): boolean {
  return data.length >= BINARY_MAGIC.length && BINARY_MAGIC.equals(data.subarray(0, BINARY_MAGIC.length));
}

/**
 * Encodes one file's records into a reused buffer. `take()` hands out what was encoded since the last call: a view
 * of the buffer, valid until the next record is encoded (the writer awaits each piece's write before asking for
 * the next; a caller keeping pieces copies them).
 */
export class KeyedStateRecordWriter extends ValueWriter {
  private readonly isMap = new Map<string, boolean>();
  /** The state of the last entry and whether it is of the map layout (a bucket's entries share it). */
  private lastState: string | undefined = undefined;
  private lastIsMap = false;
  private readonly keyText = new RepeatedText();
  private readonly stateText = new RepeatedText();
  private readonly namespaceText = new RepeatedText();
  private entries = 0;
  private keys = 0;
  /** The key of the delta's current `Key` record: an entry of another key is a programming error. */
  private currentKey: string | undefined;

  constructor(
    header: KeyedStateHeader,
    private readonly delta: boolean,
  ) {
    super('be written to a checkpoint');
    this.bytes.set(BINARY_MAGIC, 0);
    this.pos = BINARY_MAGIC.length;
    for (const [state, layout] of Object.entries(header.states)) this.isMap.set(state, layout === 'map');
    const start = this.begin(RecordType.Header);
    const text = JSON.stringify(delta ? { ...header, delta: true } : header);
    this.ensure(text.length * 3);
    this.pos += this.bytes.write(text, this.pos, 'utf8');
    this.finish(start);
  }

  get size(): number {
    return this.pos;
  }

  take(): Buffer {
    const piece = this.bytes.subarray(0, this.pos);
    this.pos = 0;
    return piece;
  }

  entry(entry: StateEntry): void {
    this.fields(entry.keyGroup, entry.key, entry.state, entry.namespace, entry.value, entry.mapKey);
  }

  /** An entry record from its fields (`mapKey` of map-layout states only): `entry` without the StateEntry. */
  fields(keyGroup: number, key: string, state: string, namespace: string, value: unknown, mapKey: unknown): void {
    let isMap = this.lastIsMap;
    if (state !== this.lastState) {
      const layout = this.isMap.get(state);
      if (layout === undefined) throw new Error(`keyed state entry of state '${state}', which the snapshot's layouts do not declare`);
      this.lastState = state;
      this.lastIsMap = isMap = layout;
    }
    if (this.delta && key !== this.currentKey) throw new Error(`keyed state delta: an entry of key ${key} outside that key's change`);
    const start = this.begin(RecordType.Entry);
    this.u32(keyGroup);
    this.repeatedText(this.keyText, key);
    this.repeatedText(this.stateText, state);
    this.repeatedText(this.namespaceText, namespace);
    this.value(value);
    if (isMap) this.value(mapKey);
    this.finish(start);
    this.entries++;
  }

  key(keyGroup: number, key: string): void {
    const start = this.begin(RecordType.Key);
    this.u32(keyGroup);
    this.repeatedText(this.keyText, key);
    this.finish(start);
    this.currentKey = key;
    this.keys++;
  }

  /** `entries` entry records as they were read from another file of this encoding (a chain merge): copied, counted. */
  copyEntries(source: Uint8Array, start: number, end: number, entries: number): void {
    this.ensure(end - start);
    this.bytes.set(source.subarray(start, end), this.pos);
    this.pos += end - start;
    this.entries += entries;
  }

  end(): void {
    const start = this.begin(RecordType.End);
    this.f64(this.entries);
    this.f64(this.keys);
    this.finish(start);
  }

  /** A string value, as `value` writes it, copied from `last` when it repeats the last one written there. */
  private repeatedText(last: RepeatedText, text: string): void {
    if (text === last.text) {
      const length = last.length;
      this.ensure(length);
      const target = this.bytes;
      const source = last.bytes;
      let pos = this.pos;
      for (let i = 0; i < length; i++) target[pos++] = source[i]!;
      this.pos = pos;
      return;
    }
    const start = this.pos;
    this.value(text);
    const length = this.pos - start;
    if (length > REPEAT_MAX_BYTES) {
      last.text = undefined;
      return;
    }
    const written = this.bytes;
    const kept = last.bytes;
    for (let i = 0; i < length; i++) kept[i] = written[start + i]!;
    last.text = text;
    last.length = length;
  }

  private begin(type: RecordType): number {
    const start = this.pos;
    this.ensure(5);
    this.pos += 4;
    this.bytes[this.pos++] = type;
    return start;
  }

  private finish(start: number): void {
    this.view.setUint32(start, this.pos - start - 4, true);
  }
}

/** The pieces of a full snapshot's file (see `KeyedStateRecordWriter.take` for how long each is valid). Lazy. */
export function binaryKeyedState(snapshot: KeyedStateSnapshot): Generator<Buffer> {
  if (snapshot.writeEntries !== undefined) return binaryKeyedStateWritten(snapshot, snapshot.writeEntries.bind(snapshot));
  return binaryKeyedStateOf(snapshot.maxParallelism, snapshot.keyGroupRange, snapshot.layouts, snapshot.entries());
}

/**
 * The pieces of a snapshot whose backend hands its entries to the writer (`writeEntries`: a heap base), the same
 * bytes as `binaryKeyedStateOf` of its `entries()` without a StateEntry per entry.
 */
function* binaryKeyedStateWritten(snapshot: KeyedStateSnapshot, writeEntries: NonNullable<KeyedStateSnapshot['writeEntries']>): Generator<Buffer> {
  const writer = new KeyedStateRecordWriter(keyedStateHeader(snapshot.maxParallelism, snapshot.keyGroupRange, snapshot.layouts), false);
  const budget = new PieceBudget();
  const sink: StateEntrySink = {
    entry: (keyGroup, key, state, namespace, value, mapKey) => writer.fields(keyGroup, key, state, namespace, value, mapKey),
    full: () => budget.full(writer.size),
  };
  for (const _ of writeEntries(sink)) {
    yield writer.take();
    budget.restart();
  }
  writer.end();
  yield writer.take();
}

/** The pieces of a snapshot of `keyGroupRange` holding `entries` (canonical order, inside the range): one chunk of a `disk` base. */
export function* binaryKeyedStateOf(
  maxParallelism: number,
  keyGroupRange: KeyGroupRange,
  layouts: ReadonlyMap<string, CellLayout>,
  entries: Iterable<StateEntry>,
): Generator<Buffer> {
  const writer = new KeyedStateRecordWriter(keyedStateHeader(maxParallelism, keyGroupRange, layouts), false);
  const budget = new PieceBudget();
  for (const entry of entries) {
    writer.entry(entry);
    if (budget.full(writer.size)) {
      yield writer.take();
      budget.restart();
    }
  }
  writer.end();
  yield writer.take();
}

/** The pieces of a delta's file: per changed key a `Key` record and the key's entries now. Lazy. */
export function* binaryKeyedStateDelta(delta: KeyedStateDelta): Generator<Buffer> {
  const writer = new KeyedStateRecordWriter(keyedStateHeader(delta.maxParallelism, delta.keyGroupRange, delta.layouts), true);
  const budget = new PieceBudget();
  for (const change of delta.changes()) {
    writer.key(change.keyGroup, change.key);
    for (const entry of change.entries) writer.entry(entry);
    if (budget.full(writer.size)) {
      yield writer.take();
      budget.restart();
    }
  }
  writer.end();
  yield writer.take();
}

/** The header record's content (a merge reads it to learn a file's states); throws a SnapshotFormatError. */
export function parseBinaryHeader(body: Buffer): KeyedStateHeader {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    throw new SnapshotFormatError('its header record is not valid JSON', 1, 'record');
  }
  const result = KeyedStateHeaderSchema.safeParse(json);
  if (!result.success) throw new SnapshotFormatError(`its header record is not a keyed-state header (${result.error.issues[0]?.message ?? 'invalid'})`, 1, 'record');
  return result.data;
}

/** Reads a whole file of this encoding; throws a SnapshotFormatError naming the record for anything else. */
class BinaryStateParser extends ValueReader {
  /** The record being read, from 1 (the header). */
  record = 0;

  constructor() {
    super('binary keyed state');
  }

  parse(data: Buffer): ParsedKeyedState {
    this.read(data);
    this.pos = BINARY_MAGIC.length;
    let end = this.next(data);
    if (end < 0 || data[this.pos++] !== RecordType.Header) throw this.error('no header record');
    const header = parseBinaryHeader(data.subarray(this.pos, end));
    this.pos = end;
    const delta = header.delta === true;
    const entries: StateEntry[] = [];
    const changedKeys = new Map<string, number>();
    let currentKey: string | undefined;
    for (;;) {
      end = this.next(data);
      if (end < 0) throw this.error('truncated: no end record');
      const type = data[this.pos++];
      if (type === RecordType.End) {
        const counted = this.f64();
        const keys = this.f64();
        if (counted !== entries.length) throw this.error(`the end record counts ${counted} entries but ${entries.length} were read`);
        if (delta && keys !== changedKeys.size) throw this.error(`the end record counts ${keys} keys but ${changedKeys.size} were read`);
        if (this.pos !== end || end !== data.length) throw this.error('content after the end record');
        return delta ? { header, entries, changedKeys } : { header, entries };
      }
      const keyGroup = this.u32();
      const key = this.text('key');
      if (type === RecordType.Key && delta) {
        if (changedKeys.has(key)) throw this.error(`key ${key} is listed twice`);
        changedKeys.set(key, keyGroup);
        currentKey = key;
      } else if (type === RecordType.Entry) {
        if (delta && key !== currentKey) throw this.error(`entry of key ${key} outside that key's change`);
        const state = this.text('state');
        const layout = header.states[state];
        if (layout === undefined) throw this.error(`entry of state '${state}', which the header does not declare`);
        const namespace = this.text('namespace');
        const value = this.value();
        entries.push(layout === 'map' ? { state, keyGroup, key, namespace, value, hasMapKey: true, mapKey: this.value() } : { state, keyGroup, key, namespace, value, hasMapKey: false });
      } else {
        throw this.error(`unknown record type ${String(type)}`);
      }
      if (this.pos !== end) throw this.error('its length does not match its content');
    }
  }

  /** Starts the next record: its end, with `pos` at its type; -1 when no whole record is left. */
  private next(data: Buffer): number {
    this.record++;
    if (this.pos + 5 > data.length) return -1;
    const end = this.pos + 4 + this.u32();
    return end > data.length ? -1 : end;
  }

  private text(what: string): string {
    const value = this.value();
    if (typeof value !== 'string') throw this.error(`its ${what} is not a string`);
    return value;
  }

  private error(message: string): SnapshotFormatError {
    return new SnapshotFormatError(message, this.record, 'record');
  }
}

/**
 * A keyed-state file of either encoding: binary (checkpoints, from metadata version 7) when it starts with the
 * magic, else JSON lines (savepoints, and checkpoints written before). Throws a SnapshotFormatError.
 */
export function parseKeyedStateFile(data: Buffer): ParsedKeyedState {
  if (!isBinaryKeyedState(data)) return parseKeyedStateLines(data.toString('utf8').split('\n'));
  const parser = new BinaryStateParser();
  try {
    return parser.parse(data);
  } catch (error) {
    // A damaged value (a wrong tag, a length past the end) fails inside the codec: still a format error.
    if (error instanceof SnapshotFormatError) throw error;
    throw new SnapshotFormatError(`it cannot be decoded (${(error as Error).message})`, parser.record, 'record');
  }
}

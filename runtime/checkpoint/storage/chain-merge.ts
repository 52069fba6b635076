import { createHash } from 'node:crypto';
import { keyedStateHeader, type KeyedStateHeader } from '../../state/snapshot-format.js';
import {
  BINARY_MAGIC,
  KeyedStateRecordWriter,
  parseBinaryHeader,
  RECORD_GROUP_AT,
  RECORD_KEY_AT,
  RECORD_TYPE_AT,
  RecordType,
} from '../../state/snapshot-binary.js';
import type { CellLayout } from '../../state/keyed-state-backend.js';
import type { KeyGroupRange } from '../../state/key-groups.js';
import type { StateFile } from '../metadata/metadata-v4.js';
import type { CheckpointFileSystem } from './file-system.js';

/**
 * Merging a chain (a base and its deltas, binary keyed-state files: state/snapshot-binary.ts) into one new base
 * file, in the background: the task then only ever writes deltas after its first checkpoint. The merge copies
 * records as bytes: of each record only its length, type, key group and key bytes are read, so no value is
 * decoded or encoded again, and a run of consecutive base records that are kept is copied at once. The deltas
 * (each smaller than the base, else the chain would have been merged before) are held in memory by key group; the
 * base is streamed. The merged file lists the key groups in order; inside a key group the base's unchanged entries
 * come first, then the changed keys' entries (readers need key-group order only). Every input's size and sha256
 * are checked as it is read: a damaged file fails the merge. A chain's files are all written by this process, so
 * all binary (JSON-lines files, from before version 7, only ever start a chain after a restore: as a new base).
 */

/** One input of a merge: where the file is and what `_metadata` says it holds. */
export interface ChainInput {
  readonly file: string;
  readonly expected: Pick<StateFile, 'bytes' | 'sha256'>;
}

/** Read in pieces of this size, so that the task runs between them. */
const READ_BYTES = 1024 * 1024;
/** About this many bytes of the merged file are handed to the writer at once. */
const PIECE_BYTES = 256 * 1024;

/** A changed key's entry records, copied out of its delta, and how many there are. */
interface ChangedKey {
  records: Buffer;
  entries: number;
}

const NO_RECORDS = Buffer.alloc(0);

/**
 * The merged file, in pieces (each valid until the next is asked for: `writePieces` awaits its write first).
 * `bases`: the base's files in key-group order (one, or a `disk` base's chunks); `deltas` in order. Records are
 * handled a read (1 MiB) at a time, so the promises per merge are per read, not per record.
 */
export async function* mergedChainPieces(
  fs: CheckpointFileSystem,
  bases: readonly ChainInput[],
  deltas: readonly ChainInput[],
  maxParallelism: number,
  range: KeyGroupRange,
): AsyncGenerator<Buffer> {
  const layouts = new Map<string, CellLayout>();
  /** By key group, by the key's bytes (as a latin1 string: equal strings, equal bytes). */
  const changes = new Map<number, Map<string, ChangedKey>>();
  for (const delta of deltas) {
    try {
      await readDelta(fs, delta, layouts, changes);
    } catch (error) {
      throw await rootCause(fs, delta, error);
    }
  }
  const groups = [...changes.keys()].sort((a, b) => a - b);
  let nextGroup = 0;
  let out: KeyedStateRecordWriter | undefined;
  /** Appends the changed keys' entries of every key group before `group`. */
  const changedBefore = (group: number) => {
    while (nextGroup < groups.length && groups[nextGroup]! < group) {
      for (const { records, entries } of changes.get(groups[nextGroup++]!)!.values()) out!.copyEntries(records, 0, records.length, entries);
    }
  };
  const readers = bases.map((base) => ({ base, windows: recordWindows(fs, base) }));
  /** The base being read, to explain a failure. */
  let reading: ChainInput | undefined;
  try {
    yield* mergeBases();
  } catch (error) {
    throw reading === undefined ? error : await rootCause(fs, reading, error);
  } finally {
    // Closes the files of bases not read to their end (a failed merge).
    await Promise.all(readers.map(({ windows }) => windows.return(undefined)));
  }
  async function* mergeBases(): AsyncGenerator<Buffer> {
    const firsts: RecordWindow[] = [];
    for (const { base, windows } of readers) {
      reading = base;
      const first = await windows.next();
      if (first.done === true || first.value.buffer[first.value.start + RECORD_TYPE_AT] !== RecordType.Header) {
        throw new Error(`state file ${base.file} does not start with a header record`);
      }
      const { buffer, start } = first.value;
      const header = headerOf(buffer, start, base.file, false);
      for (const [state, layout] of Object.entries(header.states)) if (!layouts.has(state)) layouts.set(state, layout);
      firsts.push({ buffer, start: start + 4 + buffer.readUInt32LE(start), end: first.value.end });
    }
    out = new KeyedStateRecordWriter(keyedStateHeader(maxParallelism, range, layouts), false);
    for (let i = 0; i < readers.length; i++) {
      const { base, windows } = readers[i]!;
      reading = base;
      let baseEntries = 0;
      let ended = false;
      const merge = ({ buffer, start, end }: RecordWindow) => {
        /** The start of the run of kept records not yet copied. */
        let run = start;
        let runEntries = 0;
        for (let at = start; at < end; at += 4 + buffer.readUInt32LE(at)) {
          if (ended) throw new Error(`state file ${base.file} has content after its end record`);
          const type = buffer[at + RECORD_TYPE_AT];
          if (type === RecordType.End) {
            if (buffer.readDoubleLE(at + RECORD_TYPE_AT + 1) !== baseEntries) throw new Error(`state file ${base.file}: its end record does not count its ${baseEntries} entries`);
            out!.copyEntries(buffer, run, at, runEntries);
            run = end;
            runEntries = 0;
            ended = true;
            continue;
          }
          if (type !== RecordType.Entry) throw new Error(`state file ${base.file} has a record of type ${String(type)} where an entry belongs`);
          baseEntries++;
          const group = buffer.readUInt32LE(at + RECORD_GROUP_AT);
          if (nextGroup < groups.length && groups[nextGroup]! < group) {
            out!.copyEntries(buffer, run, at, runEntries);
            run = at;
            runEntries = 0;
            changedBefore(group);
          }
          const keys = changes.get(group);
          if (keys !== undefined && keys.has(keyBytes(buffer, at))) {
            out!.copyEntries(buffer, run, at, runEntries);
            run = at + 4 + buffer.readUInt32LE(at);
            runEntries = 0;
            continue;
          }
          runEntries++;
        }
        out!.copyEntries(buffer, run, end, runEntries);
      };
      merge(firsts[i]!);
      if (out.size >= PIECE_BYTES) yield out.take();
      for await (const window of windows) {
        merge(window);
        if (out.size >= PIECE_BYTES) yield out.take();
      }
      if (!ended) throw new Error(`state file ${base.file} is truncated: no end record`);
    }
    reading = undefined;
    changedBefore(Number.POSITIVE_INFINITY);
    out.end();
    yield out.take();
  }
}

/** Adds a delta's changes on top of those read before: a key's entries are replaced by the later delta's. */
async function readDelta(fs: CheckpointFileSystem, input: ChainInput, layouts: Map<string, CellLayout>, changes: Map<number, Map<string, ChangedKey>>): Promise<void> {
  let header = false;
  let ended = false;
  let current: ChangedKey | undefined;
  /** The current key's entry records copied out of earlier windows (a key's records may span two reads). */
  const parts: Buffer[] = [];
  for await (const { buffer, start, end } of recordWindows(fs, input)) {
    /** The start of the current key's entry records not yet copied out of this window. */
    let entriesFrom = start;
    const keep = (to: number, last: boolean) => {
      if (current === undefined) return;
      if (to > entriesFrom) parts.push(Buffer.from(buffer.subarray(entriesFrom, to)));
      if (!last) return;
      current.records = parts.length === 0 ? NO_RECORDS : parts.length === 1 ? parts[0]! : Buffer.concat(parts);
      parts.length = 0;
    };
    for (let at = start; at < end; at += 4 + buffer.readUInt32LE(at)) {
      const type = buffer[at + RECORD_TYPE_AT];
      if (!header) {
        if (type !== RecordType.Header) throw new Error(`state file ${input.file} does not start with a delta header record`);
        for (const [state, layout] of Object.entries(headerOf(buffer, at, input.file, true).states)) layouts.set(state, layout);
        header = true;
        entriesFrom = at + 4 + buffer.readUInt32LE(at);
        continue;
      }
      if (ended) throw new Error(`state file ${input.file} has content after its end record`);
      if (type === RecordType.Entry) {
        if (current === undefined) throw new Error(`state file ${input.file}: an entry before any key record`);
        current.entries++;
        continue;
      }
      keep(at, true);
      entriesFrom = at + 4 + buffer.readUInt32LE(at);
      if (type === RecordType.End) {
        ended = true;
        current = undefined;
      } else if (type === RecordType.Key) {
        // The entries that follow are all the key holds now.
        const group = buffer.readUInt32LE(at + RECORD_GROUP_AT);
        let keys = changes.get(group);
        if (keys === undefined) changes.set(group, (keys = new Map()));
        current = { records: NO_RECORDS, entries: 0 };
        keys.set(keyBytes(buffer, at), current);
      } else {
        throw new Error(`state file ${input.file} has a record of unknown type ${String(type)}`);
      }
    }
    keep(end, false);
  }
  if (!ended) throw new Error(`state file ${input.file} is truncated: no end record`);
}

function headerOf(buffer: Buffer, at: number, file: string, delta: boolean): KeyedStateHeader {
  let header: KeyedStateHeader | undefined;
  try {
    header = parseBinaryHeader(buffer.subarray(at + RECORD_TYPE_AT + 1, at + 4 + buffer.readUInt32LE(at)));
  } catch {
    header = undefined;
  }
  if (header === undefined || (header.delta === true) !== delta) throw new Error(`state file ${file} does not start with a ${delta ? 'delta' : 'snapshot'} header`);
  return header;
}

/** The bytes of the key of the entry or key record at `at` (its value tag, length and bytes), as a latin1 string. */
function keyBytes(buffer: Buffer, at: number): string {
  const length = buffer.readUInt32LE(at + RECORD_KEY_AT + 1);
  return buffer.toString('latin1', at + RECORD_KEY_AT, at + RECORD_KEY_AT + 5 + length);
}

/** Whole records of a file, `buffer[start, end)`: valid until the next window is asked for. */
interface RecordWindow {
  readonly buffer: Buffer;
  readonly start: number;
  readonly end: number;
}

/**
 * The file's records (after its magic), a read at a time, each window holding whole records only; at the end,
 * throws unless its size and sha256 are those `_metadata` records.
 */
async function* recordWindows(fs: CheckpointFileSystem, input: ChainInput): AsyncGenerator<RecordWindow> {
  const handle = await fs.open(input.file, 'r');
  try {
    const hash = createHash('sha256');
    let buffer = Buffer.allocUnsafe(READ_BYTES);
    let filled = 0;
    let start = -1;
    let bytes = 0;
    for (;;) {
      if (start > 0) {
        // Keep the partial record at the end; grow the buffer when it would not fit otherwise.
        buffer.copy(buffer, 0, start, filled);
        filled -= start;
        start = 0;
      }
      if (filled === buffer.length) {
        const grown = Buffer.allocUnsafe(buffer.length * 2);
        buffer.copy(grown, 0, 0, filled);
        buffer = grown;
      }
      const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, null);
      if (bytesRead === 0) break;
      hash.update(buffer.subarray(filled, filled + bytesRead));
      bytes += bytesRead;
      filled += bytesRead;
      if (start < 0) {
        if (filled < BINARY_MAGIC.length) continue;
        if (!BINARY_MAGIC.equals(buffer.subarray(0, BINARY_MAGIC.length))) throw new Error(`state file ${input.file} is not a binary keyed-state file`);
        start = BINARY_MAGIC.length;
      }
      let end = start;
      while (end + 4 <= filled && end + 4 + buffer.readUInt32LE(end) <= filled) end += 4 + buffer.readUInt32LE(end);
      if (end > start) {
        yield { buffer, start, end };
        start = end;
      }
    }
    if (bytes !== input.expected.bytes || hash.digest('hex') !== input.expected.sha256) {
      throw new Error(`state file ${input.file} does not match its size and sha256 checksum (altered or damaged)`);
    }
    if (start < 0 || start !== filled) throw new Error(`state file ${input.file} is truncated: its last record is incomplete`);
  } finally {
    await handle.close();
  }
}

/**
 * Why reading `input` failed: a file that is not what `_metadata` says (size, sha256) fails to parse somewhere,
 * and that is the cause to report, naming the file; otherwise `error` itself.
 */
async function rootCause(fs: CheckpointFileSystem, input: ChainInput, error: unknown): Promise<unknown> {
  try {
    for await (const window of recordWindows(fs, input)) void window;
  } catch (mismatch) {
    return mismatch;
  }
  return error;
}

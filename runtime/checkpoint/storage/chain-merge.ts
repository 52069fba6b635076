import { createHash } from 'node:crypto';
import { KeyedStateHeaderSchema, keyedStateHeader, type KeyedStateHeader } from '../../state/snapshot-format.js';
import type { CellLayout } from '../../state/keyed-state-backend.js';
import type { KeyGroupRange } from '../../state/key-groups.js';
import type { StateFile } from '../metadata/metadata-v4.js';
import type { CheckpointFileSystem } from './file-system.js';

/**
 * Merging a chain (a base and its deltas, snapshot-format.ts) into one new base file, in the background: the task
 * then only ever writes deltas after its first checkpoint. The merge works on the text of the lines: an entry is
 * copied as it was written, and of each line only its key group and key are read, so no value is parsed or
 * encoded again. The deltas (each smaller than the base, else the chain would have been merged before) are held
 * in memory by key group; the base is streamed. The merged file lists the key groups in order; inside a key group
 * the base's unchanged entries come first, then the changed keys' entries in key order (readers need key-group
 * order only). Every input's size and sha256 are checked as it is read: a damaged file fails the merge.
 */

/** One input of a merge: where the file is and what `_metadata` says it holds. */
export interface ChainInput {
  readonly file: string;
  readonly expected: Pick<StateFile, 'bytes' | 'sha256'>;
}

/** Read in pieces of this size, so that the task runs between them. */
const READ_BYTES = 1024 * 1024;

/**
 * The lines of the merged file, in batches: header, entries, trailer. `bases`: the base's files in key-group order
 * (one, or a `disk` base's chunks); `deltas` in order. Lines are handled a read (1 MiB) at a time, so the
 * promises per merge are per read, not per line.
 */
export async function* mergedChainLines(
  fs: CheckpointFileSystem,
  bases: readonly ChainInput[],
  deltas: readonly ChainInput[],
  maxParallelism: number,
  range: KeyGroupRange,
): AsyncGenerator<readonly string[]> {
  const layouts = new Map<string, CellLayout>();
  const changes = new Map<number, Map<string, string[]>>();
  for (const delta of deltas) {
    try {
      await readDelta(fs, delta, layouts, changes);
    } catch (error) {
      throw await rootCause(fs, delta, error);
    }
  }
  const groups = [...changes.keys()].sort((a, b) => a - b);
  let nextGroup = 0;
  let entries = 0;
  /** Appends the changed keys' entries of every key group before `group` to `out`. */
  const changedBefore = (group: number, out: string[]) => {
    while (nextGroup < groups.length && groups[nextGroup]! < group) {
      const keys = changes.get(groups[nextGroup++]!)!;
      for (const key of [...keys.keys()].sort()) {
        for (const line of keys.get(key)!) {
          entries++;
          out.push(line);
        }
      }
    }
  };
  const readers = bases.map((base) => ({ base, batches: fileLineBatches(fs, base) }));
  /** The base being read, to explain a failure. */
  let reading: ChainInput | undefined;
  try {
    yield* mergeBases();
  } catch (error) {
    throw reading === undefined ? error : await rootCause(fs, reading, error);
  } finally {
    // Closes the files of bases not read to their end (a failed merge).
    await Promise.all(readers.map(({ batches }) => batches.return(undefined)));
  }
  async function* mergeBases(): AsyncGenerator<readonly string[]> {
    const firstBatches: string[][] = [];
    for (const { base, batches } of readers) {
      reading = base;
      const first = await batches.next();
      const lines = first.done === true ? [] : first.value;
      const header = parseHeader(lines[0], base.file, false);
      for (const [state, layout] of Object.entries(header.states)) if (!layouts.has(state)) layouts.set(state, layout);
      firstBatches.push(lines.slice(1));
    }
    yield [JSON.stringify(keyedStateHeader(maxParallelism, range, layouts))];
    for (let i = 0; i < readers.length; i++) {
      const { base, batches } = readers[i]!;
      reading = base;
      let baseEntries = 0;
      let ended = false;
      const merge = (lines: readonly string[]): string[] => {
        const out: string[] = [];
        for (const line of lines) {
          if (line === '') continue;
          if (ended) throw new Error(`state file ${base.file} has content after its trailer`);
          if (!line.startsWith('[')) {
            if (trailerCount(line) !== baseEntries) throw new Error(`state file ${base.file}: its trailer does not count its ${baseEntries} entries`);
            ended = true;
            continue;
          }
          baseEntries++;
          const group = leadingGroup(line);
          changedBefore(group, out);
          if (changes.get(group)?.has(jsonStringAt(line, skipJsonString(line, line.indexOf(',') + 1) + 1)) === true) continue;
          entries++;
          out.push(line);
        }
        return out;
      };
      yield merge(firstBatches[i]!);
      for await (const lines of batches) yield merge(lines);
      if (!ended) throw new Error(`state file ${base.file} is truncated: no trailer`);
    }
    reading = undefined;
    const rest: string[] = [];
    changedBefore(Number.POSITIVE_INFINITY, rest);
    rest.push(JSON.stringify({ end: true, entries }));
    yield rest;
  }
}

/** Adds a delta's changes on top of those read before: a key's entries are replaced by the later delta's. */
async function readDelta(fs: CheckpointFileSystem, input: ChainInput, layouts: Map<string, CellLayout>, changes: Map<number, Map<string, string[]>>): Promise<void> {
  let header = false;
  let ended = false;
  let current: string[] | undefined;
  for await (const lines of fileLineBatches(fs, input)) {
    for (const line of lines) {
      if (!header) {
        for (const [state, layout] of Object.entries(parseHeader(line, input.file, true).states)) layouts.set(state, layout);
        header = true;
        continue;
      }
      if (line === '') continue;
      if (ended) throw new Error(`state file ${input.file} has content after its trailer`);
      if (!line.startsWith('[')) {
        ended = true;
        continue;
      }
      const group = leadingGroup(line);
      const afterGroup = line.indexOf(',') + 1;
      const end = skipJsonString(line, afterGroup);
      if (line.charCodeAt(end) === 0x5d /* ] */) {
        // A key line `[keyGroup, key]`: the entries that follow are all the key holds now.
        let keys = changes.get(group);
        if (keys === undefined) changes.set(group, (keys = new Map()));
        current = [];
        keys.set(line.slice(afterGroup, end), current);
      } else if (current === undefined) {
        throw new Error(`state file ${input.file}: an entry before any key line`);
      } else {
        current.push(line);
      }
    }
  }
  if (!ended) throw new Error(`state file ${input.file} is truncated: no trailer`);
}

function parseHeader(line: string | undefined, file: string, delta: boolean): KeyedStateHeader {
  const parsed = line === undefined ? undefined : KeyedStateHeaderSchema.safeParse(safeJson(line));
  if (parsed === undefined || !parsed.success || (parsed.data.delta === true) !== delta) throw new Error(`state file ${file} does not start with a ${delta ? 'delta' : 'snapshot'} header`);
  return parsed.data;
}

/** The file's lines, a read at a time; at the end, throws unless its size and sha256 are those `_metadata` records. */
async function* fileLineBatches(fs: CheckpointFileSystem, input: ChainInput): AsyncGenerator<string[]> {
  const handle = await fs.open(input.file, 'r');
  try {
    const hash = createHash('sha256');
    const buffer = Buffer.allocUnsafe(READ_BYTES);
    let bytes = 0;
    let rest = '';
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, READ_BYTES, null);
      if (bytesRead === 0) break;
      const piece = buffer.subarray(0, bytesRead);
      hash.update(piece);
      bytes += bytesRead;
      // A piece may end inside a multi-byte character: decode up to its last newline (an ASCII byte) only.
      const lastNewline = piece.lastIndexOf(0x0a);
      if (lastNewline < 0) {
        rest += piece.toString('utf8');
        continue;
      }
      const lines = (rest + piece.toString('utf8', 0, lastNewline)).split('\n');
      rest = piece.toString('utf8', lastNewline + 1);
      yield lines;
    }
    if (bytes !== input.expected.bytes || hash.digest('hex') !== input.expected.sha256) {
      throw new Error(`state file ${input.file} does not match its size and sha256 checksum (altered or damaged)`);
    }
    if (rest !== '') yield [rest];
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
    for await (const lines of fileLineBatches(fs, input)) lines.length = 0;
  } catch (mismatch) {
    return mismatch;
  }
  return error;
}

/** The key group an entry or key line starts with: `[<keyGroup>,`. */
function leadingGroup(line: string): number {
  let group = 0;
  for (let i = 1; ; i++) {
    const digit = line.charCodeAt(i) - 0x30;
    if (digit < 0 || digit > 9) return group;
    group = group * 10 + digit;
  }
}

/** The index just past the JSON string that starts (with its quote) at `start`. */
function skipJsonString(line: string, start: number): number {
  if (line.charCodeAt(start) !== 0x22) throw new Error(`not a keyed state line: ${line.slice(0, 80)}`);
  for (let i = start + 1; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === 0x5c /* \ */) i++;
    else if (c === 0x22) return i + 1;
  }
  throw new Error(`not a keyed state line: ${line.slice(0, 80)}`);
}

/** The JSON text of the string starting at `start` (an entry's key: the third field, after its state). */
function jsonStringAt(line: string, start: number): string {
  return line.slice(start, skipJsonString(line, start));
}

function trailerCount(line: string): number | undefined {
  const trailer = safeJson(line) as { end?: unknown; entries?: unknown } | undefined;
  return trailer?.end === true && typeof trailer.entries === 'number' ? trailer.entries : undefined;
}

function safeJson(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}

import path from 'node:path';
import type { ParsedKeyedState } from '../../state/snapshot-format.js';
import { SnapshotFormatError } from '../../state/snapshot-format.js';
import { parseKeyedStateFile } from '../../state/snapshot-binary.js';
import type { OperatorStateList } from '../../state/operator-state.js';
import type { RawStateSnapshot } from '../../state/raw-state.js';
import { METADATA_FILE, type CheckpointMetadata } from '../metadata/metadata-format.js';
import type { OperatorStateEntry } from '../metadata/metadata-v6.js';
import type { StateFile } from '../metadata/metadata-v4.js';
import type { StoredCheckpoint } from '../storage/checkpoint-storage.js';
import type { ChannelStateFile } from '../metadata/metadata-v5.js';
import { parseInFlightLines } from '../channel-state.js';
import type { RecordBatch } from '../../record-batch.js';
import { directoryLocation } from '../storage/file-storage.js';
import { isNotFound, nodeFileSystem, type CheckpointFileSystem } from '../storage/file-system.js';
import { readSnapshotDirectory } from '../storage/read-metadata.js';
import { sha256Of } from '../storage/state-file-writer.js';
import { applyDeltas } from './apply-deltas.js';

/** One operator's state in a checkpoint, read and verified. */
export interface LoadedOperatorState {
  readonly entry: OperatorStateEntry;
  /** Every keyed-state file of every subtask; a subtask's chain of a base and deltas is applied into one. */
  readonly keyed: readonly ParsedKeyedState[];
  /** Operator state per subtask that wrote it, in subtask order. */
  readonly operatorState: readonly (readonly OperatorStateList[])[];
  /** Raw state per subtask that wrote it, in subtask order: each raw state's bytes. */
  readonly rawState: readonly (readonly RawStateSnapshot[])[];
}

export interface LoadedCheckpoint {
  readonly metadata: CheckpointMetadata;
  /** Where it was read from, for messages. */
  readonly description: string;
  readonly operators: readonly LoadedOperatorState[];
  /** An unaligned checkpoint's records in flight, per channel, in the order of its metadata. */
  readonly channelState: readonly LoadedChannelState[];
}

/** The records in flight of one channel-state file, read and verified. */
export interface LoadedChannelState {
  readonly file: ChannelStateFile;
  readonly batches: readonly RecordBatch[];
}

/** Why a checkpoint cannot be used: a missing, truncated or altered state file, named (with its path) in `reason`. */
export class CheckpointReadError extends Error {
  constructor(
    readonly checkpointId: number,
    readonly reason: string,
  ) {
    super(`checkpoint ${checkpointId}: ${reason}`);
    this.name = 'CheckpointReadError';
  }
}

/** Reads every state file `stored` references, checking its size, sha256 and content; rejects with a CheckpointReadError. */
export async function loadCheckpoint(stored: StoredCheckpoint): Promise<LoadedCheckpoint> {
  const { metadata, location } = stored;
  const operators: LoadedOperatorState[] = [];
  for (const entry of metadata.operators) {
    const keyed: ParsedKeyedState[] = [];
    for (const subtask of entry.subtasks) {
      const files: ParsedKeyedState[] = [];
      for (const file of subtask.keyedState) files.push(await readStateFile(stored, file));
      if (subtask.keyedState.some((file) => file.delta === true)) keyed.push(applyDeltas(files, subtask.keyGroupRange, metadata.maxParallelism));
      else keyed.push(...files);
    }
    const subtasks = [...entry.subtasks].sort((a, b) => a.subtask - b.subtask);
    const rawState: RawStateSnapshot[][] = [];
    for (const subtask of subtasks) {
      const states: RawStateSnapshot[] = [];
      for (const file of subtask.rawState) states.push({ name: file.name, bytes: await readVerified(stored, file, `raw state file (state '${file.name}')`) });
      rawState.push(states);
    }
    operators.push({ entry, keyed, operatorState: subtasks.map((s) => s.operatorState), rawState });
  }
  const channelState: LoadedChannelState[] = [];
  for (const file of metadata.channelState) {
    const data = await readVerified(stored, file, 'in-flight records file');
    try {
      channelState.push({ file, batches: parseInFlightLines(data.toString('utf8')) });
    } catch (error) {
      throw new CheckpointReadError(metadata.checkpointId, `in-flight records file ${path.join(location.description, file.path)} is not valid: ${(error as Error).message}`);
    }
  }
  return { metadata, description: location.description, operators, channelState };
}

/** A file of the checkpoint, checked against the size and sha256 its metadata lists. */
async function readVerified({ metadata, location }: StoredCheckpoint, file: { readonly path: string; readonly bytes: number; readonly sha256: string }, what: string): Promise<Buffer> {
  const damaged = (reason: string) => new CheckpointReadError(metadata.checkpointId, `${what} ${path.join(location.description, file.path)} ${reason}`);
  let data: Buffer;
  try {
    data = await location.readFile(file.path);
  } catch (error) {
    throw damaged(isNotFound(error) ? 'is missing' : `cannot be read: ${(error as Error).message}`);
  }
  if (data.length !== file.bytes) throw damaged(`has ${data.length} bytes, the metadata says ${file.bytes} (truncated or altered)`);
  if (sha256Of(data) !== file.sha256) throw damaged('does not match its sha256 checksum (altered or damaged)');
  return data;
}

async function readStateFile(stored: StoredCheckpoint, file: StateFile): Promise<ParsedKeyedState> {
  const { metadata, location } = stored;
  const where = `state file ${path.join(location.description, file.path)}`;
  const damaged = (reason: string) => new CheckpointReadError(metadata.checkpointId, `${where} ${reason}`);
  const data = await readVerified(stored, file, 'state file');
  let parsed: ParsedKeyedState;
  try {
    parsed = parseKeyedStateFile(data);
  } catch (error) {
    if (error instanceof SnapshotFormatError) throw damaged(`is not valid: ${error.message}`);
    throw error;
  }
  if ((parsed.header.delta === true) !== (file.delta === true)) {
    throw damaged(`is ${parsed.header.delta === true ? 'a delta' : 'a complete snapshot'}, not what the metadata lists`);
  }
  const range = parsed.header.keyGroupRange;
  if (range.start !== file.keyGroupRange.start || range.end !== file.keyGroupRange.end || parsed.header.maxParallelism !== metadata.maxParallelism) {
    throw damaged(`holds key groups [${range.start}, ${range.end}] of max parallelism ${parsed.header.maxParallelism}, not what the metadata lists`);
  }
  return parsed;
}

/** `damaged`: the directory holds a checkpoint that completed but whose `_metadata` cannot be used. */
export type OpenResult = { readonly checkpoint: StoredCheckpoint } | { readonly error: string; readonly damaged: boolean };

/** The checkpoint or savepoint at `target`: its directory, or its `_metadata` file, read and verified. Never throws. */
export async function openCheckpoint(target: string, fs: CheckpointFileSystem = nodeFileSystem): Promise<OpenResult> {
  const resolved = path.resolve(target);
  let dir = resolved;
  try {
    if (!(await fs.stat(resolved)).isDirectory()) dir = path.dirname(resolved);
  } catch (error) {
    return { error: isNotFound(error) ? `${target} does not exist` : `${target} cannot be read: ${(error as Error).message}`, damaged: false };
  }
  const read = await readSnapshotDirectory(fs, dir);
  if (read.kind === 'incomplete') {
    return { error: `${dir} holds no ${METADATA_FILE} file: it is not a completed checkpoint or savepoint (an incomplete checkpoint has none)`, damaged: false };
  }
  if (read.kind === 'damaged') return { error: read.reason, damaged: true };
  return { checkpoint: { metadata: read.metadata, location: directoryLocation(dir, fs) } };
}

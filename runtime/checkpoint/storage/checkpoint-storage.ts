import type { StateBackendType, KeyedStateSnapshot } from '../../state/keyed-state-backend.js';
import type { CheckpointMetadata } from '../metadata/metadata-format.js';
import type { StateFile } from '../metadata/metadata-v4.js';
import type { KeyedStateChains } from './keyed-state-chains.js';
import type { WrittenContent } from './state-file-writer.js';

/** Where a completed checkpoint (or savepoint) is, and how to read the state files its metadata references. */
export interface CheckpointLocation {
  /** For messages: the checkpoint's directory, or `memory:chk-<n>`. */
  readonly description: string;
  /** Reads a file by its path in `_metadata`; rejects when it cannot (missing, unreadable). */
  readFile(relativePath: string): Promise<Buffer>;
}

/** A file written into a checkpoint: its path in `_metadata`, size and sha256. */
export interface WrittenFile extends WrittenContent {
  readonly path: string;
}

export interface StoredCheckpoint {
  readonly metadata: CheckpointMetadata;
  readonly location: CheckpointLocation;
}

/** A checkpoint that completed but cannot be used: its `_metadata` is missing, unreadable or fails its checks. */
export interface DamagedCheckpoint {
  readonly checkpointId: number;
  /** Its directory. */
  readonly location: string;
  readonly reason: string;
}

export interface RecoveredCheckpoints {
  /** Complete checkpoints found (their `_metadata` reads), oldest first. */
  readonly completed: readonly StoredCheckpoint[];
  /** Completed checkpoints whose `_metadata` cannot be used, oldest first; kept until retention passes them. */
  readonly damaged: readonly DamagedCheckpoint[];
  /** The highest checkpoint id seen, complete or not: new checkpoints are numbered after it. */
  readonly highestId: number;
  /** Other things found that could not be read (a savepoint record), in words. */
  readonly problems: readonly string[];
  /** The newest savepoint this pipeline took: `--resume` never goes back to a checkpoint older than it. */
  readonly latestSavepoint?: SavepointRecord;
}

/** Where the newest savepoint of a pipeline went, kept next to its checkpoints. */
export interface SavepointRecord {
  readonly checkpointId: number;
  /** The savepoint's directory. */
  readonly path: string;
}

/**
 * Where a job's checkpoints go: `memory` keeps them in this process (no durability, for tests and in-process
 * restarts) and writes every checkpoint in full; `fs` and `disk` write checkpoints incrementally (`chains`:
 * a base and deltas, shared by the retained checkpoints). Savepoints are always written in full. All of them
 * store the same canonical file format and metadata.
 */
export interface CheckpointStorage {
  readonly backend: StateBackendType;
  /** For messages: the pipeline's checkpoint directory, or `memory`. */
  readonly description: string;
  /** Finds the checkpoints of earlier runs and removes what incomplete ones left behind. Call once, first. */
  recover(): Promise<RecoveredCheckpoints>;
  /** Incremental checkpoints; absent when every checkpoint is written in full with `writeKeyedState`. */
  readonly chains?: KeyedStateChains | undefined;
  /** Writes one operator subtask's keyed state in full for checkpoint `checkpointId`; `owner` names it uniquely in the checkpoint. */
  writeKeyedState(checkpointId: number, owner: string, snapshot: KeyedStateSnapshot): Promise<StateFile[]>;
  /**
   * Writes records in flight of an unaligned checkpoint (`lines`: one batch each) as the file `name` of checkpoint
   * `checkpointId`, which owns it alone (discarded with it, never shared).
   */
  writeChannelState(checkpointId: number, name: string, lines: Iterable<string>): Promise<WrittenFile>;
  /** Writes one raw state's bytes (raw-state.ts) as the file `name` of checkpoint `checkpointId`, which owns it alone. */
  writeRawState(checkpointId: number, name: string, bytes: Uint8Array): Promise<WrittenFile>;
  /** Writes `_metadata` atomically: from then on the checkpoint is complete. */
  complete(metadata: CheckpointMetadata): Promise<StoredCheckpoint>;
  /**
   * Removes a checkpoint: a completed one (its completion marker and `_metadata` first, so a crash midway leaves an
   * incomplete one), a damaged one (no `files` known), or an aborted one, whose acknowledged `files` are given. Shared files go once no retained checkpoint references them.
   */
  discard(checkpointId: number, files: readonly StateFile[]): Promise<void>;
  /** Remembers a completed savepoint (written elsewhere) as the pipeline's newest, for `--resume` in a later process. */
  recordSavepoint(savepoint: SavepointRecord): Promise<void>;
}

/** Every state file a checkpoint's metadata references (base and delta files alike). */
export function filesOf(metadata: CheckpointMetadata): StateFile[] {
  return metadata.operators.flatMap((op) => op.subtasks.flatMap((s) => s.keyedState));
}

import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { CheckpointMetadata } from './metadata/metadata-format.js';
import type { StateFile } from './metadata/metadata-v4.js';
import type { KeyedStateSnapshot } from '../state/keyed-state-backend.js';
import type { CheckpointStorage, RecoveredCheckpoints, SavepointRecord, StoredCheckpoint, WrittenFile } from './storage/checkpoint-storage.js';
import { fileSafeName } from './storage/checkpoint-names.js';
import type { KeyedStateChains } from './storage/keyed-state-chains.js';
import { FileCheckpointStorage } from './storage/file-storage.js';
import { nodeFileSystem, type CheckpointFileSystem } from './storage/file-system.js';

/** `savepoint-<job id, file-name safe>-<random>`: a new directory per savepoint, never reused. */
export function savepointDirName(jobId: string): string {
  return `savepoint-${fileSafeName(jobId)}-${randomBytes(6).toString('hex')}`;
}

/**
 * One savepoint's directory: `_metadata` and every state file written in full inside it (the `fs` layout, even
 * for a `disk` job, whose incremental files are shared with its checkpoints), referenced relatively, so the
 * directory can be moved. Discarding it (a failed savepoint) removes the directory; Sluice never discards a
 * completed one.
 */
export class SavepointStorage extends FileCheckpointStorage {
  constructor(
    readonly dir: string,
    fs: CheckpointFileSystem = nodeFileSystem,
  ) {
    super(dir, 'fs', fs);
  }

  protected override checkpointDir(): string {
    return this.dir;
  }

  /** Savepoints keep canonical JSON lines: relocatable, inspectable, readable by any version. */
  protected override get binaryKeyedState(): boolean {
    return false;
  }

  /** Savepoints are complete on their own: no chains. */
  override get chains(): KeyedStateChains | undefined {
    return undefined;
  }
}

/** A new savepoint directory inside `targetDir` (created when the first file is written). */
export function newSavepointStorage(targetDir: string, jobId: string, fs: CheckpointFileSystem = nodeFileSystem): SavepointStorage {
  return new SavepointStorage(path.join(path.resolve(targetDir), savepointDirName(jobId)), fs);
}

/** Who hears of SavepointRouting's routes. */
export interface RouteListener {
  route(checkpointId: number, storage: CheckpointStorage): void;
  unroute(checkpointId: number): void;
}

/**
 * The job's checkpoint storage, except for the checkpoint ids routed elsewhere (savepoints): tasks and the
 * coordinator write through it unchanged, and a savepoint's files land in the savepoint's directory.
 */
export class SavepointRouting implements CheckpointStorage {
  private readonly routes = new Map<number, CheckpointStorage>();
  private listener: RouteListener | undefined;

  constructor(private readonly checkpoints: CheckpointStorage) {}

  get backend(): CheckpointStorage['backend'] {
    return this.checkpoints.backend;
  }

  get description(): string {
    return this.checkpoints.description;
  }

  /** The checkpoints' chains: savepoints, routed elsewhere, are written in full with `writeKeyedState`. */
  get chains(): KeyedStateChains | undefined {
    return this.checkpoints.chains;
  }

  route(checkpointId: number, storage: CheckpointStorage): void {
    this.routes.set(checkpointId, storage);
    this.listener?.route(checkpointId, storage);
  }

  /** Tells `listener` of every route from now on (tasks in worker threads keep routes of their own). */
  listen(listener: RouteListener): void {
    this.listener = listener;
  }

  /** After completion only: an aborted savepoint keeps its route, so late writes and their discards still go there. */
  unroute(checkpointId: number): void {
    this.routes.delete(checkpointId);
    this.listener?.unroute(checkpointId);
  }

  recover(): Promise<RecoveredCheckpoints> {
    return this.checkpoints.recover();
  }

  writeKeyedState(checkpointId: number, owner: string, snapshot: KeyedStateSnapshot): Promise<StateFile[]> {
    return this.of(checkpointId).writeKeyedState(checkpointId, owner, snapshot);
  }

  writeChannelState(checkpointId: number, name: string, lines: Iterable<string>): Promise<WrittenFile> {
    return this.of(checkpointId).writeChannelState(checkpointId, name, lines);
  }

  writeRawState(checkpointId: number, name: string, bytes: Uint8Array): Promise<WrittenFile> {
    return this.of(checkpointId).writeRawState(checkpointId, name, bytes);
  }

  /**
   * A savepoint is complete once its `_metadata` is written and it is recorded as the pipeline's newest next to
   * the checkpoints, so that a `--resume` right after it cannot go back to an older checkpoint.
   */
  async complete(metadata: CheckpointMetadata): Promise<StoredCheckpoint> {
    const route = this.routes.get(metadata.checkpointId);
    if (route === undefined) return this.checkpoints.complete(metadata);
    const stored = await route.complete(metadata);
    await this.recordSavepoint({ checkpointId: metadata.checkpointId, path: stored.location.description });
    return stored;
  }

  recordSavepoint(savepoint: SavepointRecord): Promise<void> {
    return this.checkpoints.recordSavepoint(savepoint);
  }

  discard(checkpointId: number, files: readonly StateFile[]): Promise<void> {
    return this.of(checkpointId).discard(checkpointId, files);
  }

  private of(checkpointId: number): CheckpointStorage {
    return this.routes.get(checkpointId) ?? this.checkpoints;
  }
}

import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { KeyedStateSnapshot } from '../../state/keyed-state-backend.js';
import { keyedStateLines, keyedStateLinesOf } from '../../state/snapshot-format.js';
import { METADATA_FILE, serializeMetadata, type CheckpointMetadata } from '../metadata/metadata-format.js';
import type { StateFile } from '../metadata/metadata-v1.js';
import {
  filesOf,
  type CheckpointLocation,
  type CheckpointStorage,
  type DamagedCheckpoint,
  type RecoveredCheckpoints,
  type SavepointRecord,
  type StoredCheckpoint,
} from './checkpoint-storage.js';
import { checkpointDirName, parseCheckpointDirName, SHARED_DIR } from './checkpoint-names.js';
import { isNotFound, nodeFileSystem, syncDirectory, writeFileAtomically, type CheckpointFileSystem } from './file-system.js';
import { COMPLETED_MARKER, readSnapshotDirectory } from './read-metadata.js';
import { SharedFiles } from './shared-files.js';
import { chunkRanges, entriesByRange } from './state-chunks.js';
import { writeLines } from './state-file-writer.js';

/** How many files the `disk` backend splits one subtask's keyed state into (by key-group range). */
const INCREMENTAL_CHUNKS = 8;
const SHARED_PREFIX = `../${SHARED_DIR}/`;

/** Reads the files of a checkpoint or savepoint directory, by the relative paths of its `_metadata`. */
export function directoryLocation(dir: string, fs: CheckpointFileSystem = nodeFileSystem): CheckpointLocation {
  return { description: dir, readFile: (relativePath) => fs.readFile(path.resolve(dir, relativePath)) };
}

/**
 * Checkpoints as files under one pipeline's directory (`fs` and `disk` backends). `fs` writes each operator
 * subtask's keyed state as one file inside `chk-<n>/`. `disk` checkpoints incrementally: a subtask's state is
 * split by key-group range into files named by their sha256 in `shared/`, so a part unchanged since an earlier
 * retained checkpoint is referenced again, not copied (files are reference counted; see shared-files.ts).
 */
/** Next to the checkpoints: the pipeline's newest savepoint, so that `--resume` never goes back before it. */
export const LATEST_SAVEPOINT_FILE = '_latest-savepoint.json';
const SavepointRecordSchema = z.object({ checkpointId: z.number().int().min(1), path: z.string().min(1) });

export class FileCheckpointStorage implements CheckpointStorage {
  readonly description: string;
  private readonly shared: SharedFiles;

  constructor(
    /** The pipeline's checkpoint directory: `<state.checkpoints.dir>/<pipeline dir>`. */
    readonly root: string,
    readonly backend: 'fs' | 'disk',
    private readonly fs: CheckpointFileSystem = nodeFileSystem,
  ) {
    this.description = root;
    this.shared = new SharedFiles(fs, path.join(root, SHARED_DIR));
  }

  protected checkpointDir(checkpointId: number): string {
    return path.join(this.root, checkpointDirName(checkpointId));
  }

  async recover(): Promise<RecoveredCheckpoints> {
    let names: string[];
    try {
      names = await this.fs.readdir(this.root);
    } catch (error) {
      if (isNotFound(error)) return { completed: [], damaged: [], highestId: 0, problems: [] };
      throw error;
    }
    const completed: StoredCheckpoint[] = [];
    const damaged: DamagedCheckpoint[] = [];
    const problems: string[] = [];
    let highestId = 0;
    for (const name of names) {
      const id = parseCheckpointDirName(name);
      if (id === undefined) continue;
      highestId = Math.max(highestId, id);
      const dir = this.checkpointDir(id);
      const read = await readSnapshotDirectory(this.fs, dir);
      // Never completed (the process stopped before its metadata was written): nothing can use it.
      if (read.kind === 'incomplete') await this.fs.rm(dir, { recursive: true, force: true });
      else if (read.kind === 'damaged') damaged.push({ checkpointId: id, location: dir, reason: read.reason });
      else completed.push({ metadata: read.metadata, location: directoryLocation(dir, this.fs) });
    }
    completed.sort((a, b) => a.metadata.checkpointId - b.metadata.checkpointId);
    damaged.sort((a, b) => a.checkpointId - b.checkpointId);
    for (const checkpoint of completed) for (const name of sharedNames(filesOf(checkpoint.metadata))) this.shared.adopt(name);
    // Unreadable metadata may reference shared files: only clean up when every checkpoint could be read.
    if (damaged.length === 0) await this.removeOrphans();
    const latestSavepoint = await this.readSavepointRecord(problems);
    return { completed, damaged, highestId, problems, ...(latestSavepoint === undefined ? {} : { latestSavepoint }) };
  }

  async recordSavepoint(savepoint: SavepointRecord): Promise<void> {
    await this.fs.mkdir(this.root, { recursive: true });
    await writeFileAtomically(this.fs, path.join(this.root, LATEST_SAVEPOINT_FILE), `${JSON.stringify(savepoint)}\n`);
  }

  private async readSavepointRecord(problems: string[]): Promise<SavepointRecord | undefined> {
    const file = path.join(this.root, LATEST_SAVEPOINT_FILE);
    let text: string;
    try {
      text = (await this.fs.readFile(file)).toString('utf8');
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    const parsed = SavepointRecordSchema.safeParse(json);
    if (parsed.success) return parsed.data;
    problems.push(`${file} is not a savepoint record ({"checkpointId", "path"}): it is ignored`);
    return undefined;
  }

  private async removeOrphans(): Promise<void> {
    let names: string[];
    try {
      names = await this.fs.readdir(this.shared.dir);
    } catch (error) {
      if (isNotFound(error)) return;
      throw error;
    }
    const orphans = names.filter((name) => !this.shared.isReferenced(name));
    await Promise.all(orphans.map((name) => this.fs.rm(path.join(this.shared.dir, name), { force: true })));
  }

  async writeKeyedState(checkpointId: number, owner: string, snapshot: KeyedStateSnapshot): Promise<StateFile[]> {
    if (this.backend === 'fs') {
      const dir = this.checkpointDir(checkpointId);
      await this.fs.mkdir(dir, { recursive: true });
      const name = `${owner}.kstate`;
      const content = await this.writeDurably(path.join(dir, name), (handle) =>
        writeLines(keyedStateLines(snapshot), async (piece) => {
          await handle.write(piece);
        }),
      );
      return [{ path: name, ...content, keyGroupRange: copyRange(snapshot.keyGroupRange) }];
    }
    await this.fs.mkdir(this.shared.dir, { recursive: true });
    const files: StateFile[] = [];
    try {
      for (const part of entriesByRange(snapshot.entries(), chunkRanges(snapshot.keyGroupRange, INCREMENTAL_CHUNKS))) {
        // One part in memory at a time: hashed first, so unchanged content costs no I/O at all.
        const pieces: string[] = [];
        let entries = 0;
        const counted = counting(part.entries, () => entries++);
        const content = await writeLines(keyedStateLinesOf(snapshot.maxParallelism, part.range, snapshot.layouts, counted), (piece) => {
          pieces.push(piece);
          return nextTurn();
        });
        // Empty parts are left out, but one file always lists the states (their layouts) of the subtask.
        if (entries === 0 && (files.length > 0 || part.range.end < snapshot.keyGroupRange.end)) continue;
        const name = `${content.sha256}.kstate`;
        await this.shared.add(name, (temp) =>
          this.writeDurably(temp, async (handle) => {
            for (const piece of pieces) await handle.write(piece);
          }),
        );
        files.push({ path: SHARED_PREFIX + name, ...content, keyGroupRange: copyRange(part.range) });
      }
    } catch (error) {
      await Promise.all(sharedNames(files).map((name) => this.shared.release(name)));
      throw error;
    }
    await syncDirectory(this.fs, this.shared.dir);
    return files;
  }

  /** Writes a new file durably: `write` fills it, then it is fsynced before anything references it. */
  private async writeDurably<T>(file: string, write: (handle: FileHandle) => Promise<T>): Promise<T> {
    const handle = await this.fs.open(file, 'w');
    try {
      const result = await write(handle);
      await handle.sync();
      return result;
    } finally {
      await handle.close();
    }
  }

  async complete(metadata: CheckpointMetadata): Promise<StoredCheckpoint> {
    const dir = this.checkpointDir(metadata.checkpointId);
    await this.fs.mkdir(dir, { recursive: true });
    await writeFileAtomically(this.fs, path.join(dir, METADATA_FILE), serializeMetadata(metadata));
    await (await this.fs.open(path.join(dir, COMPLETED_MARKER), 'w')).close();
    await syncDirectory(this.fs, dir);
    return { metadata, location: directoryLocation(dir, this.fs) };
  }

  async discard(checkpointId: number, files: readonly StateFile[]): Promise<void> {
    const dir = this.checkpointDir(checkpointId);
    // Marker, then metadata: a crash midway leaves what reads as incomplete (removed silently), never as damaged.
    await this.fs.rm(path.join(dir, COMPLETED_MARKER), { force: true });
    await this.fs.rm(path.join(dir, METADATA_FILE), { force: true });
    await this.fs.rm(dir, { recursive: true, force: true });
    await Promise.all(sharedNames(files).map((name) => this.shared.release(name)));
  }
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

function* counting<T>(items: Iterable<T>, onItem: () => void): Generator<T> {
  for (const item of items) {
    onItem();
    yield item;
  }
}

function sharedNames(files: readonly StateFile[]): string[] {
  return files.filter((f) => f.path.startsWith(SHARED_PREFIX)).map((f) => f.path.slice(SHARED_PREFIX.length));
}

function copyRange(range: { readonly start: number; readonly end: number }): { start: number; end: number } {
  return { start: range.start, end: range.end };
}

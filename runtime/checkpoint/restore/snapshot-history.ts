import path from 'node:path';
import { completedAtOf } from '../metadata/metadata-v4.js';
import type { DamagedCheckpoint, SavepointRecord, StoredCheckpoint } from '../storage/checkpoint-storage.js';
import { parseCheckpointDirName } from '../storage/checkpoint-names.js';
import { directoryLocation, readSavepointRecord } from '../storage/file-storage.js';
import { isNotFound, nodeFileSystem, type CheckpointFileSystem } from '../storage/file-system.js';
import { readSnapshotDirectory } from '../storage/read-metadata.js';

/**
 * The snapshots a pipeline can go back to: its retained checkpoints, and the savepoints Sluice knows of. A savepoint
 * is known when it is in the pipeline's `state.savepoints.dir` (a `savepoint-…` directory whose `_metadata` names
 * the pipeline) or is the newest one recorded next to its checkpoints (`_latest-savepoint.json`, wherever it was
 * written). Older savepoints written to other directories (`sluice savepoint <job> <dir>`) are not recorded anywhere.
 * Reading changes nothing on disk, so it is safe while the job runs (unlike `CheckpointStorage.recover`).
 */
export interface SnapshotHistory {
  /** Checkpoints and savepoints, oldest completed first. */
  readonly snapshots: readonly StoredCheckpoint[];
  /** Completed checkpoints whose `_metadata` cannot be used. */
  readonly damaged: readonly DamagedCheckpoint[];
  /** What could not be read (a savepoint record, a savepoint directory), in words. */
  readonly problems: readonly string[];
}

/** Oldest completed first; ties (metadata without `completedAt`) by checkpoint id. */
export function byCompletion(a: StoredCheckpoint, b: StoredCheckpoint): number {
  return completedAtOf(a.metadata) - completedAtOf(b.metadata) || a.metadata.checkpointId - b.metadata.checkpointId;
}

/** The `chk-<n>` directories of a pipeline's checkpoint directory `root`, read only. */
async function readCheckpoints(fs: CheckpointFileSystem, root: string): Promise<{ completed: StoredCheckpoint[]; damaged: DamagedCheckpoint[] }> {
  const completed: StoredCheckpoint[] = [];
  const damaged: DamagedCheckpoint[] = [];
  for (const name of await readdirOrNothing(fs, root)) {
    const id = parseCheckpointDirName(name);
    if (id === undefined) continue;
    const dir = path.join(root, name);
    const read = await readSnapshotDirectory(fs, dir);
    if (read.kind === 'completed') completed.push({ metadata: read.metadata, location: directoryLocation(dir, fs) });
    else if (read.kind === 'damaged') damaged.push({ checkpointId: id, location: dir, reason: read.reason });
  }
  damaged.sort((a, b) => a.checkpointId - b.checkpointId);
  return { completed, damaged };
}

/**
 * The savepoints of `pipeline` Sluice knows of: those in `savepointsDir`, and the `latest` recorded one. Savepoints
 * another pipeline wrote to the same directory are left out (undefined `pipeline`: any); an unreadable one is
 * reported in `problems`.
 */
export async function findSavepoints(
  pipeline: string | undefined,
  savepointsDir: string | null,
  latest: SavepointRecord | undefined,
  problems: string[],
  fs: CheckpointFileSystem = nodeFileSystem,
): Promise<StoredCheckpoint[]> {
  const dirs = new Set<string>();
  if (savepointsDir !== null) for (const name of await readdirOrNothing(fs, savepointsDir)) if (name.startsWith('savepoint-')) dirs.add(path.join(savepointsDir, name));
  if (latest !== undefined) dirs.add(path.resolve(latest.path));
  const found: StoredCheckpoint[] = [];
  for (const dir of dirs) {
    const read = await readSnapshotDirectory(fs, dir);
    if (read.kind === 'completed' && read.metadata.type === 'savepoint' && (pipeline === undefined || read.metadata.pipelineName === pipeline)) {
      found.push({ metadata: read.metadata, location: directoryLocation(dir, fs) });
    } else if (read.kind === 'damaged') problems.push(`savepoint ${dir}: ${read.reason}`);
    else if (read.kind === 'incomplete' && dir === path.resolve(latest?.path ?? '')) problems.push(`savepoint ${dir}, recorded as the newest, is gone`);
  }
  return found;
}

/**
 * The history of `pipeline`: the checkpoints in its checkpoint directory `root` (`<state.checkpoints.dir>/<pipeline
 * dir>`) and its known savepoints (`savepointsDir`: its `state.savepoints.dir`, absolute, or null). Undefined
 * `pipeline` (only the directory is known): whatever the directory holds.
 */
export async function readSnapshotHistory(
  root: string,
  pipeline: string | undefined,
  savepointsDir: string | null,
  fs: CheckpointFileSystem = nodeFileSystem,
): Promise<SnapshotHistory> {
  const problems: string[] = [];
  const { completed, damaged } = await readCheckpoints(fs, root);
  const latest = await readSavepointRecord(fs, root, problems);
  const savepoints = await findSavepoints(pipeline, savepointsDir, latest, problems, fs);
  const ours = completed.filter((c) => pipeline === undefined || c.metadata.pipelineName === pipeline);
  return { snapshots: [...ours, ...savepoints].sort(byCompletion), damaged, problems };
}

async function readdirOrNothing(fs: CheckpointFileSystem, dir: string): Promise<string[]> {
  try {
    return await fs.readdir(dir);
  } catch (error) {
    if (isNotFound(error) || (error as NodeJS.ErrnoException).code === 'ENOTDIR') return [];
    throw error;
  }
}

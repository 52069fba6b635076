import { createHash } from 'node:crypto';

/**
 * Names in a checkpoint directory. The checkpoints of a pipeline live in
 * `<state.checkpoints.dir>/<pipeline dir>/`, where the pipeline dir is `pipeline.name` made file-name safe: the
 * same pipeline finds its checkpoints again in a new process (`--resume`). Inside it: `chk-<n>/` per checkpoint
 * (`_metadata` plus its own state files) and `shared/` for the files incremental checkpoints share.
 */

/** `name` if it is a safe file name already, else a safe spelling plus a short hash of the original (no clashes). */
export function fileSafeName(name: string): string {
  const safe = name.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^\.+/, '_');
  if (safe === name && safe !== '') return name;
  return `${safe}-${createHash('sha256').update(name).digest('hex').slice(0, 8)}`;
}

export const pipelineDirName = fileSafeName;

export const SHARED_DIR = 'shared';

/** A checkpoint's or savepoint's metadata file (metadata/metadata-format.ts reads and writes it). */
export const METADATA_FILE = '_metadata';

/**
 * Written (empty) next to `_metadata` once it is durable: a directory with this marker completed, so a missing
 * `_metadata` there means it was deleted (the checkpoint is damaged), while a directory without either is what an
 * attempt killed before completing left behind (nothing to report; it is removed). read-metadata.ts tells them apart.
 */
export const COMPLETED_MARKER = '_completed';

export function checkpointDirName(checkpointId: number): string {
  return `chk-${checkpointId}`;
}

export function parseCheckpointDirName(name: string): number | undefined {
  const match = /^chk-([1-9]\d*)$/.exec(name);
  return match === null ? undefined : Number(match[1]);
}

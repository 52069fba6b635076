import path from 'node:path';
import type { JobGraph } from '../../../compiler/graph/job-graph.js';
import { graphDigest } from '../../../compiler/graph/digest.js';
import type { RestoreInfo } from '../../execution/job-events.js';
import { Diagnostics } from '../../../compiler/diagnostics/catalogue.js';
import { DiagnosticError } from '../../diagnostic-error.js';
import type { CheckpointStorage, DamagedCheckpoint, RecoveredCheckpoints, SavepointRecord, StoredCheckpoint } from '../storage/checkpoint-storage.js';
import { checkpointDirName } from '../storage/checkpoint-names.js';
import { LATEST_SAVEPOINT_FILE } from '../storage/file-storage.js';
import { CheckpointReadError, loadCheckpoint, openCheckpoint } from './load-checkpoint.js';
import { completedAtOf } from '../metadata/metadata-v4.js';
import { CheckpointRestoreError } from './restore-error.js';
import { byCompletion, findSavepoints } from './snapshot-history.js';
import { planRestore, type RestorePlan, type RestorePlanOptions } from './restore-plan.js';

export interface ChosenRestore {
  readonly stored: StoredCheckpoint;
  readonly plan: RestorePlan;
}

/**
 * The newest of `candidates` (newest first) whose files are all present and intact, planned for `graph`; a
 * checkpoint with a missing or corrupt file is reported in `skipped` (`chk-<n>: <reason>`) and the previous one
 * tried, and so are the `damaged` checkpoints (unusable metadata) newer than the one restored. A checkpoint the
 * job cannot take (another max parallelism, state of a removed uid) is refused, not skipped.
 */
export async function restoreNewestIntact(
  candidates: readonly StoredCheckpoint[],
  graph: JobGraph,
  options: RestorePlanOptions,
  damaged: readonly DamagedCheckpoint[] = [],
): Promise<{ readonly chosen: ChosenRestore | undefined; readonly skipped: readonly string[] }> {
  const skipped: string[] = [];
  const unread = [...damaged].sort((a, b) => b.checkpointId - a.checkpointId);
  const skipDamagedNewerThan = (checkpointId: number) => {
    while (unread.length > 0 && unread[0]!.checkpointId > checkpointId) {
      const next = unread.shift()!;
      skipped.push(`${checkpointDirName(next.checkpointId)}: ${next.reason}`);
    }
  };
  for (const stored of candidates) {
    skipDamagedNewerThan(stored.metadata.checkpointId);
    try {
      const loaded = await loadCheckpoint(stored);
      return { chosen: { stored, plan: planRestore(graph, loaded, options) }, skipped };
    } catch (error) {
      if (!(error instanceof CheckpointReadError)) throw error;
      skipped.push(`${describeSnapshot(stored)}: ${error.reason}`);
    }
  }
  skipDamagedNewerThan(0);
  return { chosen: undefined, skipped };
}

export interface InitialRestoreRequest extends RestorePlanOptions {
  /** A checkpoint or savepoint directory, or its `_metadata` file. */
  readonly restoreFrom?: string;
  /** The latest completed checkpoint of this pipeline, or a fresh start when there is none. */
  readonly resume?: boolean;
  /**
   * With `resume`: the newest retained checkpoint or known savepoint (snapshot-history.ts) that completed at or
   * before this time (ms since the epoch) instead; refused (SLC9220) when there is none.
   */
  readonly before?: number;
}

export interface InitialRestore {
  readonly info: RestoreInfo;
  readonly chosen: ChosenRestore | undefined;
}

/** Where a job starts from: `restoreFrom`, else (with `resume`) its newest intact checkpoint, else nothing. */
export async function chooseInitialRestore(
  graph: JobGraph,
  request: InitialRestoreRequest,
  storage: CheckpointStorage | undefined,
  recovered: RecoveredCheckpoints | undefined,
): Promise<InitialRestore> {
  if (request.restoreFrom !== undefined) {
    const opened = await openCheckpoint(request.restoreFrom);
    if ('error' in opened && opened.damaged) throw new DiagnosticError(Diagnostics.DamagedSnapshot, { path: request.restoreFrom, reason: opened.error });
    if ('error' in opened) {
      throw new CheckpointRestoreError(
        `cannot restore from ${request.restoreFrom}: ${opened.error}`,
        'give the directory of a completed checkpoint or savepoint (…/chk-<n> or …/savepoint-…), or its _metadata file',
      );
    }
    try {
      const chosen = { stored: opened.checkpoint, plan: planRestore(graph, await loadCheckpoint(opened.checkpoint), request) };
      return { info: restoredInfo(graph, chosen, []), chosen };
    } catch (error) {
      if (!(error instanceof CheckpointReadError)) throw error;
      throw new DiagnosticError(Diagnostics.DamagedSnapshot, { path: request.restoreFrom, reason: error.reason });
    }
  }
  if (request.resume !== true) return { info: { kind: 'fresh', reason: 'no restore was asked for', skipped: [] }, chosen: undefined };
  const pipeline = graph.config.pipelineName;
  if (request.before !== undefined) return chooseBefore(graph, request, request.before, storage, recovered);
  if (storage === undefined || recovered === undefined) {
    const reason = `'state.checkpoints.dir' is not set, so pipeline '${pipeline}' has no checkpoints to resume from: starting from scratch`;
    return { info: { kind: 'fresh', reason, skipped: [] }, chosen: undefined };
  }
  // Checkpoints older than the newest savepoint are never used: the savepoint's completion committed output after them.
  const savepoint = recovered.latestSavepoint;
  const ours = recovered.completed
    .filter((c) => c.metadata.pipelineName === pipeline && (savepoint === undefined || c.metadata.checkpointId > savepoint.checkpointId))
    .reverse();
  const damaged = recovered.damaged.filter((d) => savepoint === undefined || d.checkpointId > savepoint.checkpointId);
  const { chosen, skipped } = await restoreNewestIntact(ours, graph, request, damaged);
  if (chosen !== undefined) return { info: restoredInfo(graph, chosen, [...recovered.problems, ...skipped]), chosen };
  if (savepoint !== undefined) {
    const fromSavepoint = await restoreNewestIntact([await openSavepointRecord(savepoint, storage)], graph, request);
    if (fromSavepoint.chosen !== undefined) {
      return { info: restoredInfo(graph, fromSavepoint.chosen, [...recovered.problems, ...skipped]), chosen: fromSavepoint.chosen };
    }
    throw savepointUnusable(savepoint, storage, fromSavepoint.skipped.join('; '));
  }
  return {
    info: {
      kind: 'fresh',
      reason: `no usable completed checkpoint of pipeline '${pipeline}' in ${storage.description}: starting from scratch`,
      skipped: [...recovered.problems, ...skipped],
    },
    chosen: undefined,
  };
}

/**
 * `--resume --before`: the newest intact snapshot completed at or before `before`, savepoints included. Unlike a
 * plain `--resume`, checkpoints older than the newest savepoint are candidates: going back is what was asked for
 * (file sinks holding output committed after it refuse the restore, SLC9122, unless `--rewind-sinks`).
 */
async function chooseBefore(
  graph: JobGraph,
  request: InitialRestoreRequest,
  before: number,
  storage: CheckpointStorage | undefined,
  recovered: RecoveredCheckpoints | undefined,
): Promise<InitialRestore> {
  const pipeline = graph.config.pipelineName;
  const refuse = (reason: string) => new DiagnosticError(Diagnostics.NothingOldEnough, { pipeline, before: new Date(before).toISOString(), reason });
  if (storage === undefined || recovered === undefined) throw refuse("'state.checkpoints.dir' is not set, so it has no checkpoints");
  const problems = [...recovered.problems];
  const { savepointsDir } = graph.config.state;
  const savepoints = await findSavepoints(pipeline, savepointsDir === null ? null : path.resolve(savepointsDir), recovered.latestSavepoint, problems);
  const retained = [...recovered.completed.filter((c) => c.metadata.pipelineName === pipeline), ...savepoints].sort(byCompletion);
  const oldEnough = retained.filter((s) => completedAtOf(s.metadata) <= before).reverse();
  if (oldEnough.length === 0) {
    const oldest = retained[0];
    throw refuse(
      oldest === undefined
        ? `none is retained in ${storage.description}${savepointsDir === null ? '' : ` or ${savepointsDir}`}`
        : `the oldest retained is ${describeSnapshot(oldest)}, completed at ${new Date(completedAtOf(oldest.metadata)).toISOString()}`,
    );
  }
  const { chosen, skipped } = await restoreNewestIntact(oldEnough, graph, request);
  if (chosen === undefined) throw refuse(`every one completed by then is damaged: ${skipped.join('; ')}`);
  const completed = new Date(completedAtOf(chosen.stored.metadata)).toISOString();
  const why = `completed at ${completed}: the newest retained snapshot completed at or before ${new Date(before).toISOString()}`;
  return { info: restoredInfo(graph, chosen, [...problems, ...skipped], [why]), chosen };
}

/** `chk-<n>`, or `savepoint <dir>`. */
function describeSnapshot(stored: StoredCheckpoint): string {
  return stored.metadata.type === 'savepoint' ? `savepoint ${stored.location.description}` : checkpointDirName(stored.metadata.checkpointId);
}

async function openSavepointRecord(savepoint: SavepointRecord, storage: CheckpointStorage): Promise<StoredCheckpoint> {
  const opened = await openCheckpoint(savepoint.path);
  if ('error' in opened) throw savepointUnusable(savepoint, storage, opened.error);
  return opened.checkpoint;
}

function savepointUnusable(savepoint: SavepointRecord, storage: CheckpointStorage, reason: string): CheckpointRestoreError {
  return new CheckpointRestoreError(
    `cannot resume: the newest savepoint of this pipeline, ${savepoint.path} (checkpoint ${savepoint.checkpointId}), cannot be used (${reason}), ` +
      'and the checkpoints before it are not used after it: their restore would write again output the savepoint committed',
    `restore a snapshot with --from <dir>, or delete ${storage.description}/${LATEST_SAVEPOINT_FILE} to resume from the checkpoints before the savepoint anyway`,
  );
}

/** How a restore went; `notes` come before the restore plan's own. */
export function restoredInfo(graph: JobGraph, chosen: ChosenRestore, skipped: readonly string[], notes: readonly string[] = []): RestoreInfo {
  const { metadata, location } = chosen.stored;
  return {
    kind: 'restored',
    type: metadata.type,
    checkpointId: metadata.checkpointId,
    location: location.description,
    graphChanged: metadata.graphDigest !== graphDigest(graph),
    skipped,
    notes: [...notes, ...chosen.plan.notes],
  };
}

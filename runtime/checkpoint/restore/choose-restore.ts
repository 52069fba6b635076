import type { JobGraph } from '../../../compiler/graph/job-graph.js';
import { graphDigest } from '../../../compiler/graph/digest.js';
import type { RestoreInfo } from '../../execution/job-events.js';
import type { CheckpointStorage, RecoveredCheckpoints, SavepointRecord, StoredCheckpoint } from '../storage/checkpoint-storage.js';
import { LATEST_SAVEPOINT_FILE } from '../storage/file-storage.js';
import { CheckpointReadError, loadCheckpoint, openCheckpoint } from './load-checkpoint.js';
import { CheckpointRestoreError } from './restore-error.js';
import { planRestore, type RestorePlan, type RestorePlanOptions } from './restore-plan.js';

export interface ChosenRestore {
  readonly stored: StoredCheckpoint;
  readonly plan: RestorePlan;
}

/**
 * The newest of `candidates` (newest first) whose files are all present and intact, planned for `graph`; a
 * checkpoint with a missing or corrupt file is reported in `skipped` and the previous one tried. A checkpoint
 * the job cannot take (another max parallelism, state of a removed uid) is refused, not skipped.
 */
export async function restoreNewestIntact(
  candidates: readonly StoredCheckpoint[],
  graph: JobGraph,
  options: RestorePlanOptions,
): Promise<{ readonly chosen: ChosenRestore | undefined; readonly skipped: readonly string[] }> {
  const skipped: string[] = [];
  for (const stored of candidates) {
    try {
      const loaded = await loadCheckpoint(stored);
      return { chosen: { stored, plan: planRestore(graph, loaded, options) }, skipped };
    } catch (error) {
      if (!(error instanceof CheckpointReadError)) throw error;
      skipped.push(`${error.message}; skipped for the previous checkpoint`);
    }
  }
  return { chosen: undefined, skipped };
}

export interface InitialRestoreRequest extends RestorePlanOptions {
  /** A checkpoint or savepoint directory, or its `_metadata` file. */
  readonly restoreFrom?: string;
  /** The latest completed checkpoint of this pipeline, or a fresh start when there is none. */
  readonly resume?: boolean;
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
      throw new CheckpointRestoreError(
        `cannot restore from ${request.restoreFrom}: ${error.message}`,
        'restore from another checkpoint or savepoint (an older chk-<n> of the same job, for instance)',
      );
    }
  }
  if (request.resume !== true) return { info: { kind: 'fresh', reason: 'no restore was asked for' }, chosen: undefined };
  const pipeline = graph.config.pipelineName;
  if (storage === undefined || recovered === undefined) {
    return { info: { kind: 'fresh', reason: `'state.checkpoints.dir' is not set, so pipeline '${pipeline}' has no checkpoints to resume from: starting from scratch` }, chosen: undefined };
  }
  // Checkpoints older than the newest savepoint are never used: the savepoint's completion committed output after them.
  const savepoint = recovered.latestSavepoint;
  const ours = recovered.completed
    .filter((c) => c.metadata.pipelineName === pipeline && (savepoint === undefined || c.metadata.checkpointId > savepoint.checkpointId))
    .reverse();
  const { chosen, skipped } = await restoreNewestIntact(ours, graph, request);
  if (chosen !== undefined) return { info: restoredInfo(graph, chosen, [...recovered.problems, ...skipped]), chosen };
  if (savepoint !== undefined) {
    const fromSavepoint = await restoreNewestIntact([await openSavepointRecord(savepoint, storage)], graph, request);
    if (fromSavepoint.chosen !== undefined) {
      return { info: restoredInfo(graph, fromSavepoint.chosen, [...recovered.problems, ...skipped]), chosen: fromSavepoint.chosen };
    }
    throw savepointUnusable(savepoint, storage, fromSavepoint.skipped.join('; '));
  }
  const problems = [...recovered.problems, ...skipped];
  return {
    info: {
      kind: 'fresh',
      reason:
        `no usable completed checkpoint of pipeline '${pipeline}' in ${storage.description}: starting from scratch` +
        (problems.length === 0 ? '' : ` (${problems.join('; ')})`),
    },
    chosen: undefined,
  };
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

export function restoredInfo(graph: JobGraph, chosen: ChosenRestore, skipped: readonly string[]): RestoreInfo {
  const { metadata, location } = chosen.stored;
  return {
    kind: 'restored',
    type: metadata.type,
    checkpointId: metadata.checkpointId,
    location: location.description,
    graphChanged: metadata.graphDigest !== graphDigest(graph),
    skipped,
    notes: chosen.plan.notes,
  };
}

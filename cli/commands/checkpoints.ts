import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { Diagnostics } from '../../compiler/diagnostics/catalogue.js';
import { completedAtOf } from '../../runtime/checkpoint/metadata/metadata-v4.js';
import { readSnapshotHistory, type SnapshotHistory } from '../../runtime/checkpoint/restore/snapshot-history.js';
import { filesOf, type StoredCheckpoint } from '../../runtime/checkpoint/storage/checkpoint-storage.js';
import { parseCheckpointDirName, pipelineDirName, SHARED_DIR } from '../../runtime/checkpoint/storage/checkpoint-names.js';
import { LATEST_SAVEPOINT_FILE } from '../../runtime/checkpoint/storage/file-storage.js';
import { formatStateSize } from '../../compiler/savepoint-compat/snapshot-contents.js';
import { CHECKPOINTS_JSON_VERSION, type CheckpointsJson, type SnapshotJson } from '../checkpoints-json.js';
import type { CommandOutcome } from '../exit-codes.js';
import { formatDuration } from '../format-numbers.js';
import { describeFsError, type CliIO } from '../output.js';
import { printUsageErrors, usageError } from '../usage-errors.js';
import { compileFile, validateFlags } from './compile.js';

/** The options as commander hands them over. */
export interface CheckpointsFlags {
  readonly set: readonly string[];
  readonly json: boolean;
  readonly color: boolean;
}

/** Where a pipeline's history is, from its .pipe file (its settings) or from its checkpoint directory alone. */
interface HistoryPlace {
  readonly pipeline: string | undefined;
  readonly checkpointsDir: string;
  readonly savepointsDir: string | null;
  readonly numRetained: number | null;
}

type Located = { readonly place: HistoryPlace } | { readonly outcome: CommandOutcome };

function refuse(target: string, reason: string, io: CliIO): Located {
  return { outcome: printUsageErrors([usageError(Diagnostics.NoCheckpointHistory, { path: target, reason })], io) };
}

/** The place a `.pipe` file's settings name (`--set` applied), resolved against the working directory as `sluice run` does. */
async function placeOfPipe(target: string, flags: CheckpointsFlags, io: CliIO): Promise<Located> {
  const { request, errors } = validateFlags({ set: flags.set, color: flags.color, quiet: true });
  if (errors.length > 0) return { outcome: printUsageErrors(errors, io) };
  const compiled = await compileFile(target, request.settings, { quiet: true, color: flags.color }, io);
  if (!('graph' in compiled)) return { outcome: compiled };
  const { pipelineName, state } = compiled.graph.config;
  if (state.checkpointsDir === null) {
    const reason =
      state.backend === 'memory'
        ? "its state backend is 'memory', which keeps checkpoints inside the running process only"
        : "'state.checkpoints.dir' is not set, so it keeps no checkpoints";
    return refuse(target, reason, io);
  }
  return {
    place: {
      pipeline: pipelineName,
      checkpointsDir: path.join(path.resolve(io.cwd, state.checkpointsDir), pipelineDirName(pipelineName)),
      savepointsDir: state.savepointsDir === null ? null : path.resolve(io.cwd, state.savepointsDir),
      numRetained: state.numRetained,
    },
  };
}

/** A pipeline's checkpoint directory: it holds `chk-<n>` directories, `shared/` or the savepoint record. */
async function placeOfDirectory(target: string, names: readonly string[], io: CliIO): Promise<Located> {
  const dir = path.resolve(io.cwd, target);
  if (names.some((name) => parseCheckpointDirName(name) !== undefined || name === SHARED_DIR || name === LATEST_SAVEPOINT_FILE)) {
    return { place: { pipeline: undefined, checkpointsDir: dir, savepointsDir: null, numRetained: null } };
  }
  const pipelines: string[] = [];
  for (const name of names) {
    const inner = await readdirOrEmpty(path.join(dir, name));
    if (inner.some((n) => parseCheckpointDirName(n) !== undefined)) pipelines.push(name);
  }
  const hint = pipelines.length === 0 ? '' : `; it looks like a 'state.checkpoints.dir': give one of its pipeline directories (${pipelines.join(', ')})`;
  return refuse(target, `it holds no chk-<n> directory${hint}`, io);
}

function readdirOrEmpty(dir: string): Promise<string[]> {
  return readdir(dir).catch(() => []);
}

async function locate(target: string, flags: CheckpointsFlags, io: CliIO): Promise<Located> {
  if (target.endsWith('.pipe')) return placeOfPipe(target, flags, io);
  const dir = path.resolve(io.cwd, target);
  let isDirectory: boolean;
  try {
    isDirectory = (await stat(dir)).isDirectory();
  } catch (error) {
    return refuse(target, describeFsError(error), io);
  }
  if (!isDirectory) return refuse(target, 'it is a file, but not a .pipe file', io);
  if (flags.set.length > 0) return refuse(target, '--set applies to a .pipe file, not to a directory', io);
  return placeOfDirectory(target, await readdirOrEmpty(dir), io);
}

/** Why a snapshot cannot be restored, checked cheaply: every state file of its chain is there with its size (the checksums are checked on restore). */
async function missingFile(stored: StoredCheckpoint): Promise<string | null> {
  for (const file of [...filesOf(stored.metadata), ...stored.metadata.channelState]) {
    const where = path.resolve(stored.location.description, file.path);
    try {
      const { size } = await stat(where);
      if (size !== file.bytes) return `state file ${where} has ${size} bytes, not ${file.bytes}`;
    } catch (error) {
      return `state file ${where}: ${describeFsError(error)}`;
    }
  }
  return null;
}

async function snapshotJson(stored: StoredCheckpoint, now: number): Promise<SnapshotJson> {
  const { metadata, location } = stored;
  const files = filesOf(metadata);
  const completedAt = completedAtOf(metadata);
  return {
    id: metadata.checkpointId,
    type: metadata.type,
    incremental: files.some((file) => file.delta === true),
    completedAt: new Date(completedAt).toISOString(),
    triggeredAt: new Date(metadata.timestamp).toISOString(),
    ageMs: now - completedAt,
    durationMs: metadata.completedAt === undefined ? null : Math.max(0, metadata.completedAt - metadata.timestamp),
    bytes: files.reduce((sum, file) => sum + file.bytes, 0),
    unaligned: metadata.unaligned,
    inFlightBytes: metadata.channelState.reduce((sum, file) => sum + file.bytes, 0),
    path: location.description,
    jobId: metadata.jobId,
    problem: await missingFile(stored),
  };
}

async function historyJson(place: HistoryPlace, history: SnapshotHistory, now: number): Promise<CheckpointsJson> {
  const snapshots: SnapshotJson[] = [];
  for (const stored of history.snapshots) snapshots.push(await snapshotJson(stored, now));
  return {
    version: CHECKPOINTS_JSON_VERSION,
    pipeline: place.pipeline ?? history.snapshots[0]?.metadata.pipelineName ?? null,
    checkpointsDir: place.checkpointsDir,
    savepointsDir: place.savepointsDir,
    numRetained: place.numRetained,
    snapshots,
    damaged: history.damaged.map((d) => ({ id: d.checkpointId, path: d.location, reason: d.reason })),
    problems: [...history.problems],
  };
}

/** The state a restore reads, and an unaligned checkpoint's records in flight. */
function sizeCell(s: SnapshotJson): string {
  const size = (bytes: number) => (bytes === 0 ? '0 bytes' : formatStateSize({ bytes }));
  return s.inFlightBytes === undefined || s.inFlightBytes === 0 ? size(s.bytes) : `${size(s.bytes)} + ${size(s.inFlightBytes)} in flight`;
}

const COLUMNS = ['ID', 'TYPE', 'COMPLETED', 'AGE', 'SIZE', 'DURATION', 'PATH'] as const;

/** The history as `sluice checkpoints` prints it: where it looked, an aligned table (oldest first), then what is wrong. */
export function formatHistory(history: CheckpointsJson): string {
  const retained = history.numRetained === null ? '' : ` (state.checkpoints.num-retained = ${history.numRetained})`;
  const lines = [
    `pipeline '${history.pipeline ?? '?'}': checkpoints in ${history.checkpointsDir}${retained}`,
    history.savepointsDir === null ? 'savepoints: only the newest one recorded next to the checkpoints' : `savepoints: in ${history.savepointsDir}, and the newest one recorded next to the checkpoints`,
    '',
  ];
  if (history.snapshots.length === 0) lines.push('no retained checkpoints or known savepoints');
  else {
    const rows = [
      [...COLUMNS],
      ...history.snapshots.map((s) => [
        String(s.id),
        s.type === 'savepoint' ? 'savepoint' : `checkpoint, ${s.incremental ? 'incremental' : 'full'}${s.unaligned === true ? ', unaligned' : ''}`,
        s.completedAt,
        `${formatDuration(Math.max(0, s.ageMs))} ago`,
        sizeCell(s),
        s.durationMs === null ? '-' : formatDuration(s.durationMs),
        s.problem === null ? s.path : `${s.path}  (not restorable: ${s.problem})`,
      ]),
    ];
    const widths = COLUMNS.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
    lines.push(...rows.map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!))).join('  ')));
  }
  for (const d of history.damaged) lines.push(`damaged chk-${d.id}: ${d.reason}`);
  for (const problem of history.problems) lines.push(`note: ${problem}`);
  return `${lines.join('\n')}\n`;
}

/**
 * `sluice checkpoints <job.pipe | checkpoint-dir>`: the retained checkpoints and known savepoints of a pipeline
 * (runtime/checkpoint/restore/snapshot-history.ts says which savepoints are known), oldest first. Reads only:
 * safe while the job runs.
 */
export async function runCheckpoints(target: string, flags: CheckpointsFlags, io: CliIO, now: () => number = Date.now): Promise<CommandOutcome> {
  const located = await locate(target, flags, io);
  if ('outcome' in located) return located.outcome;
  const { place } = located;
  const history = await readSnapshotHistory(place.checkpointsDir, place.pipeline, place.savepointsDir);
  const json = await historyJson(place, history, now());
  io.stdout.write(flags.json ? `${JSON.stringify(json, null, 2)}\n` : formatHistory(json));
  return { kind: 'completed', diagnostics: [] };
}

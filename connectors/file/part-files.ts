import { basename, dirname, join } from 'node:path';

/**
 * Names of the file sink's part files. Committed: `part-<runId>-<subtask>-<n>.<ext>`, unique per run and
 * subtask, so that a restored run never overwrites a committed file. Before that, hidden from readers (a leading
 * '.', which the file source and most tools skip): `.part-….<ext>.inprogress` while being written, then
 * `.part-….<ext>.pending-<checkpoint>` once closed at checkpoint barrier <checkpoint>.
 */
export function finalPartPath(dir: string, runId: string, subtask: number, n: number, ext: string): string {
  return join(dir, `part-${runId}-${subtask}-${n}.${ext}`);
}

export function inProgressPath(finalPath: string): string {
  return join(dirname(finalPath), `.${basename(finalPath)}.inprogress`);
}

export function pendingPath(finalPath: string, checkpointId: number): string {
  return join(dirname(finalPath), `.${basename(finalPath)}.pending-${checkpointId}`);
}

export type HiddenPart =
  | { readonly state: 'inprogress'; readonly runId: string; readonly subtask: number }
  | { readonly state: 'pending'; readonly runId: string; readonly subtask: number; readonly checkpointId: number };

const HIDDEN = /^\.part-(.+)-(\d+)-(\d+)\.[^.]+\.(inprogress|pending-(\d+))$/;

/** What a hidden file name of the sink says about it; undefined for any other name. */
export function parseHiddenPart(name: string): HiddenPart | undefined {
  const match = HIDDEN.exec(name);
  if (match === null) return undefined;
  const runId = match[1]!;
  const subtask = Number(match[2]);
  return match[4] === 'inprogress' ? { state: 'inprogress', runId, subtask } : { state: 'pending', runId, subtask, checkpointId: Number(match[5]) };
}

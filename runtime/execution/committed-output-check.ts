import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as z from 'zod';
import { Diagnostics } from '../../compiler/diagnostics/catalogue.js';
import type { JobGraph } from '../../compiler/graph/job-graph.js';
import { fileSinksOf } from '../../connectors/file/graph-file-sinks.js';
import { readCommitRecords, type CommitRecord } from '../../connectors/file/commit-records.js';
import { parseHiddenPart } from '../../connectors/file/part-files.js';
import { DiagnosticError } from '../diagnostic-error.js';
import { listDirectory } from '../list-directory.js';

/**
 * Refuses a restore that would write committed output again. Exactly-once file sinks record what they commit
 * (connectors/file/commit-records.ts: checkpoint id and lineage per file); a part file still in the sink directory
 * whose record says a checkpoint newer than the one restored (same lineage) holds rows the restored job will
 * write again. Such a restore is refused (SLC9122), as is `--resume` with no usable checkpoint into a sink that
 * holds committed output (SLC9123), unless `rewind` is given: then those files are moved into
 * `<dir>/_rewound-after-chk-<n>-<time>/` with a rewind.json saying why, and the output after the restore is exact.
 * A fresh start (no restore asked for) is a new lineage and writes new part files next to the old ones, as Flink
 * does: records of other lineages never count against it.
 */

/** The file sinks that commit through checkpoints: exactly-once, not replaced by a Node API callback. */
export interface CommittingSink {
  readonly uid: string;
  readonly dir: string;
}

export function committingSinks(graph: JobGraph, callbacks: ReadonlyMap<string, unknown>): CommittingSink[] {
  return fileSinksOf(graph, callbacks).flatMap(({ uid, dir, exactlyOnce }) => (exactlyOnce ? [{ uid, dir }] : []));
}

/** What the job restores: a checkpoint of a lineage, or nothing although `--resume` asked for one (and why). */
export type RestorePoint =
  | { readonly kind: 'checkpoint'; readonly checkpointId: number; readonly lineage: string }
  | { readonly kind: 'nothing-to-resume'; readonly pipeline: string; readonly reason: string };

const RewindManifestSchema = z.object({
  reason: z.string(),
  sinkUid: z.string(),
  /** The checkpoint restored (0: none, the job started from scratch). */
  restoredCheckpoint: z.number().int().min(0),
  lineage: z.string().nullable(),
  rewoundAt: z.string(),
  files: z.array(z.object({ file: z.string(), checkpointId: z.number().int().nullable() })),
});
type RewindManifest = z.infer<typeof RewindManifestSchema>;

/** A sink whose output `checkCommittedOutput` moved aside, and what it did. */
export interface RewoundSink {
  readonly uid: string;
  readonly message: string;
}

/**
 * Checks every committing sink against `point`; throws SLC9122/SLC9123, or with `rewind` moves the output in
 * the way and says so per sink it rewound.
 */
export async function checkCommittedOutput(sinks: readonly CommittingSink[], point: RestorePoint, rewind: boolean, now: Date): Promise<RewoundSink[]> {
  const rewound: RewoundSink[] = [];
  for (const sink of sinks) {
    const names = await listDirectory(sink.dir);
    const present = new Set(names);
    const records = dedupe(await readCommitRecords(sink.dir, sink.uid)).filter((r) => present.has(r.file));
    const inTheWay =
      point.kind === 'checkpoint' ? records.filter((r) => r.lineage === point.lineage && r.checkpointId > point.checkpointId) : records;
    if (inTheWay.length === 0) continue;
    const newest = Math.max(...inTheWay.map((r) => r.checkpointId));
    if (!rewind) throw refusal(sink, point, inTheWay, newest);
    const restored = point.kind === 'checkpoint' ? point.checkpointId : 0;
    // Starting from scratch: hidden part files of earlier runs will never be committed either.
    const hidden = point.kind === 'checkpoint' ? [] : names.filter((n) => parseHiddenPart(n) !== undefined);
    const target = await rewindInto(sink, restored, now, {
      reason:
        point.kind === 'checkpoint'
          ? `the job restored checkpoint ${restored}; these files were committed by newer checkpoints (up to ${newest}) and are written again after it`
          : `the job started from scratch (${point.reason}); these files were committed by its earlier runs and are written again`,
      sinkUid: sink.uid,
      restoredCheckpoint: restored,
      lineage: point.kind === 'checkpoint' ? point.lineage : null,
      rewoundAt: now.toISOString(),
      files: [...inTheWay.map((r) => ({ file: r.file, checkpointId: r.checkpointId })), ...hidden.map((file) => ({ file, checkpointId: null }))],
    });
    rewound.push({
      uid: sink.uid,
      message:
        `moved ${inTheWay.length} part file(s) committed after checkpoint ${restored} (up to checkpoint ${newest})` +
        `${hidden.length === 0 ? '' : ` and ${hidden.length} uncommitted hidden file(s)`} into ${target}`,
    });
  }
  return rewound;
}

function refusal(sink: CommittingSink, point: RestorePoint, inTheWay: readonly CommitRecord[], newest: number): DiagnosticError {
  const names = inTheWay.map((r) => r.file).sort();
  const files = names.length <= 3 ? names.join(', ') : `${names.slice(0, 3).join(', ')} and ${names.length - 3} more`;
  if (point.kind === 'checkpoint') {
    return new DiagnosticError(Diagnostics.CommittedOutputNewer, { uid: sink.uid, dir: sink.dir, committed: newest, restoring: point.checkpointId, files });
  }
  return new DiagnosticError(Diagnostics.CommittedOutputWithoutCheckpoint, { pipeline: point.pipeline, reason: point.reason, uid: sink.uid, dir: sink.dir, committed: newest });
}

async function rewindInto(sink: CommittingSink, restored: number, now: Date, manifest: RewindManifest): Promise<string> {
  const target = path.join(sink.dir, `_rewound-after-chk-${restored}-${now.toISOString().replace(/[:.]/g, '-')}`);
  await mkdir(target);
  // The manifest first: a crash midway leaves it saying what was being moved.
  await writeFile(path.join(target, 'rewind.json'), `${JSON.stringify(RewindManifestSchema.parse(manifest), null, 2)}\n`);
  for (const { file } of manifest.files) await rename(path.join(sink.dir, file), path.join(target, file));
  return target;
}

/** Sinks of earlier versions recorded a file again when they retried its commit after a crash. */
function dedupe(records: readonly CommitRecord[]): CommitRecord[] {
  return [...new Map(records.map((r) => [r.file, r])).values()];
}


import { Diagnostics } from '../../compiler/diagnostics/catalogue.js';
import type { JobGraph } from '../../compiler/graph/job-graph.js';
import { fileSinksOf } from '../../connectors/file/graph-file-sinks.js';
import { DiagnosticError } from '../diagnostic-error.js';
import { lockDirectory, type DirectoryLock } from './directory-lock.js';
import { describeLockOwner, type LockOwner } from './lock-owner.js';
import { canonicalPath, type LockStrategy } from './process-lock.js';

/** A directory a job must have to itself, and what it is to the job (for the refusal). */
export type LockTarget =
  | { readonly kind: 'checkpoints'; readonly dir: string }
  | { readonly kind: 'sink'; readonly dir: string; readonly uid: string }
  | { readonly kind: 'state'; readonly dir: string };

const KIND_ORDER: Readonly<Record<LockTarget['kind'], number>> = { checkpoints: 0, sink: 1, state: 2 };
const WHAT: Readonly<Record<LockTarget['kind'], string>> = { checkpoints: 'checkpoint directory', sink: 'file sink directory', state: 'local state directory' };

/**
 * The directory of every file sink of the graph (exactly-once or not: two writers into one directory are never
 * right), except sinks read through a callback (by uid in `callbacks`), which write no files.
 */
export function sinkLockTargets(graph: JobGraph, callbacks: ReadonlyMap<string, unknown>): LockTarget[] {
  return fileSinksOf(graph, callbacks).map(({ uid, dir }) => ({ kind: 'sink', dir, uid }));
}

/** The locks a job holds from `Job.start` until it ends. */
export class JobLocks {
  private constructor(private readonly held: readonly DirectoryLock[]) {}

  /**
   * Locks every target, in a fixed order (checkpoints, sinks, local state; by path within a kind) so that two
   * jobs contending for the same directories refuse each other the same way. When one is held by another job,
   * releases those taken and throws a DiagnosticError naming the holder (SLC9130–9132); SLC9133 when a lock
   * cannot be tried at all.
   */
  static async take(targets: readonly LockTarget[], owner: LockOwner, strategy?: LockStrategy): Promise<JobLocks> {
    const ordered = [...targets].sort((a, b) => KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || a.dir.localeCompare(b.dir));
    const taken: DirectoryLock[] = [];
    const claimedBy = new Map<string, LockTarget>();
    try {
      for (const target of ordered) {
        const canonical = canonicalPathOf(target);
        const earlier = claimedBy.get(canonical);
        if (earlier !== undefined) {
          // Two sinks of this job would write the same part file names.
          if (earlier.kind === 'sink' && target.kind === 'sink') throw refusal(target, `file sink '${earlier.uid}' of this same job`, owner.jobId);
          continue;
        }
        claimedBy.set(canonical, target);
        let result;
        try {
          result = await lockDirectory(target.dir, owner, strategy);
        } catch (error) {
          throw new DiagnosticError(Diagnostics.LockFailed, { what: WHAT[target.kind], path: target.dir, reason: (error as Error).message });
        }
        if ('heldBy' in result) throw refusal(target, describeLockOwner(result.heldBy), result.heldBy?.jobId ?? '<job>');
        taken.push(result.lock);
      }
    } catch (error) {
      await Promise.all(taken.map((lock) => lock.release()));
      throw error;
    }
    return new JobLocks(taken);
  }

  /** Frees every lock (idempotent). */
  async release(): Promise<void> {
    await Promise.all(this.held.map((lock) => lock.release()));
  }
}

function canonicalPathOf(target: LockTarget): string {
  try {
    return canonicalPath(target.dir);
  } catch (error) {
    throw new DiagnosticError(Diagnostics.LockFailed, { what: WHAT[target.kind], path: target.dir, reason: (error as Error).message });
  }
}

function refusal(target: LockTarget, holder: string, jobId: string): DiagnosticError {
  const args = { path: target.dir, holder, jobId };
  switch (target.kind) {
    case 'checkpoints':
      return new DiagnosticError(Diagnostics.CheckpointDirectoryLocked, args);
    case 'sink':
      return new DiagnosticError(Diagnostics.SinkDirectoryLocked, { ...args, uid: target.uid });
    case 'state':
      return new DiagnosticError(Diagnostics.LocalStateDirectoryLocked, args);
  }
}

import { Worker } from 'node:worker_threads';
import type { KeyGroupRange } from '../../state/key-groups.js';
import { workerEntryUrl } from '../../workers/source-bundle.js';
import { mergedChainPieces, type ChainInput } from './chain-merge.js';
import { nodeFileSystem, type CheckpointFileSystem } from './file-system.js';
import { writePiecesDurably, type WrittenContent } from './state-file-writer.js';

/** One chain merge (chain-merge.ts): its inputs, and the new file `output` to write the merged base into. */
export interface ChainMergeJob {
  readonly bases: readonly ChainInput[];
  readonly deltas: readonly ChainInput[];
  readonly maxParallelism: number;
  readonly range: KeyGroupRange;
  readonly output: string;
}

/**
 * Runs a chain merge to its end: `output` written complete and fsynced, its size and sha256 returned. Rejects with
 * the merge's error (naming a damaged input), or with `signal`'s reason once aborted; `output` may then be left
 * partly written (the caller removes it).
 */
export type ChainMerger = (job: ChainMergeJob, signal: AbortSignal) => Promise<WrittenContent>;

/** Writes the merged chain of `job` through `fs`, on the calling thread; an abort takes effect at the next piece written (256 KiB). */
export function writeMergedChain(fs: CheckpointFileSystem, job: ChainMergeJob, signal?: AbortSignal): Promise<WrittenContent> {
  const pieces = mergedChainPieces(fs, job.bases, job.deltas, job.maxParallelism, job.range);
  async function* untilAborted(): AsyncGenerator<Buffer> {
    for await (const piece of pieces) {
      signal?.throwIfAborted();
      yield piece;
    }
  }
  return writePiecesDurably(fs, job.output, signal === undefined ? pieces : untilAborted());
}

/**
 * Merges on the task's thread, between its batches: for a storage on an injected file system (tests), which a
 * worker thread cannot reach.
 */
export function mergeOnThisThread(fs: CheckpointFileSystem): ChainMerger {
  return (job, signal) => writeMergedChain(fs, job, signal);
}

/**
 * Below this many bytes of input, a merge runs on the task's thread: a worker thread costs about 90 ms of CPU to
 * start and 230 ms with its module (zod's import, for the header schema), measured at load 18 (bench/README.md,
 * part 5) — about what merging this much costs, spread over the task's batches a MiB at a time.
 */
export const WORKER_MERGE_BYTES = 16 * 1024 * 1024;

/**
 * How a storage merges by default: in a worker thread (`mergeInWorker`) from WORKER_MERGE_BYTES of input on,
 * on this thread below that or when the files are reached through an injected `fs` (tests), which a worker
 * thread cannot use.
 */
export function defaultMerger(fs: CheckpointFileSystem): ChainMerger {
  const onThisThread = mergeOnThisThread(fs);
  if (fs !== nodeFileSystem) return onThisThread;
  return (job, signal) => {
    const bytes = [...job.bases, ...job.deltas].reduce((sum, input) => sum + input.expected.bytes, 0);
    return (bytes < WORKER_MERGE_BYTES ? onThisThread : mergeInWorker)(job, signal);
  };
}

/** What merge-worker.ts answers with. */
export type MergeOutcome = { readonly content: WrittenContent } | { readonly error: string };

/**
 * Merges in a worker thread of its own (merge-worker.ts), so that reading and writing a base of hundreds of MiB
 * takes no time from the task's thread: the process's CPU is the same, the task only waits for its own state.
 * A thread per merge: its start (tens of ms of CPU) is small against a merge worth moving off the task, and
 * aborting is terminating it. The worker writes `output` through `node:fs`.
 */
export const mergeInWorker: ChainMerger = (job, signal) =>
  new Promise((resolve, reject) => {
    signal.throwIfAborted();
    const worker = new Worker(new URL(workerEntryUrl(import.meta.url, 'merge-worker', 'sluice-merge-worker.js')), { workerData: job });
    let settled = false;
    const settle = (outcome: { content: WrittenContent } | { failure: unknown }) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      if ('content' in outcome) resolve(outcome.content);
      else reject(outcome.failure);
    };
    // Rejects only once the thread has stopped: nothing writes `output` after the caller removes it.
    const onAbort = () => void worker.terminate().then(() => settle({ failure: signal.reason }));
    signal.addEventListener('abort', onAbort, { once: true });
    worker.once('message', (outcome: MergeOutcome) => settle('content' in outcome ? outcome : { failure: new Error(outcome.error) }));
    worker.once('error', (error) => settle({ failure: error }));
    worker.once('exit', (code) => {
      if (!signal.aborted) settle({ failure: new Error(`the chain merge's worker thread stopped (exit code ${code}) before it answered`) });
    });
  });

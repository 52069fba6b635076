import { parentPort, workerData } from 'node:worker_threads';
import { writeMergedChain, type ChainMergeJob, type MergeOutcome } from './chain-mergers.js';
import { nodeFileSystem } from './file-system.js';

/** A chain merge's worker thread (chain-mergers.ts, `mergeInWorker`): one merge, one answer, then the thread ends. */
const answer = (outcome: MergeOutcome) => parentPort!.postMessage(outcome);
writeMergedChain(nodeFileSystem, workerData as ChainMergeJob).then(
  (content) => answer({ content }),
  (error: unknown) => answer({ error: error instanceof Error ? error.message : String(error) }),
);

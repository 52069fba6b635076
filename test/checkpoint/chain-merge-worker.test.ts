import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { StateFile } from '../../runtime/checkpoint/metadata/metadata-v4.js';
import { loadCheckpoint } from '../../runtime/checkpoint/restore/load-checkpoint.js';
import { filesOf, type StoredCheckpoint } from '../../runtime/checkpoint/storage/checkpoint-storage.js';
import { mergeInWorker, writeMergedChain, type ChainMergeJob, type ChainMerger } from '../../runtime/checkpoint/storage/chain-mergers.js';
import { FileCheckpointStorage } from '../../runtime/checkpoint/storage/file-storage.js';
import { nodeFileSystem } from '../../runtime/checkpoint/storage/file-system.js';
import type { WrittenContent } from '../../runtime/checkpoint/storage/state-file-writer.js';
import type { CheckpointStats } from '../../runtime/checkpoint/checkpoint-stats.js';
import { Job } from '../../runtime/execution/job.js';
import { HeapKeyedStateBackend } from '../../runtime/state/heap-backend.js';
import { compilePipe } from '../operators/run-pipe.js';
import { metadataFor, pacedGroupByPipe, restoredStateText, stateText, tempDir } from './state-fixtures.js';

const RANGE = { start: 0, end: 127 };
const OWNER = 'counts-0';

const opened: HeapKeyedStateBackend[] = [];
afterEach(() => {
  for (const backend of opened.splice(0)) backend.dispose();
});

/** 2,000 keys of a value state; round r > 0 changes 60 of them (some removed), so deltas stay small against the base. */
function workload() {
  const backend = new HeapKeyedStateBackend('fs', 128, RANGE);
  opened.push(backend);
  backend.register('count', 'value');
  const change = (round: number) => {
    for (let i = 0; i < 2000; i++) {
      if (round > 0 && (i * 7 + round) % 33 !== 0) continue;
      if (round > 0 && i % 10 === 0) backend.remove('count', i % 128, `["k${i}"]`, '');
      else backend.put('count', i % 128, `["k${i}"]`, '', round * 10_000 + i);
    }
  };
  return { backend, change };
}

/** Checkpoint `id`: a base when the storage asks for one, else the changes since checkpoint `id - 1`. */
async function checkpoint(storage: FileCheckpointStorage, backend: HeapKeyedStateBackend, id: number): Promise<StoredCheckpoint> {
  let files: StateFile[];
  if (storage.needsBase(OWNER)) {
    const snapshot = backend.snapshot(true);
    ({ files } = await storage.writeBase(id, OWNER, snapshot));
    snapshot.release();
  } else {
    const delta = backend.snapshotChanges!()!;
    ({ files } = await storage.writeChanges(id, OWNER, delta, id - 1));
    delta.release();
  }
  return storage.complete(metadataFor(id, files));
}

/**
 * A merger that merges in a worker, and tells when it was called and how it ended: once `open()` is called, or,
 * given `whileRunning`, at once, calling it right after the worker thread was started (before it can answer).
 */
function gatedMerger(whileRunning?: () => void) {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  let called!: (job: ChainMergeJob) => void;
  const started = new Promise<ChainMergeJob>((resolve) => (called = resolve));
  const outcomes: ('merged' | 'aborted' | 'failed')[] = [];
  const merger: ChainMerger = async (job, signal) => {
    try {
      called(job);
      if (whileRunning === undefined) {
        await Promise.race([gate, new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true }))]);
      }
      const running = mergeInWorker(job, signal);
      whileRunning?.();
      const content = await running;
      outcomes.push('merged');
      return content;
    } catch (error) {
      outcomes.push(signal.aborted ? 'aborted' : 'failed');
      throw error;
    }
  };
  return { merger, open, started, outcomes };
}

/** Writes checkpoints 1, 2, … until the storage starts a merge; returns them and the state each was taken of. */
async function checkpointsUntilMerge(storage: FileCheckpointStorage, started: Promise<unknown>, backend: HeapKeyedStateBackend, change: (round: number) => void) {
  let merging = false;
  void started.then(() => (merging = true));
  const stored: StoredCheckpoint[] = [];
  const expected: string[] = [];
  for (let id = 1; !merging; id++) {
    change(id - 1);
    stored.push(await checkpoint(storage, backend, id));
    expected.push(stateText(backend));
    await Promise.resolve();
  }
  return { stored, expected };
}

function sharedFiles(root: string): string[] {
  return fs.readdirSync(path.join(root, 'shared')).sort();
}

describe('chain merges in a worker thread', () => {
  it('write the same file as a merge on this thread, and a merged chain restores equal to a full snapshot', async () => {
    const root = tempDir();
    const storage = new FileCheckpointStorage(root, 'fs', nodeFileSystem, mergeInWorker);
    const { backend, change } = workload();
    const stored: StoredCheckpoint[] = [];
    let id = 0;
    // Write deltas until a checkpoint lists a merged base (merged in a worker).
    while (!stored.some((c) => filesOf(c.metadata)[0]!.shared!.endsWith('.merged.kstate'))) {
      change(id);
      stored.push(await checkpoint(storage, backend, ++id));
      await storage.mergesSettled();
    }
    expect(await restoredStateText(stored.at(-1)!)).toBe(stateText(backend));
    expect(filesOf(stored.at(-1)!.metadata).map((f) => f.delta === true)).toEqual([false, true]);

    // The chain the merge read: every file of the checkpoint before the first to list the merged base.
    const before = filesOf(stored.at(-2)!.metadata);
    const input = (file: StateFile) => ({ file: path.join(root, 'shared', file.shared!), expected: file });
    const job = (output: string): ChainMergeJob => ({
      bases: before.filter((f) => f.delta !== true).map(input),
      deltas: before.filter((f) => f.delta === true).map(input),
      maxParallelism: 128,
      range: RANGE,
      output: path.join(tempDir(), output),
    });
    const inWorker = job('worker.kstate');
    const here = job('here.kstate');
    const content: WrittenContent = await mergeInWorker(inWorker, new AbortController().signal);
    expect(await writeMergedChain(nodeFileSystem, here)).toEqual(content);
    expect(fs.readFileSync(inWorker.output)).toEqual(fs.readFileSync(here.output));
    const merged = filesOf(stored.at(-1)!.metadata)[0]!;
    expect({ bytes: merged.bytes, sha256: merged.sha256 }).toEqual(content);
  });

  it('reports a damaged input, naming the file, and the next snapshot is a base', async () => {
    const root = tempDir();
    const { merger, open, started } = gatedMerger();
    const storage = new FileCheckpointStorage(root, 'fs', nodeFileSystem, merger);
    const { backend, change } = workload();
    const { stored } = await checkpointsUntilMerge(storage, started, backend, change);
    const job = await started;
    const damaged = job.deltas.at(-1)!.file;
    const bytes = fs.readFileSync(damaged);
    bytes[bytes.length >> 1]! ^= 0x01;
    fs.writeFileSync(damaged, bytes);
    open();
    await storage.mergesSettled();
    expect(storage.needsBase(OWNER)).toBe(true);
    change(stored.length);
    const snapshot = backend.snapshot(true);
    const { problems } = await storage.writeBase(stored.length + 1, OWNER, snapshot);
    snapshot.release();
    expect(problems).toEqual([
      `merging the checkpoint chain of ${OWNER} into a new base failed: state file ${damaged} does not match its size and sha256 checksum (altered or damaged); its next checkpoint writes a full base`,
    ]);
    // Nothing of the failed merge is left in shared/: no merged base, no temporary file.
    expect(sharedFiles(root).filter((name) => name.includes('merged') || name.endsWith('.tmp'))).toEqual([]);
  });

  it('keeps every file a retained checkpoint lists while a merge is in flight, and the merge reads inputs only older checkpoints listed', async () => {
    const root = tempDir();
    const { merger, open, started, outcomes } = gatedMerger();
    const storage = new FileCheckpointStorage(root, 'fs', nodeFileSystem, merger);
    const { backend, change } = workload();
    const { stored, expected } = await checkpointsUntilMerge(storage, started, backend, change);
    const job = await started;
    // Two more checkpoints while the merge waits, then retention (num-retained = 1) discards all but the newest.
    for (let round = 0; round < 2; round++) {
      change(stored.length);
      stored.push(await checkpoint(storage, backend, stored.length + 1));
      expected.push(stateText(backend));
    }
    for (const old of stored.slice(0, -1)) await storage.discard(old.metadata.checkpointId, filesOf(old.metadata));
    const newest = stored.at(-1)!;
    const listed = filesOf(newest.metadata).map((f) => f.shared!);
    expect(sharedFiles(root)).toEqual(expect.arrayContaining(listed));
    // The merge's inputs are all still there (the newest checkpoint lists them too, and the merge holds them).
    for (const input of [...job.bases, ...job.deltas]) expect(fs.existsSync(input.file), input.file).toBe(true);
    open();
    await storage.mergesSettled();
    expect(outcomes).toEqual(['merged']);
    expect(await restoredStateText(newest)).toBe(expected.at(-1));
    // The next checkpoint lists the merged base and the two deltas written during the merge.
    change(stored.length);
    const next = await checkpoint(storage, backend, stored.length + 1);
    expect(filesOf(next.metadata).map((f) => f.shared!.endsWith('.merged.kstate') || f.delta === true)).toEqual([true, true, true, true]);
    expect(await restoredStateText(next)).toBe(stateText(backend));
    await storage.discard(newest.metadata.checkpointId, filesOf(newest.metadata));
    expect(sharedFiles(root)).toEqual(filesOf(next.metadata).map((f) => f.shared!).sort());
  });

  it('abandons a merge in flight: the worker stops, its temporary file goes, the chain stays as it was and unreported', async () => {
    const root = tempDir();
    let abandoned: Promise<void> | undefined;
    // Abandoned as soon as the worker thread has started: it cannot have answered (that takes a turn of the event loop).
    const { merger, started, outcomes } = gatedMerger(() => (abandoned = storage.abandonMerges()));
    const storage = new FileCheckpointStorage(root, 'fs', nodeFileSystem, merger);
    const { backend, change } = workload();
    const { stored } = await checkpointsUntilMerge(storage, started, backend, change);
    const listedBefore = filesOf(stored.at(-1)!.metadata).map((f) => f.shared!);
    await abandoned;
    expect(outcomes).toEqual(['aborted']);
    expect(sharedFiles(root)).toEqual([...listedBefore].sort());
    expect(storage.needsBase(OWNER)).toBe(false);
    change(stored.length);
    const delta = backend.snapshotChanges!()!;
    const { files, problems } = await storage.writeChanges(stored.length + 1, OWNER, delta, stored.length);
    delta.release();
    expect(problems).toEqual([]);
    expect(files.map((f) => f.shared!)).toEqual([...listedBefore, `${OWNER}.chk-${stored.length + 1}.kstate`]);
    expect(await restoredStateText(await storage.complete(metadataFor(stored.length + 1, files)))).toBe(stateText(backend));
    await storage.mergesSettled();
  });
});

describe('a job that ends while a chain merge is in flight', () => {
  it('stops the merge before `done` resolves, leaving no temporary or half-written base in shared/', async () => {
    const checkpoints = tempDir();
    const graph = compilePipe(pacedGroupByPipe('merge-at-end', checkpoints, 3000));
    const jobDir = path.join(checkpoints, graph.config.pipelineName);
    // The merge waits (gate never opened) until the job's end aborts it: it is in flight when the job is cancelled.
    const { merger, started, outcomes } = gatedMerger();
    const storage = new FileCheckpointStorage(jobDir, 'fs', nodeFileSystem, merger);
    const job = await Job.start(graph, { batchSize: 64, checkpointStorage: storage });
    const completed: CheckpointStats[] = [];
    job.on('checkpoint-completed', (stats) => completed.push(stats));
    const giveUp = setTimeout(() => void job.cancel(), 60_000);
    await started;
    const result = await job.cancel();
    clearTimeout(giveUp);
    expect(result.status).toBe('cancelled');
    // Settled before `done`: aborted (never merged), and nothing of it left under shared/.
    expect(outcomes).toEqual(['aborted']);
    const shared = sharedFiles(jobDir);
    expect(shared.filter((name) => name.endsWith('.tmp') || name.includes('.merged.'))).toEqual([]);
    // Every file the newest checkpoint lists is there, and it reads back verified.
    const newest = completed.at(-1)!.checkpointId;
    const { completed: recovered } = await new FileCheckpointStorage(jobDir, 'fs').recover();
    expect(recovered.at(-1)!.metadata.checkpointId).toBe(newest);
    await expect(loadCheckpoint(recovered.at(-1)!)).resolves.toBeDefined();
  }, 90_000);
});

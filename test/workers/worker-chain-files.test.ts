import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { filesOf } from '../../runtime/checkpoint/storage/checkpoint-storage.js';
import { FileCheckpointStorage } from '../../runtime/checkpoint/storage/file-storage.js';
import { DiskKeyedStateBackend } from '../../runtime/state/disk-backend.js';
import { HeapKeyedStateBackend } from '../../runtime/state/heap-backend.js';
import type { KeyedStateBackend } from '../../runtime/state/keyed-state-backend.js';
import { recordChain } from '../../runtime/workers/slot-worker.js';
import type { FromWorker } from '../../runtime/workers/worker-protocol.js';
import { MainThreadRequests, WorkerFileStorage } from '../../runtime/workers/worker-storage.js';
import { metadataFor, restoredStateText, stateText, tempDir } from '../checkpoint/state-fixtures.js';

const RANGE = { start: 0, end: 127 };
const opened: KeyedStateBackend[] = [];
afterEach(() => {
  for (const backend of opened.splice(0)) backend.dispose();
});

/**
 * A worker's storage (worker-storage.ts) and the main thread's, joined the way slot-worker.ts joins them, in one
 * thread: every message the worker side posts is kept, and `record-chain` is answered by the main thread's code.
 */
function threads(root: string, type: 'fs' | 'disk') {
  const main = new FileCheckpointStorage(root, type);
  const posted: FromWorker[] = [];
  const discards: Promise<void>[] = [];
  const requests: MainThreadRequests = new MainThreadRequests((message) => {
    posted.push(message);
    if (message.type === 'record-chain') void recordChain(main.chains!, message).then((answer) => requests.answered(answer));
    else if (message.type === 'discard') discards.push(main.discard(message.checkpointId, message.files));
  });
  return { main, worker: new WorkerFileStorage(root, type, requests), posted, discards };
}

/** Values that only the state holds: none may appear in a message to the main thread. */
const marker = (i: number) => `state-value-${i}`;

function workload(type: 'fs' | 'disk') {
  const backend: KeyedStateBackend =
    type === 'fs' ? new HeapKeyedStateBackend('fs', 128, RANGE) : new DiskKeyedStateBackend(128, RANGE, { directory: path.join(tempDir(), 'db'), cacheCells: 64 });
  opened.push(backend);
  backend.register('last', 'value');
  for (let i = 0; i < 2000; i++) backend.put('last', i % 128, `["k${i}"]`, '', marker(i));
  // Each round changes a few keys and removes one, so each delta is small beside the base (no merge before the 5th).
  const change = (round: number) => {
    for (let i = round; i < 2000; i += 97) backend.put('last', i % 128, `["k${i}"]`, '', marker(round * 10_000 + i));
    backend.remove('last', (round * 7) % 128, `["k${round * 7}"]`, '');
  };
  return { backend, change };
}

describe('incremental checkpoints written by the worker that owns the state', () => {
  it.each(['fs', 'disk'] as const)(
    'send the main thread handles only, and the 5th incremental checkpoint restores the full state (%s)',
    async (type) => {
      const root = tempDir();
      const { main, worker, posted } = threads(root, type);
      const { backend, change } = workload(type);
      const expected: string[] = [stateText(backend)];
      const base = backend.snapshot(true);
      const stored = [await main.complete(metadataFor(1, (await worker.writeBase(1, 'counts-0', base)).files))];
      base.release();
      for (let round = 1; round <= 5; round++) {
        change(round);
        expected.push(stateText(backend));
        expect(worker.needsBase('counts-0')).toBe(false);
        const delta = backend.snapshotChanges!()!;
        const { files } = await worker.writeChanges(round + 1, 'counts-0', delta, round);
        delta.release();
        stored.push(await main.complete(metadataFor(round + 1, files)));
      }
      expect(filesOf(stored[5]!.metadata).filter((f) => f.delta === true)).toHaveLength(5);
      // Restored from the files as the worker wrote them and the main thread listed them: exactly the state taken.
      for (let i = 0; i < stored.length; i++) expect(await restoredStateText(stored[i]!)).toBe(expected[i]);

      // What crossed to the main thread: one record per write, file handles only, no state.
      expect(posted.map((m) => m.type)).toEqual(Array.from({ length: 6 }, () => 'record-chain'));
      const text = JSON.stringify(posted);
      expect(text).not.toContain('state-value-');
      expect(text).not.toContain('k1000');
      for (const message of posted) {
        if (message.type !== 'record-chain') continue;
        for (const { file } of message.files) expect(Object.keys(file).sort()).toEqual(expect.arrayContaining(['bytes', 'keyGroupRange', 'path', 'sha256']));
      }
      // Every temporary name was renamed into place: `shared/` holds exactly what the checkpoints list.
      const listed = new Set(stored.flatMap((c) => filesOf(c.metadata)).map((f) => f.shared ?? path.basename(f.path)));
      expect(new Set(fs.readdirSync(path.join(root, 'shared')))).toEqual(listed);
    },
  );

  it.each(['fs', 'disk'] as const)(
    'leave reference counting to the main thread: discarding older checkpoints never deletes a file a newer one lists (%s)',
    async (type) => {
      const root = tempDir();
      const { main, worker, discards } = threads(root, type);
      const { backend, change } = workload(type);
      const base = backend.snapshot(true);
      const retained = [await main.complete(metadataFor(1, (await worker.writeBase(1, 'counts-0', base)).files))];
      base.release();
      for (let id = 2; id <= 8; id++) {
        change(id);
        const delta = backend.snapshotChanges!()!;
        retained.push(await main.complete(metadataFor(id, (await worker.writeChanges(id, 'counts-0', delta, id - 1)).files)));
        delta.release();
        // num-retained = 1: the coordinator discards the older checkpoint; a failed write's discard goes the same way.
        const oldest = retained.shift()!;
        await main.discard(oldest.metadata.checkpointId, filesOf(oldest.metadata));
      }
      await main.mergesSettled();
      const last = retained[0]!;
      const listed = filesOf(last.metadata).map((f) => f.shared ?? path.basename(f.path));
      for (const name of listed) expect(fs.existsSync(path.join(root, 'shared', name))).toBe(true);
      expect(await restoredStateText(last)).toBe(stateText(backend));
      // A discard in the worker (its write failed) is the main thread's: it removes the checkpoint's directory and
      // gives back its references; the chain still references its files, so they stay.
      await worker.discard(last.metadata.checkpointId, filesOf(last.metadata));
      expect(discards).toHaveLength(1);
      await Promise.all(discards);
      expect(fs.existsSync(path.join(root, `chk-${last.metadata.checkpointId}`))).toBe(false);
      for (const name of listed) expect(fs.existsSync(path.join(root, 'shared', name))).toBe(true);
    },
  );

  it('a delta the main thread refuses (its chain lost a write) is removed and the next snapshot is a base', async () => {
    const root = tempDir();
    const { worker } = threads(root, 'fs');
    const { backend, change } = workload('fs');
    const base = backend.snapshot(true);
    await worker.writeBase(1, 'counts-0', base);
    base.release();
    change(1);
    backend.snapshotChanges!()!.release(); // checkpoint 2: never written
    change(2);
    const delta = backend.snapshotChanges!()!;
    await expect(worker.writeChanges(3, 'counts-0', delta, 2)).rejects.toThrow(/before checkpoint 3 were not written/);
    delta.release();
    expect(worker.needsBase('counts-0')).toBe(true);
    // The worker's temporary link of the refused delta is gone: only the base is shared.
    expect(fs.readdirSync(path.join(root, 'shared'))).toEqual(['counts-0.chk-1.kstate']);
  });
});

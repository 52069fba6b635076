import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CheckpointReadError, loadCheckpoint, openCheckpoint } from '../../runtime/checkpoint/restore/load-checkpoint.js';
import type { StateFile } from '../../runtime/checkpoint/metadata/metadata-v4.js';
import { filesOf, type StoredCheckpoint } from '../../runtime/checkpoint/storage/checkpoint-storage.js';
import { FileCheckpointStorage } from '../../runtime/checkpoint/storage/file-storage.js';
import { encodeMapKey } from '../../runtime/state/key-codec.js';
import { HeapKeyedStateBackend } from '../../runtime/state/heap-backend.js';
import { keyedStateToText } from '../../runtime/state/snapshot-format.js';
import { runInProcess } from '../run/run-in-process.js';
import { metadataFor, tempDir } from './state-fixtures.js';

const RANGE = { start: 0, end: 127 };

/** A backend with a value state and a map state over `keys` keys; `round` changes some, removes some, adds some. */
function workload() {
  const backend = new HeapKeyedStateBackend('fs', 128, RANGE);
  backend.register('count', 'value');
  backend.register('rows', 'map');
  const key = (i: number) => ({ group: i % 128, key: `["k${i}"]` });
  const change = (round: number) => {
    for (let i = 0; i < 200; i++) {
      if ((i + round) % 7 !== 0 && round > 0) continue;
      const { group, key: k } = key(i);
      backend.put('count', group, k, '', round * 1000 + i);
      backend.mapPut('rows', group, k, `w${round % 3}`, encodeMapKey(round), round, { round, i });
    }
    // Keys whose value alone changes, in place (no snapshot open): each must still be in the next delta.
    for (let i = 300; i < 320; i++) if ((i + round) % 3 === 0) backend.put('count', key(i).group, key(i).key, '', round);
    // Removals: whole keys, single map entries, and a key removed then created again in one round.
    for (let i = round * 11; i < round * 11 + 5; i++) {
      const { group, key: k } = key(i);
      backend.remove('count', group, k, '');
      backend.remove('rows', group, k, `w${(round + 1) % 3}`);
    }
    const { group, key: k } = key(round * 13);
    backend.mapRemove('rows', group, k, `w${round % 3}`, encodeMapKey(round));
    backend.put('count', group, k, '', -round);
  };
  return { backend, change };
}

/** Checkpoint `id` of operator `counts`: a base when `base`, else the changes since checkpoint `after`. */
async function checkpoint(storage: FileCheckpointStorage, backend: HeapKeyedStateBackend, id: number, base: boolean): Promise<StoredCheckpoint> {
  let files: StateFile[];
  if (base) {
    const snapshot = backend.snapshot(true);
    ({ files } = await storage.writeBase(id, 'counts-0', snapshot));
    snapshot.release();
  } else {
    const delta = backend.snapshotChanges()!;
    ({ files } = await storage.writeChanges(id, 'counts-0', delta, id - 1));
    delta.release();
  }
  return storage.complete(metadataFor(id, files));
}

async function restoredText(stored: StoredCheckpoint): Promise<string> {
  const loaded = await loadCheckpoint(stored);
  const restored = new HeapKeyedStateBackend('fs', 128, RANGE);
  for (const keyed of loaded.operators[0]!.keyed) restored.restore(keyed.entries, keyed.header.states);
  const snapshot = restored.snapshot();
  return keyedStateToText(snapshot);
}

function textOf(backend: HeapKeyedStateBackend): string {
  const snapshot = backend.snapshot();
  const text = keyedStateToText(snapshot);
  snapshot.release();
  return text;
}

describe('incremental checkpoints: a base and a chain of deltas', () => {
  it('restores the 5th incremental checkpoint byte-identical to a full snapshot of the same state, and writes only what changed', async () => {
    const root = tempDir();
    const storage = new FileCheckpointStorage(root, 'fs');
    const { backend, change } = workload();
    change(0);
    const expected = [textOf(backend)];
    const stored = [await checkpoint(storage, backend, 1, true)];
    for (let round = 1; round <= 5; round++) {
      change(round);
      expected.push(textOf(backend));
      const delta = backend.snapshotChanges()!;
      // A write after the delta is taken must not show in it (copy-on-write), only in the next one.
      backend.put('count', 1, `["k${round}"]`, '', `after ${round}`);
      const { files, writtenBytes } = await storage.writeChanges(round + 1, 'counts-0', delta, round);
      delta.release();
      expect(files.map((f) => f.delta === true)).toEqual([false, ...Array.from({ length: round }, () => true)]);
      expect(writtenBytes).toBe(files.at(-1)!.bytes);
      expect(writtenBytes).toBeLessThan(files[0]!.bytes);
      stored.push(await storage.complete(metadataFor(round + 1, files)));
    }
    expect(stored[5]!.metadata.operators[0]!.subtasks[0]!.keyedState).toHaveLength(6);
    // Every checkpoint of the chain restores exactly the state it was taken of: the 5th included.
    for (let i = 0; i < stored.length; i++) expect(await restoredText(stored[i]!)).toBe(expected[i]);
    expect(expected[5]).not.toBe(expected[4]);
  });

  it('keeps every file a retained checkpoint lists when older ones are deleted, and then deletes what none lists', async () => {
    const root = tempDir();
    const storage = new FileCheckpointStorage(root, 'fs');
    const { backend, change } = workload();
    change(0);
    const retained: StoredCheckpoint[] = [await checkpoint(storage, backend, 1, true)];
    for (let id = 2; id <= 12; id++) {
      change(id);
      retained.push(await checkpoint(storage, backend, id, storage.needsBase('counts-0')));
      // num-retained = 2: the coordinator discards the oldest with the files its metadata lists.
      while (retained.length > 2) {
        const oldest = retained.shift()!;
        await storage.discard(oldest.metadata.checkpointId, filesOf(oldest.metadata));
      }
    }
    // The chain grew long enough for a new base (MAX_DELTAS), so the first base is gone by now.
    expect(retained.flatMap((c) => filesOf(c.metadata)).some((f) => f.shared === 'counts-0.chk-1.kstate')).toBe(false);
    const listed = new Set(retained.flatMap((c) => filesOf(c.metadata)).map((f) => f.shared));
    const shared = fs.readdirSync(path.join(root, 'shared'));
    expect(new Set(shared)).toEqual(listed);
    expect(await restoredText(retained.at(-1)!)).toBe(textOf(backend));
    // A new process finds the same references: nothing it needs is an orphan.
    const { completed } = await new FileCheckpointStorage(root, 'fs').recover();
    expect(fs.readdirSync(path.join(root, 'shared')).sort()).toEqual(shared.sort());
    expect(await restoredText(completed.at(-1)!)).toBe(textOf(backend));
  });

  it('detects a corrupt or missing shared file of the chain, naming it', async () => {
    const root = tempDir();
    const storage = new FileCheckpointStorage(root, 'fs');
    const { backend, change } = workload();
    change(0);
    await checkpoint(storage, backend, 1, true);
    change(1);
    await checkpoint(storage, backend, 2, false);
    change(2);
    const newest = await checkpoint(storage, backend, 3, false);
    const delta = path.join(root, 'shared', 'counts-0.chk-2.kstate');
    const bytes = fs.readFileSync(delta);
    bytes[bytes.length >> 1]! ^= 0x01;
    fs.writeFileSync(delta, bytes);
    await expect(loadCheckpoint(newest)).rejects.toThrow(new CheckpointReadError(3, `state file ${path.join(root, 'chk-3', '../shared/counts-0.chk-2.kstate')} does not match its sha256 checksum (altered or damaged)`));
    fs.rmSync(path.join(root, 'shared', 'counts-0.chk-1.kstate'));
    await expect(loadCheckpoint(newest)).rejects.toThrow(/state file .*\/shared\/counts-0\.chk-1\.kstate is missing/);
  });

  it('refuses a delta that does not follow the last one written, and then needs a base', async () => {
    const storage = new FileCheckpointStorage(tempDir(), 'fs');
    const { backend, change } = workload();
    change(0);
    await checkpoint(storage, backend, 1, true);
    change(1);
    const lost = backend.snapshotChanges()!; // checkpoint 2: its write never happens
    lost.release();
    change(2);
    const delta = backend.snapshotChanges()!;
    await expect(storage.writeChanges(3, 'counts-0', delta, 2)).rejects.toThrow(/before checkpoint 3 were not written/);
    delta.release();
    expect(storage.needsBase('counts-0')).toBe(true);
  });
});

describe('a savepoint written by the Sluice before incremental checkpoints (metadata version 3)', () => {
  const FIXTURE = path.join(path.dirname(new URL(import.meta.url).pathname), 'fixtures', 'v3-savepoint-counts');

  it('reads as complete files and restores a job', async () => {
    const opened = await openCheckpoint(FIXTURE);
    if ('error' in opened) throw new Error(opened.error);
    expect(opened.checkpoint.metadata).toMatchObject({ version: 5, type: 'savepoint', unaligned: false, channelState: [] });
    const loaded = await loadCheckpoint(opened.checkpoint);
    const counts = loaded.operators.find((op) => op.entry.uid === 'per-v')!.keyed.flatMap((k) => k.entries).filter((e) => e.state === 'accumulators');
    expect(counts.map((e) => e.key).sort()).toEqual(['[1]', '[2]', '[3]', '[4]', '[5]']);

    const dir = tempDir();
    fs.writeFileSync(
      path.join(dir, 'counts.pipe'),
      `SET 'pipeline.name' = 'counts';
SET 'state.backend' = 'fs';
CREATE SOURCE ticks (id BIGINT, v INT) WITH ('connector' = 'datagen', 'number-of-rows' = '3000', 'fields.v.min' = '1', 'fields.v.max' = '5') UID 'ticks';
CREATE SINK out WITH ('connector' = 'blackhole') UID 'out';
INSERT INTO out FROM ticks |> AGGREGATE COUNT(*) AS n GROUP BY v UID 'per-v';
`,
    );
    const restored = await runInProcess('counts.pipe', { resume: false, from: FIXTURE }, { cwd: dir });
    expect(restored.code, restored.stderr).toBe(0);
    expect(restored.stderr).toContain(`restored from savepoint`);
  });
});

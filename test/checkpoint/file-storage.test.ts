import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileCheckpointStorage } from '../../runtime/checkpoint/storage/file-storage.js';
import { backendWith, tempDir, writeCheckpoint } from './state-fixtures.js';

const sharedFiles = (root: string) => (fs.existsSync(path.join(root, 'shared')) ? fs.readdirSync(path.join(root, 'shared')).sort() : []);

describe('file checkpoint storage', () => {
  it('fs: writes each subtask’s keyed state into the checkpoint directory, referenced relatively, with size and sha256', async () => {
    const root = tempDir();
    const storage = new FileCheckpointStorage(root, 'fs');
    const files = await writeCheckpoint(storage, 1, backendWith({ 3: 30, 9: 90 }));
    expect(files).toEqual([{ path: 'counts-0.kstate', bytes: expect.any(Number), sha256: expect.stringMatching(/^[0-9a-f]{64}$/), keyGroupRange: { start: 0, end: 127 } }]);
    expect(fs.readdirSync(path.join(root, 'chk-1')).sort()).toEqual(['_completed', '_metadata', 'counts-0.kstate']);
    expect(fs.statSync(path.join(root, 'chk-1', 'counts-0.kstate')).size).toBe(files[0]!.bytes);
    expect(fs.readFileSync(path.join(root, 'chk-1', '_metadata'), 'utf8')).toMatch(/^\{\n {2}"format": "sluice-checkpoint-metadata",\n {2}"version": 10,\n {2}"checksum": "[0-9a-f]{64}",/);
  });

  it('disk: shares the files of key-group ranges unchanged since an earlier checkpoint instead of writing them again', async () => {
    const root = tempDir();
    const storage = new FileCheckpointStorage(root, 'disk');
    const backend = backendWith({ 3: 30, 100: 1000 });
    const first = await writeCheckpoint(storage, 1, backend);
    backend.put('count', 100, '["k100"]', '', 1001);
    const second = await writeCheckpoint(storage, 2, backend);
    // Eight ranges of 16 key groups; only those holding entries get a file.
    expect(first.map((f) => f.keyGroupRange)).toEqual([
      { start: 0, end: 15 },
      { start: 96, end: 111 },
    ]);
    expect(first.every((f) => f.path.startsWith('../shared/'))).toBe(true);
    expect(second[0]!.path).toBe(first[0]!.path);
    expect(second[1]!.path).not.toBe(first[1]!.path);
    expect(sharedFiles(root).length).toBe(new Set([...first, ...second].map((f) => f.path)).size);
  });

  it('disk: deletes a shared file only when no retained checkpoint references it any more', async () => {
    const root = tempDir();
    const storage = new FileCheckpointStorage(root, 'disk');
    const backend = backendWith({ 3: 30 });
    const first = await writeCheckpoint(storage, 1, backend);
    backend.put('count', 3, '["k3"]', '', 31);
    const second = await writeCheckpoint(storage, 2, backend);
    await storage.discard(1, first);
    expect(fs.existsSync(path.join(root, 'chk-1'))).toBe(false);
    expect(sharedFiles(root)).toEqual([...new Set(second.map((f) => path.basename(f.path)))].sort());
    await storage.discard(2, second);
    expect(sharedFiles(root)).toEqual([]);
  });

  it('finds the completed checkpoints of an earlier process and removes what incomplete ones left behind', async () => {
    const root = tempDir();
    const writer = new FileCheckpointStorage(root, 'disk');
    const backend = backendWith({ 5: 50 });
    await writeCheckpoint(writer, 4, backend);
    // Checkpoint 5 wrote state but the process died before its metadata.
    backend.put('count', 5, '["k5"]', '', 51);
    const snapshot = backend.snapshot();
    await writer.writeKeyedState(5, 'counts-0', snapshot);
    snapshot.release();
    fs.mkdirSync(path.join(root, 'chk-5'), { recursive: true });
    const before = sharedFiles(root).length;

    const recovered = await new FileCheckpointStorage(root, 'disk').recover();
    expect(recovered.completed.map((c) => c.metadata.checkpointId)).toEqual([4]);
    expect(recovered.highestId).toBe(5);
    expect(recovered.problems).toEqual([]);
    expect(fs.existsSync(path.join(root, 'chk-5'))).toBe(false);
    expect(sharedFiles(root).length).toBe(before - 1);
  });

  it('reports a checkpoint whose metadata cannot be read, and then leaves shared files alone', async () => {
    const root = tempDir();
    const writer = new FileCheckpointStorage(root, 'disk');
    await writeCheckpoint(writer, 1, backendWith({ 1: 1 }));
    fs.writeFileSync(path.join(root, 'chk-1', '_metadata'), '{"format": "sluice-checkpoint-metadata", "vers');
    fs.writeFileSync(path.join(root, 'shared', 'orphan.kstate'), 'x');
    const recovered = await new FileCheckpointStorage(root, 'disk').recover();
    expect(recovered.completed).toEqual([]);
    expect(recovered.damaged).toEqual([
      { checkpointId: 1, location: path.join(root, 'chk-1'), reason: expect.stringMatching(/chk-1\/_metadata is not valid JSON\. Likely causes: the file was truncated/) },
    ]);
    expect(sharedFiles(root)).toContain('orphan.kstate');
  });

  it('tells a completed checkpoint whose _metadata was deleted from one that never completed', async () => {
    const root = tempDir();
    const storage = new FileCheckpointStorage(root, 'fs');
    await writeCheckpoint(storage, 1, backendWith({ 1: 1 }));
    await writeCheckpoint(storage, 2, backendWith({ 1: 2 }));
    fs.rmSync(path.join(root, 'chk-2', '_metadata'));
    // What a process killed while writing checkpoint 3 leaves: state files, no _metadata, no marker.
    await storage.writeKeyedState(3, 'counts-0', backendWith({ 1: 3 }).snapshot());
    const recovered = await new FileCheckpointStorage(root, 'fs').recover();
    expect(recovered.completed.map((c) => c.metadata.checkpointId)).toEqual([1]);
    expect(recovered.damaged).toEqual([
      { checkpointId: 2, location: path.join(root, 'chk-2'), reason: `${root}/chk-2/_metadata is missing, yet the checkpoint completed (_completed is there): it was deleted` },
    ]);
    expect(recovered.highestId).toBe(3);
    expect(fs.existsSync(path.join(root, 'chk-3'))).toBe(false);
    expect(fs.existsSync(path.join(root, 'chk-2'))).toBe(true);
  });

  it('finds a checkpoint directory renamed to another id damaged, though its metadata is intact', async () => {
    const root = tempDir();
    await writeCheckpoint(new FileCheckpointStorage(root, 'fs'), 5, backendWith({ 1: 5 }));
    fs.renameSync(path.join(root, 'chk-5'), path.join(root, 'chk-6'));
    const recovered = await new FileCheckpointStorage(root, 'fs').recover();
    expect(recovered.completed).toEqual([]);
    expect(recovered.damaged).toEqual([
      {
        checkpointId: 6,
        location: path.join(root, 'chk-6'),
        reason: `${root}/chk-6/_metadata is checkpoint 5, but its directory is chk-6: the directory was renamed or the file copied from another checkpoint`,
      },
    ]);
  });
});

import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openCheckpoint } from '../../runtime/checkpoint/restore/load-checkpoint.js';
import { restoreNewestIntact } from '../../runtime/checkpoint/restore/choose-restore.js';
import { FileCheckpointStorage } from '../../runtime/checkpoint/storage/file-storage.js';
import { BIGINT, graph, op, schema } from '../runtime/job-graph-fixtures.js';
import { backendWith, tempDir, writeCheckpoint } from './state-fixtures.js';

const rows = schema([['n', BIGINT]]);
const counts = op('counts', { kind: 'group_aggregate', keys: [], aggregates: [] }, { inputs: [rows], output: rows });
const job = graph([counts], []);

/** Checkpoints 1 and 2 of `counts` in a fresh directory, as a restarted process finds them. */
async function twoCheckpoints() {
  const root = tempDir();
  const storage = new FileCheckpointStorage(root, 'fs');
  const backend = backendWith({ 7: 1 });
  await writeCheckpoint(storage, 1, backend);
  backend.put('count', 7, '["k7"]', '', 2);
  await writeCheckpoint(storage, 2, backend);
  const { completed } = await new FileCheckpointStorage(root, 'fs').recover();
  return { root, newestFirst: [...completed].reverse(), stateFile: path.join(root, 'chk-2', 'counts-0.kstate') };
}

describe('a checkpoint with a missing or corrupt file', () => {
  it('restores the newest checkpoint when every file is intact', async () => {
    const { newestFirst } = await twoCheckpoints();
    const { chosen, skipped } = await restoreNewestIntact(newestFirst, job, {});
    expect(chosen?.plan.checkpointId).toBe(2);
    expect(skipped).toEqual([]);
    expect(chosen?.plan.restore(counts, 0)?.keyed[0]?.entries.map((e) => e.value)).toEqual([2]);
  });

  it('is reported and skipped for the previous one when a state file was altered (checksum)', async () => {
    const { root, newestFirst, stateFile } = await twoCheckpoints();
    // One bit: a checkpoint's state file is binary (metadata version 7), a text edit may change nothing.
    const bytes = fs.readFileSync(stateFile);
    bytes[bytes.length >> 1]! ^= 0x01;
    fs.writeFileSync(stateFile, bytes);
    const { chosen, skipped } = await restoreNewestIntact(newestFirst, job, {});
    expect(chosen?.plan.checkpointId).toBe(1);
    expect(skipped).toEqual([`chk-2: state file ${root}/chk-2/counts-0.kstate does not match its sha256 checksum (altered or damaged)`]);
  });

  it('is reported when a state file is truncated or missing', async () => {
    const { root, newestFirst, stateFile } = await twoCheckpoints();
    fs.truncateSync(stateFile, 10);
    expect((await restoreNewestIntact(newestFirst, job, {})).skipped[0]).toMatch(/state file .*\/chk-2\/counts-0\.kstate has 10 bytes, the metadata says \d+ \(truncated or altered\)/);
    fs.rmSync(stateFile);
    expect((await restoreNewestIntact(newestFirst, job, {})).skipped[0]).toBe(
      `chk-2: state file ${root}/chk-2/counts-0.kstate is missing`,
    );
  });

  it('leaves nothing to restore when every checkpoint is damaged', async () => {
    const { root, newestFirst, stateFile } = await twoCheckpoints();
    fs.rmSync(stateFile);
    fs.rmSync(path.join(root, 'chk-1', 'counts-0.kstate'));
    const { chosen, skipped } = await restoreNewestIntact(newestFirst, job, {});
    expect(chosen).toBeUndefined();
    expect(skipped).toHaveLength(2);
  });
});

describe('opening a checkpoint by path', () => {
  it('accepts the directory or its _metadata file', async () => {
    const { root } = await twoCheckpoints();
    for (const target of [path.join(root, 'chk-1'), path.join(root, 'chk-1', '_metadata')]) {
      const opened = await openCheckpoint(target);
      expect('checkpoint' in opened && opened.checkpoint.metadata.checkpointId).toBe(1);
    }
  });

  it('says why a path is not a checkpoint', async () => {
    const { root } = await twoCheckpoints();
    expect(await openCheckpoint(path.join(root, 'nowhere'))).toEqual({ error: `${path.join(root, 'nowhere')} does not exist`, damaged: false });
    expect(await openCheckpoint(root)).toEqual({
      error: `${root} holds no _metadata file: it is not a completed checkpoint or savepoint (an incomplete checkpoint has none)`,
      damaged: false,
    });
  });
});

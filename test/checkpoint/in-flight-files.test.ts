import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { inFlightLines } from '../../runtime/checkpoint/channel-state.js';
import { CheckpointReadError, loadCheckpoint } from '../../runtime/checkpoint/restore/load-checkpoint.js';
import { FileCheckpointStorage } from '../../runtime/checkpoint/storage/file-storage.js';
import { RowKind, type RecordBatch } from '../../runtime/record-batch.js';
import { metadataFor, tempDir } from './state-fixtures.js';

/** A batch with every kind of value a row may hold, an upsert batch with its change kinds. */
const BATCHES: RecordBatch[] = [
  { rows: [[1, 'a', null, -0, Number.NaN, Infinity, 1.5, true, [1, 2], { k: 'v' }]] },
  { rows: [[2], [2]], kinds: Uint8Array.from([RowKind.UPDATE_BEFORE, RowKind.UPDATE_AFTER]) },
];

async function writeUnaligned(root: string) {
  const storage = new FileCheckpointStorage(root, 'fs');
  const file = await storage.writeChannelState(1, 'task-0.0.output.inflight', inFlightLines(BATCHES));
  const channel = { edge: { from: 'a', to: 'b', toInput: 0 }, fromSubtask: 0, toSubtask: 1, direction: 'output' as const, ...file, batches: 2, records: 3 };
  return storage.complete({ ...metadataFor(1, []), unaligned: true, channelState: [channel] });
}

describe('the in-flight records files of an unaligned checkpoint', () => {
  it('read back exactly the batches written, values and change kinds included', async () => {
    const stored = await writeUnaligned(tempDir());
    const loaded = await loadCheckpoint(stored);
    expect(loaded.channelState.map((c) => c.batches)).toEqual([BATCHES]);
  });

  it('make the checkpoint damaged when one is truncated, naming the file', async () => {
    const root = tempDir();
    const stored = await writeUnaligned(root);
    const file = path.join(root, 'chk-1', 'task-0.0.output.inflight');
    fs.truncateSync(file, 10);
    const error = await loadCheckpoint(stored).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CheckpointReadError);
    expect((error as Error).message).toBe(`checkpoint 1: in-flight records file ${file} has 10 bytes, the metadata says ${stored.metadata.channelState[0]!.bytes} (truncated or altered)`);
  });
});

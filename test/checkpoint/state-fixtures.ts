import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';
import type { CheckpointMetadata } from '../../runtime/checkpoint/metadata/metadata-format.js';
import { METADATA_FORMAT, type StateFile } from '../../runtime/checkpoint/metadata/metadata-v1.js';
import type { OperatorStateEntry } from '../../runtime/checkpoint/metadata/metadata-v6.js';
import { loadCheckpoint } from '../../runtime/checkpoint/restore/load-checkpoint.js';
import type { CheckpointStorage, StoredCheckpoint } from '../../runtime/checkpoint/storage/checkpoint-storage.js';
import { HeapKeyedStateBackend } from '../../runtime/state/heap-backend.js';
import type { KeyedStateBackend } from '../../runtime/state/keyed-state-backend.js';
import { keyedStateToText } from '../../runtime/state/snapshot-format.js';

/** Checkpoint data for storage and restore tests: keyed state, metadata, temporary directories. */

/** A temporary directory removed after the test. */
export function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-chk-test-'));
  dirs.push(dir);
  return dir;
}
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** A backend's whole keyed state as snapshot text (canonical: equal states give equal text). */
export function stateText(backend: KeyedStateBackend): string {
  const snapshot = backend.snapshot();
  const text = keyedStateToText(snapshot);
  snapshot.release();
  return text;
}

/** The keyed state of a stored checkpoint's first operator (128 key groups, all of them), restored, as snapshot text. */
export async function restoredStateText(stored: StoredCheckpoint): Promise<string> {
  const loaded = await loadCheckpoint(stored);
  const restored = new HeapKeyedStateBackend('fs', 128, { start: 0, end: 127 });
  for (const keyed of loaded.operators[0]!.keyed) restored.restore(keyed.entries, keyed.header.states);
  const text = stateText(restored);
  restored.dispose();
  return text;
}

/**
 * A GROUP BY over a paced sequence (ids 1, 2, …; key id % `keys`), checkpointed every 50 ms on `fs` into
 * `checkpoints`: a base, then deltas, merged in the background. Its state at any checkpoint is determined by how
 * many ids were read.
 */
export function pacedGroupByPipe(name: string, checkpoints: string, keys: number): string {
  return `
SET 'pipeline.name' = '${name}';
SET 'state.backend' = 'fs';
SET 'state.checkpoints.dir' = '${checkpoints}';
SET 'execution.checkpointing.interval' = '50ms';
CREATE SOURCE events (id BIGINT) WITH ('connector' = 'datagen', 'fields.id.kind' = 'sequence', 'fields.id.start' = '1',
  'fields.id.end' = '100000000', 'rows-per-second' = '20000') UID 'events';
CREATE SINK out WITH ('connector' = 'blackhole') UID 'out';
INSERT INTO out FROM events |> EXTEND id % ${keys} AS k |> AGGREGATE COUNT(*) AS n GROUP BY k UID 'per-key';
`;
}

/** Keyed value state `count` with `values[keyGroup]` under key `["k<keyGroup>"]`, over all 128 key groups. */
export function backendWith(values: Record<number, number>): HeapKeyedStateBackend {
  const backend = new HeapKeyedStateBackend('fs', 128, { start: 0, end: 127 });
  backend.register('count', 'value');
  for (const [keyGroup, value] of Object.entries(values)) backend.put('count', Number(keyGroup), `["k${keyGroup}"]`, '', value);
  return backend;
}

/** Metadata of one operator `counts` (a group aggregate at parallelism 1) whose keyed state is `files`. */
export function metadataFor(checkpointId: number, files: StateFile[], operator: Partial<OperatorStateEntry> = {}): CheckpointMetadata {
  return {
    format: METADATA_FORMAT,
    version: 10,
    type: 'checkpoint',
    jobId: 'job',
    pipelineName: 'test',
    graphDigest: 'd',
    checkpointId,
    timestamp: 1000 * checkpointId,
    maxParallelism: 128,
    stateBackend: 'fs',
    operators: [
      {
        uid: 'counts',
        id: 'counts',
        kind: 'group_aggregate',
        name: 'counts',
        parallelism: 1,
        state: [],
        spec: {},
        subtasks: [{ subtask: 0, keyGroupRange: { start: 0, end: 127 }, keyedState: files, operatorState: [], rawState: [] }],
        ...operator,
      },
    ],
    graph: null,
    unaligned: false,
    channelState: [],
  };
}

/** Writes `backend`'s state as checkpoint `checkpointId` of operator `counts` and completes it. */
export async function writeCheckpoint(storage: CheckpointStorage, checkpointId: number, backend: HeapKeyedStateBackend): Promise<StateFile[]> {
  const snapshot = backend.snapshot();
  const files = await storage.writeKeyedState(checkpointId, 'counts-0', snapshot);
  snapshot.release();
  await storage.complete(metadataFor(checkpointId, files));
  return files;
}

import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CheckpointReadError, loadCheckpoint, openCheckpoint } from '../../runtime/checkpoint/restore/load-checkpoint.js';
import type { StateFile } from '../../runtime/checkpoint/metadata/metadata-v4.js';
import { filesOf, type StoredCheckpoint } from '../../runtime/checkpoint/storage/checkpoint-storage.js';
import { FileCheckpointStorage } from '../../runtime/checkpoint/storage/file-storage.js';
import { encodeMapKey } from '../../runtime/state/key-codec.js';
import { DiskKeyedStateBackend } from '../../runtime/state/disk-backend.js';
import { HeapKeyedStateBackend } from '../../runtime/state/heap-backend.js';
import type { KeyedStateBackend, StateEntry } from '../../runtime/state/keyed-state-backend.js';
import { keyedStateDeltaLines, keyedStateFromText, keyedStateToText, type ParsedKeyedState } from '../../runtime/state/snapshot-format.js';
import { applyDeltas } from '../../runtime/checkpoint/restore/apply-deltas.js';
import { isBinaryKeyedState } from '../../runtime/state/snapshot-binary.js';
import { sha256Of } from '../../runtime/checkpoint/storage/state-file-writer.js';
import { runInProcess } from '../run/run-in-process.js';
import { metadataFor, restoredStateText, stateText, tempDir } from './state-fixtures.js';

const RANGE = { start: 0, end: 127 };

const opened: KeyedStateBackend[] = [];
afterEach(() => {
  for (const backend of opened.splice(0)) backend.dispose();
});

/**
 * A backend with a value state and a map state over a few hundred keys; `round` changes some, removes some, adds
 * some. The `disk` backend's cache holds a fraction of the cells, so changes reach its store by eviction too.
 */
function workload(type: 'fs' | 'disk' = 'fs') {
  const backend: KeyedStateBackend = type === 'fs' ? new HeapKeyedStateBackend('fs', 128, RANGE) : new DiskKeyedStateBackend(128, RANGE, { directory: path.join(tempDir(), 'db'), cacheCells: 64 });
  opened.push(backend);
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
async function checkpoint(storage: FileCheckpointStorage, backend: KeyedStateBackend, id: number, base: boolean): Promise<StoredCheckpoint> {
  let files: StateFile[];
  if (base) {
    const snapshot = backend.snapshot(true);
    ({ files } = await storage.writeBase(id, 'counts-0', snapshot));
    snapshot.release();
  } else {
    const delta = backend.snapshotChanges!()!;
    ({ files } = await storage.writeChanges(id, 'counts-0', delta, id - 1));
    delta.release();
  }
  return storage.complete(metadataFor(id, files));
}

/** A listed file's name in `shared/` (a `disk` base chunk is listed by its path there). */
function sharedName(file: StateFile): string {
  return file.shared ?? path.basename(file.path);
}

describe('incremental checkpoints: a base and a chain of deltas', () => {
  it.each(['fs', 'disk'] as const)('restores the 5th incremental checkpoint byte-identical to a full snapshot of the same state, and writes only what changed (%s)', async (type) => {
    const root = tempDir();
    const storage = new FileCheckpointStorage(root, type);
    const { backend, change } = workload(type);
    change(0);
    // Keys no round changes: the deltas stay smaller than the base, so the chain is not merged before the 5th.
    for (let i = 1000; i < 2000; i++) backend.put('count', i % 128, `["k${i}"]`, '', i);
    const expected = [stateText(backend)];
    const stored = [await checkpoint(storage, backend, 1, true)];
    for (let round = 1; round <= 5; round++) {
      change(round);
      expected.push(stateText(backend));
      const delta = backend.snapshotChanges!()!;
      // A write after the delta is taken must not show in it (copy-on-write), only in the next one.
      // (In its own key group: a key belongs to one, and deltas name keys by key.)
      backend.put('count', round % 128, `["k${round}"]`, '', `after ${round}`);
      const { files, writtenBytes } = await storage.writeChanges(round + 1, 'counts-0', delta, round);
      delta.release();
      const bases = files.filter((f) => f.delta !== true);
      expect(files.map((f) => f.delta === true)).toEqual([...bases.map(() => false), ...Array.from({ length: round }, () => true)]);
      expect(writtenBytes).toBe(files.at(-1)!.bytes);
      expect(writtenBytes).toBeLessThan(bases.reduce((sum, f) => sum + f.bytes, 0) / 4);
      stored.push(await storage.complete(metadataFor(round + 1, files)));
    }
    const chain = stored[5]!.metadata.operators[0]!.subtasks[0]!.keyedState;
    expect(chain.filter((f) => f.delta === true)).toHaveLength(5);
    // Metadata version 10: base and deltas in the binary encoding (as versions 7 to 9).
    expect(stored[5]!.metadata.version).toBe(10);
    for (const file of chain) expect(isBinaryKeyedState(fs.readFileSync(path.join(root, 'chk-6', file.path))), file.path).toBe(true);
    // Every checkpoint of the chain restores exactly the state it was taken of: the 5th included.
    for (let i = 0; i < stored.length; i++) expect(await restoredStateText(stored[i]!)).toBe(expected[i]);
    expect(expected[5]).not.toBe(expected[4]);
  });

  it.each(['fs', 'disk'] as const)('keeps every file a retained checkpoint lists when older ones are deleted, and then deletes what none lists (%s)', async (type) => {
    const root = tempDir();
    const storage = new FileCheckpointStorage(root, type);
    const { backend, change } = workload(type);
    change(0);
    const retained: StoredCheckpoint[] = [await checkpoint(storage, backend, 1, true)];
    const firstBase = filesOf(retained[0]!.metadata).map(sharedName);
    for (let id = 2; id <= 30; id++) {
      change(id);
      retained.push(await checkpoint(storage, backend, id, storage.needsBase('counts-0')));
      // num-retained = 2: the coordinator discards the oldest with the files its metadata lists.
      while (retained.length > 2) {
        const oldest = retained.shift()!;
        await storage.discard(oldest.metadata.checkpointId, filesOf(oldest.metadata));
      }
      // Merges run while later checkpoints are written; settling them every third one makes both orders happen.
      if (id % 3 === 0) await storage.mergesSettled();
    }
    await storage.mergesSettled();
    // The chain was merged into new bases, so the first base is gone by now.
    const listed = new Set(retained.flatMap((c) => filesOf(c.metadata)).map(sharedName));
    expect(firstBase.filter((name) => listed.has(name))).toEqual([]);
    const shared = fs.readdirSync(path.join(root, 'shared'));
    // Beyond what the retained checkpoints list, only the chain's own merged base (for the next checkpoint).
    expect(shared.filter((name) => !listed.has(name)).every((name) => name.endsWith('.merged.kstate'))).toBe(true);
    expect(shared.filter((name) => listed.has(name))).toHaveLength(listed.size);
    expect(await restoredStateText(retained.at(-1)!)).toBe(stateText(backend));
    // A new process finds the same references: what it needs stays, what only the old chain held goes.
    const { completed } = await new FileCheckpointStorage(root, type).recover();
    expect(new Set(fs.readdirSync(path.join(root, 'shared')))).toEqual(listed);
    expect(await restoredStateText(completed.at(-1)!)).toBe(stateText(backend));
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
    expect(isBinaryKeyedState(bytes)).toBe(true);
    bytes[bytes.length >> 1]! ^= 0x01;
    fs.writeFileSync(delta, bytes);
    await expect(loadCheckpoint(newest)).rejects.toThrow(new CheckpointReadError(3, `state file ${path.join(root, 'chk-3', '../shared/counts-0.chk-2.kstate')} does not match its sha256 checksum (altered or damaged)`));
    // Its checksum made to match (a writer's bug rather than damage): the records themselves are refused, the file named.
    bytes[bytes.length >> 1]! ^= 0x01;
    bytes.writeUInt32LE(0xffffff, bytes.length - 21); // the end record's length, past the end of the file
    fs.writeFileSync(delta, bytes);
    const listed = newest.metadata.operators[0]!.subtasks[0]!.keyedState.map((f) => (f.shared === 'counts-0.chk-2.kstate' ? { ...f, sha256: sha256Of(bytes) } : f));
    await expect(loadCheckpoint({ ...newest, metadata: metadataFor(3, listed) })).rejects.toThrow(
      /^checkpoint 3: state file .*\/shared\/counts-0\.chk-2\.kstate is not valid: keyed state snapshot, record \d+: truncated: no end record$/,
    );
    fs.rmSync(path.join(root, 'shared', 'counts-0.chk-1.kstate'));
    await expect(loadCheckpoint(newest)).rejects.toThrow(/state file .*\/shared\/counts-0\.chk-1\.kstate is missing/);
  });

  it.each(['fs', 'disk'] as const)('merges a long chain into a new base in the background: the task writes only deltas, and every checkpoint restores its state (%s)', async (type) => {
    const root = tempDir();
    const storage = new FileCheckpointStorage(root, type);
    const { backend, change } = workload(type);
    change(0);
    const stored = [await checkpoint(storage, backend, 1, true)];
    const expected = [stateText(backend)];
    for (let id = 2; id <= 40; id++) {
      change(id);
      expect(storage.needsBase('counts-0')).toBe(false);
      stored.push(await checkpoint(storage, backend, id, false));
      expected.push(stateText(backend));
      if (id % 2 === 0) await storage.mergesSettled();
    }
    const merged = stored.filter((c) => sharedName(filesOf(c.metadata)[0]!).endsWith('.merged.kstate'));
    expect(merged.length).toBeGreaterThan(3);
    // After a merge a checkpoint lists the merged base and the deltas written since: fewer than the deltas merged.
    for (const checkpoint of merged) expect(filesOf(checkpoint.metadata).length).toBeLessThanOrEqual(11);
    for (let i = 0; i < stored.length; i++) expect(await restoredStateText(stored[i]!), `checkpoint ${i + 1}`).toBe(expected[i]);
  });

  it('encodes a heap base in the turn it is handed over: its copy-on-write view is released before the write resolves, and writes after it are not in the file', async () => {
    const storage = new FileCheckpointStorage(tempDir(), 'fs');
    const { backend, change } = workload();
    change(0);
    const expected = stateText(backend);
    const snapshot = backend.snapshot(true);
    let released = 0;
    const release = snapshot.release.bind(snapshot);
    (snapshot as { release: () => void }).release = () => {
      released++;
      release();
    };
    const write = storage.writeBase(1, 'counts-0', snapshot);
    expect(released).toBe(1);
    change(1);
    const { files } = await write;
    const stored = await storage.complete(metadataFor(1, files));
    expect(await restoredStateText(stored)).toBe(expected);
    expect(stateText(backend)).not.toBe(expected);
  });

  it('merges a chain whose files span many reads (records cut across reads are joined), restoring the state at the last delta', async () => {
    const root = tempDir();
    const storage = new FileCheckpointStorage(root, 'fs');
    const backend = new HeapKeyedStateBackend('fs', 128, RANGE);
    opened.push(backend);
    backend.register('count', 'value');
    backend.register('rows', 'map');
    // About 3 MiB of base (reads are 1 MiB), values of varied length so that records straddle the reads.
    const put = (i: number, round: number) => {
      backend.put('count', i % 128, `["k${i}"]`, '', { round, text: 'x'.repeat((i * 7 + round) % 90), n: i / 3 });
      if (i % 4 === 0) backend.mapPut('rows', i % 128, `["k${i}"]`, '', encodeMapKey(round), round, [`é${i}`, round]);
    };
    for (let i = 0; i < 30_000; i++) put(i, 0);
    const base = await checkpoint(storage, backend, 1, true);
    expect(filesOf(base.metadata)[0]!.bytes).toBeGreaterThan(2.5 * 1024 * 1024);
    let id = 1;
    while (!fs.readdirSync(path.join(root, 'shared')).some((name) => name.endsWith('.merged.kstate'))) {
      id++;
      for (let i = id; i < 30_000; i += 7) put(i, id);
      for (let i = id * 3; i < id * 3 + 50; i++) backend.remove('count', i % 128, `["k${i}"]`, '');
      await checkpoint(storage, backend, id, false);
      await storage.mergesSettled();
    }
    id++;
    const newest = await checkpoint(storage, backend, id, false);
    expect(filesOf(newest.metadata)[0]!.shared).toMatch(/\.merged\.kstate$/);
    expect(await restoredStateText(newest)).toBe(stateText(backend));
  });

  it('detects a corrupt merged base, naming it; a damaged file of the chain fails its merge and the next snapshot is a base', async () => {
    const root = tempDir();
    const storage = new FileCheckpointStorage(root, 'fs');
    const { backend, change } = workload();
    change(0);
    await checkpoint(storage, backend, 1, true);
    let id = 1;
    while (!fs.readdirSync(path.join(root, 'shared')).some((name) => name.endsWith('.merged.kstate'))) {
      change(++id);
      await checkpoint(storage, backend, id, false);
      await storage.mergesSettled();
    }
    const mergedName = `counts-0.chk-${id}.merged.kstate`;
    change(++id);
    const newest = await checkpoint(storage, backend, id, false);
    expect(filesOf(newest.metadata).map((f) => f.shared)).toEqual([mergedName, `counts-0.chk-${id}.kstate`]);
    const merged = path.join(root, 'shared', mergedName);
    const bytes = fs.readFileSync(merged);
    bytes[bytes.length >> 1]! ^= 0x01;
    fs.writeFileSync(merged, bytes);
    await expect(loadCheckpoint(newest)).rejects.toThrow(new CheckpointReadError(id, `state file ${path.join(root, `chk-${id}`, `../shared/${mergedName}`)} does not match its sha256 checksum (altered or damaged)`));
    // The damaged base is an input of the next merge: it fails, and the task is asked for a new base.
    while (!storage.needsBase('counts-0')) {
      change(++id);
      await checkpoint(storage, backend, id, false);
      await storage.mergesSettled();
    }
    expect(fs.readdirSync(path.join(root, 'shared')).filter((name) => name.endsWith('.merged.kstate'))).toEqual([mergedName]);
    change(++id);
    const base = await checkpoint(storage, backend, id, true);
    expect(await restoredStateText(base)).toBe(stateText(backend));
  });

  it('refuses a delta that does not follow the last one written, and then needs a base', async () => {
    const storage = new FileCheckpointStorage(tempDir(), 'fs');
    const { backend, change } = workload();
    change(0);
    await checkpoint(storage, backend, 1, true);
    change(1);
    const lost = backend.snapshotChanges!()!; // checkpoint 2: its write never happens
    lost.release();
    change(2);
    const delta = backend.snapshotChanges!()!;
    await expect(storage.writeChanges(3, 'counts-0', delta, 2)).rejects.toThrow(/before checkpoint 3 were not written/);
    delta.release();
    expect(storage.needsBase('counts-0')).toBe(true);
  });
});

describe('applying a chain on restore', () => {
  /** The way restore applied a chain before it took one pass: each delta filtering every entry read so far. */
  function applyByFiltering(files: readonly ParsedKeyedState[]): StateEntry[] {
    let entries: StateEntry[] = [];
    for (const file of files) {
      const changed = file.changedKeys;
      if (changed !== undefined) entries = entries.filter((entry) => !changed.has(entry.key));
      entries.push(...file.entries);
    }
    return entries;
  }

  function canonicalText(entries: Iterable<StateEntry>, states: Record<string, 'value' | 'map'>): string {
    const backend = new HeapKeyedStateBackend('fs', 128, RANGE);
    opened.push(backend);
    backend.restore(entries, states);
    return stateText(backend);
  }

  it.each(['fs', 'disk'] as const)('takes one pass and gives what applying delta after delta gave, the state at the last delta (%s)', (type) => {
    const { backend, change } = workload(type);
    change(0);
    const base = backend.snapshot(true);
    const files = [keyedStateFromText(keyedStateToText(base))];
    base.release();
    for (let round = 1; round <= 12; round++) {
      change(round);
      const delta = backend.snapshotChanges!()!;
      files.push(keyedStateFromText([...keyedStateDeltaLines(delta)].join('\n')));
      delta.release();
    }
    const applied = applyDeltas(files, RANGE, 128);
    expect(applied.header.states).toEqual({ count: 'value', rows: 'map' });
    const expected = canonicalText(applyByFiltering(files), applied.header.states);
    expect(canonicalText(applied.entries, applied.header.states)).toBe(expected);
    expect(expected).toBe(stateText(backend));
    // Each key once in the result: no entry of a replaced key survives.
    expect(applied.entries).toHaveLength(applyByFiltering(files).length);
  });
});

describe('a savepoint written by the Sluice before incremental checkpoints (metadata version 3)', () => {
  const FIXTURE = path.join(path.dirname(new URL(import.meta.url).pathname), 'fixtures', 'v3-savepoint-counts');

  it('reads as complete files and restores a job', async () => {
    const opened = await openCheckpoint(FIXTURE);
    if ('error' in opened) throw new Error(opened.error);
    expect(opened.checkpoint.metadata).toMatchObject({ version: 10, type: 'savepoint', unaligned: false, channelState: [] });
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

describe('an incremental checkpoint written before binary state files (metadata version 6)', () => {
  const FIXTURE = path.join(path.dirname(new URL(import.meta.url).pathname), 'fixtures', 'v6-incremental-counts');

  it('restores its chain of JSON-lines files, and the pipeline goes on with binary ones', async () => {
    const root = tempDir();
    fs.cpSync(FIXTURE, root, { recursive: true });
    const expected = fs.readFileSync(path.join(root, 'expected-state.txt'), 'utf8');
    const read = await openCheckpoint(path.join(root, 'chk-3'));
    if ('error' in read) throw new Error(read.error);
    expect(fs.readFileSync(path.join(root, 'chk-3', '_metadata'), 'utf8')).toContain('"version": 6,');
    expect(read.checkpoint.metadata.version).toBe(10);
    const chain = read.checkpoint.metadata.operators[0]!.subtasks[0]!.keyedState;
    expect(chain.map((f) => f.delta === true)).toEqual([false, true, true]);
    for (const file of chain) expect(isBinaryKeyedState(fs.readFileSync(path.join(root, 'chk-3', file.path)))).toBe(false);
    expect(await restoredStateText(read.checkpoint)).toBe(expected);

    // A new process recovers the pipeline's checkpoints, restores the newest and writes a binary chain after it.
    const storage = new FileCheckpointStorage(root, 'fs');
    const { completed } = await storage.recover();
    expect(completed.map((c) => c.metadata.checkpointId)).toEqual([1, 2, 3]);
    const backend = new HeapKeyedStateBackend('fs', 128, RANGE);
    opened.push(backend);
    for (const keyed of (await loadCheckpoint(completed[2]!)).operators[0]!.keyed) backend.restore(keyed.entries, keyed.header.states);
    expect(storage.needsBase('counts-0')).toBe(true);
    await checkpoint(storage, backend, 4, true);
    backend.put('count', 9, '["k9"]', '', 'after the restore');
    const newest = await checkpoint(storage, backend, 5, false);
    for (const file of filesOf(newest.metadata)) expect(isBinaryKeyedState(fs.readFileSync(path.join(root, 'chk-5', file.path)))).toBe(true);
    expect(await restoredStateText(newest)).toBe(stateText(backend));
    expect(stateText(backend)).not.toBe(expected);
  });
});

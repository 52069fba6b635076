import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CurrentKey } from '../../runtime/state/current-key.js';
import { DiskKeyedStateBackend } from '../../runtime/state/disk-backend.js';
import { createKeyedState, mapState, valueState } from '../../runtime/state/keyed-state.js';
import type { CellLayout, KeyedStateBackend, StateEntry } from '../../runtime/state/keyed-state-backend.js';
import { keyedStateToText } from '../../runtime/state/snapshot-format.js';
import { TestBackends } from './state-test-backends.js';

/*
 * The disk backend through the life an in-run recovery gives it: a checkpoint's snapshot still being written when
 * the task fails, the store closed under it, a store opened again at the same place and restored. A native crash
 * here kills the test worker (vitest reports "Worker exited unexpectedly"), which is how test/checkpoint's
 * in-run-recovery test found LMDB's write-map abort.
 */

const MAX_PARALLELISM = 128;
const CACHE_CELLS = 1000;
/** Enough for snapshots longer than the chunks the store is read in. */
const KEYS = 600;

const dirs: string[] = [];
const backends = new TestBackends();
afterEach(() => {
  backends.disposeAll();
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function storeDirectory(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-disk-lifecycle-'));
  dirs.push(dir);
  return path.join(dir, 'store.lmdb');
}

function diskBackend(directory: string): DiskKeyedStateBackend {
  return new DiskKeyedStateBackend(MAX_PARALLELISM, { start: 0, end: MAX_PARALLELISM - 1 }, { directory, cacheCells: CACHE_CELLS });
}

/**
 * A join side as the Nexmark pipelines keep it: rows per key in a map, a count per key; `round` adds rows for
 * `keys` and clears every key of the round before, so the store empties and fills again.
 */
function joinRound(backend: KeyedStateBackend, keys: readonly number[], round: number): void {
  const key = new CurrentKey(MAX_PARALLELISM, backend.keyGroupRange, 'join');
  const rows = createKeyedState(backend, key, mapState<number, string>('rows'));
  const count = createKeyedState(backend, key, valueState<number>('count'));
  for (const k of keys) {
    key.set([k]);
    rows.put(round, `row ${k}/${round}`);
    count.update((count.value() ?? 0) + 1);
  }
  for (const k of keys) {
    key.set([k]);
    rows.remove(round - 1);
    if (round % 3 === 2) {
      rows.clear();
      count.clear();
    }
  }
}

function snapshotText(backend: KeyedStateBackend): string {
  const snapshot = backend.snapshot();
  try {
    return keyedStateToText(snapshot);
  } finally {
    snapshot.release();
  }
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('the disk backend across failures and restores', () => {
  it('removing the last cells of its store and writing again', () => {
    const disk = diskBackend(storeDirectory());
    const key = new CurrentKey(MAX_PARALLELISM, disk.keyGroupRange, 'one');
    const count = createKeyedState(disk, key, valueState<number>('count'));
    key.set([1]);
    for (let round = 1; round <= 3; round++) {
      count.update(round);
      disk.flush();
      count.clear();
      disk.flush();
    }
    count.update(4);
    expect(snapshotText(disk)).toContain('4');
    disk.dispose();
  });

  it('closed with a checkpoint still being written, opened again at the same place and restored, many times', () => {
    const directory = storeDirectory();
    let checkpoint: { entries: readonly StateEntry[]; layouts: Record<string, CellLayout>; text: string } | undefined;
    for (let attempt = 0; attempt < 6; attempt++) {
      const disk = diskBackend(directory);
      const reference = backends.create('memory');
      if (checkpoint !== undefined) {
        disk.restore(checkpoint.entries, checkpoint.layouts);
        reference.restore(checkpoint.entries, checkpoint.layouts);
        expect(snapshotText(disk)).toBe(checkpoint.text);
      }

      // A round of processing, then a checkpoint that completes.
      joinRound(disk, range(KEYS), 3 * attempt);
      joinRound(reference, range(KEYS), 3 * attempt);
      const completed = disk.snapshot();
      checkpoint = { entries: [...completed.entries()], layouts: Object.fromEntries(completed.layouts), text: keyedStateToText(completed) };
      completed.release();
      expect(checkpoint.text).toBe(snapshotText(reference));

      // The next checkpoint is being written in the background while the task goes on (and empties the store),
      // when the task fails and its store is closed.
      joinRound(disk, range(KEYS), 3 * attempt + 1);
      const inFlight = disk.snapshot();
      const writing = inFlight.entries()[Symbol.iterator]();
      writing.next();
      joinRound(disk, range(KEYS), 3 * attempt + 2);
      disk.flush();
      disk.dispose();
      // That write cannot go on against a closed store: it fails (the checkpoint is declined) rather than crash.
      expect(() => {
        for (let next = writing.next(); !next.done; next = writing.next());
      }).toThrow();
      inFlight.release();
    }
  });
});

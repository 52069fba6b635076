import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createKeyedStateBackend } from '../../runtime/state/create-backend.js';
import { DiskKeyedStateBackend } from '../../runtime/state/disk-backend.js';
import { keyGroupForKey } from '../../runtime/state/key-groups.js';
import type { KeyedStateBackend } from '../../runtime/state/keyed-state-backend.js';

// The disk backend's cache bounded in bytes (`state.backend.disk.cache-size`): cells are counted at an estimate of
// their heap, measured when loaded and when encoded (write-back, checkpoint), and evicted past the bound.

const MAX_PARALLELISM = 128;
const RANGE = { start: 0, end: MAX_PARALLELISM - 1 };
const dirs: string[] = [];
const opened: KeyedStateBackend[] = [];
afterEach(() => {
  for (const backend of opened.splice(0)) backend.dispose();
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-disk-cache-size-'));
  dirs.push(dir);
  return dir;
}

function diskBackend(bound: { cacheBytes?: number; cacheCells?: number }): DiskKeyedStateBackend {
  const backend = new DiskKeyedStateBackend(MAX_PARALLELISM, RANGE, { directory: path.join(tempDir(), 'store'), ...bound });
  opened.push(backend);
  backend.register('v', 'value');
  return backend;
}

const keys = (n: number) => Array.from({ length: n }, (_, i) => `["k${i}"]`);
const group = (key: string) => keyGroupForKey(key, MAX_PARALLELISM);

/** Writes `value(i)` under each key, flushes, then reads every key back (from the store: a fresh cache's misses), noting the cache's peaks. */
function writeThenRead(disk: DiskKeyedStateBackend, n: number, value: (i: number) => unknown) {
  const all = keys(n);
  for (const [i, key] of all.entries()) disk.put('v', group(key), key, '', value(i));
  disk.snapshot().release();
  let peakCells = 0;
  let peakBytes = 0;
  const read: unknown[] = [];
  // Twice round: the second pass reads what the first evicted.
  for (let pass = 0; pass < 2; pass++) {
    for (const key of all) {
      read.push(disk.get('v', group(key), key, ''));
      peakCells = Math.max(peakCells, disk.cachedCellCount);
      peakBytes = Math.max(peakBytes, disk.cachedByteCount);
    }
  }
  return { peakCells, peakBytes, read, expected: [...all.map((_, i) => value(i)), ...all.map((_, i) => value(i))] };
}

describe('the disk backend cache bounded in bytes', () => {
  it('evicts at its size: many small cells, few large ones, and what it evicted reads back', () => {
    const bound = 64 * 1024;
    const small = writeThenRead(diskBackend({ cacheBytes: bound }), 2000, (i) => [i, i * 3]);
    expect(small.read).toEqual(small.expected);
    expect(small.peakBytes).toBeLessThanOrEqual(bound);
    // About 230 bytes per small cell: ~280 of them, not the 2,000 written.
    expect(small.peakCells).toBeGreaterThan(200);
    expect(small.peakCells).toBeLessThan(320);

    // 2,000 characters each: ~4 KB per cell, so 16 at most.
    const large = writeThenRead(diskBackend({ cacheBytes: bound }), 200, (i) => `${i}:${'x'.repeat(2000)}`);
    expect(large.read).toEqual(large.expected);
    expect(large.peakBytes).toBeLessThanOrEqual(bound);
    expect(large.peakCells).toBeGreaterThanOrEqual(8);
    expect(large.peakCells).toBeLessThanOrEqual(16);
  });

  it('holds both bounds when both are given', () => {
    const both = writeThenRead(diskBackend({ cacheBytes: 64 * 1024, cacheCells: 50 }), 500, (i) => [i]);
    expect(both.read).toEqual(both.expected);
    expect(both.peakCells).toBe(50);
  });

  it('counts a value put into a new cell, and measures a cell grown in place again when it is written back or checkpointed', () => {
    const disk = diskBackend({ cacheBytes: 1024 ** 3 });
    const [first, second] = keys(2) as [string, string];
    const empty = disk.cachedByteCount;
    disk.put('v', group(first), first, '', ['a', 'b', 'c']);
    const withValue = disk.cachedByteCount;
    expect(withValue).toBeGreaterThan(empty);

    // Grown in place (as an aggregate's accumulator is), unseen until encoded.
    const list = disk.getForUpdate('v', group(first), first, '') as string[];
    for (let i = 0; i < 1000; i++) list.push(`item-${i}`);
    expect(disk.cachedByteCount).toBe(withValue);
    disk.snapshot(true).release();
    const text = JSON.stringify(list).length;
    expect(disk.cachedByteCount).toBeGreaterThan(2 * text);

    // A delta encodes the dirty cells it takes: measured there too.
    disk.put('v', group(second), second, '', []);
    const grown = disk.getForUpdate('v', group(second), second, '') as string[];
    for (let i = 0; i < 1000; i++) grown.push(`item-${i}`);
    const before = disk.cachedByteCount;
    disk.snapshotChanges!()!.release();
    expect(disk.cachedByteCount).toBeGreaterThan(before + 2 * JSON.stringify(grown).length - 100);
  });

  it('is what the settings give: cache-size in bytes, or cache-cells instead when set', () => {
    const location = (extra: object) => ({ localDir: tempDir(), name: 'op.0', ...extra });
    const bySize = createKeyedStateBackend('disk', MAX_PARALLELISM, RANGE, location({ diskCacheBytes: 16 * 1024, diskCacheCells: null })) as DiskKeyedStateBackend;
    const byCells = createKeyedStateBackend('disk', MAX_PARALLELISM, RANGE, location({ diskCacheBytes: 16 * 1024, diskCacheCells: 500 })) as DiskKeyedStateBackend;
    opened.push(bySize, byCells);
    for (const backend of [bySize, byCells]) backend.register('v', 'value');
    const sized = writeThenRead(bySize, 600, (i) => [i]);
    const counted = writeThenRead(byCells, 600, (i) => [i]);
    expect(sized.read).toEqual(sized.expected);
    expect(counted.read).toEqual(counted.expected);
    expect(sized.peakCells).toBeLessThan(100);
    expect(counted.peakCells).toBe(500);
    expect(() => createKeyedStateBackend('disk', MAX_PARALLELISM, RANGE, location({}))).toThrow(/cache bound/);
  });
});

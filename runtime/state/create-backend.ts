import path from 'node:path';
import { DiskKeyedStateBackend } from './disk-backend.js';
import { HeapKeyedStateBackend } from './heap-backend.js';
import type { KeyGroupRange } from './key-groups.js';
import type { KeyedStateBackend, StateBackendType } from './keyed-state-backend.js';

export interface BackendLocation {
  /** Directory for the disk backend's stores (one per operator subtask). */
  readonly localDir: string;
  /** A file-name-safe identity of the operator subtask, e.g. `count-by-user.2`. */
  readonly name: string;
  /** The disk backend's cache bound in cells (`state.backend.disk.cache-cells`): when set, instead of `diskCacheBytes`. */
  readonly diskCacheCells?: number | null | undefined;
  /** The disk backend's cache bound in estimated bytes (`state.backend.disk.cache-size`), unless `diskCacheCells` is set. */
  readonly diskCacheBytes?: number | undefined;
}

/** The keyed-state backend chosen by `state.backend.type`. */
export function createKeyedStateBackend(
  type: StateBackendType,
  maxParallelism: number,
  keyGroupRange: KeyGroupRange,
  location: BackendLocation,
): KeyedStateBackend {
  switch (type) {
    case 'memory':
    case 'fs':
      return new HeapKeyedStateBackend(type, maxParallelism, keyGroupRange);
    case 'disk':
      return new DiskKeyedStateBackend(maxParallelism, keyGroupRange, {
        directory: path.join(location.localDir, `${location.name.replace(/[^\w.-]+/g, '_')}.lmdb`),
        ...diskCacheBound(location),
      });
  }
}

/** The cells setting when set (it overrides the size), else the size. */
function diskCacheBound(location: BackendLocation): { cacheCells: number } | { cacheBytes: number } {
  if (location.diskCacheCells != null) return { cacheCells: location.diskCacheCells };
  if (location.diskCacheBytes === undefined) throw new Error('the disk backend needs a cache bound: state.backend.disk.cache-size or cache-cells');
  return { cacheBytes: location.diskCacheBytes };
}

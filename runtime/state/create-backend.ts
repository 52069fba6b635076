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
  /** Cells the disk backend keeps decoded in memory (`state.backend.disk.cache-cells`). */
  readonly diskCacheCells: number;
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
        cacheCells: location.diskCacheCells,
      });
  }
}

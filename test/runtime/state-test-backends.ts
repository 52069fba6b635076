import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createKeyedStateBackend } from '../../runtime/state/create-backend.js';
import type { KeyGroupRange } from '../../runtime/state/key-groups.js';
import type { KeyedStateBackend, StateBackendType } from '../../runtime/state/keyed-state-backend.js';

export const BACKEND_TYPES: readonly StateBackendType[] = ['memory', 'fs', 'disk'];

/** Backends for tests, each disk one in its own temporary directory; `disposeAll()` removes them. */
export class TestBackends {
  private readonly created: { backend: KeyedStateBackend; dir: string }[] = [];

  create(type: StateBackendType, maxParallelism = 128, range: KeyGroupRange = { start: 0, end: maxParallelism - 1 }, diskCacheCells = 100_000): KeyedStateBackend {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-test-state-'));
    const backend = createKeyedStateBackend(type, maxParallelism, range, { localDir: dir, name: `test-${this.created.length}`, diskCacheCells });
    this.created.push({ backend, dir });
    return backend;
  }

  disposeAll(): void {
    for (const { backend, dir } of this.created.splice(0)) {
      backend.dispose();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
}

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import type { Field } from '../../compiler/types/sql-type.js';
import type { StreamSchema } from '../../compiler/graph/job-graph.js';
import type { SplitReader } from '../../runtime/connectors/source-connector.js';

/** A fresh temporary directory per call, removed after the test. */
export function useTempDirs(): () => Promise<string> {
  const dirs: string[] = [];
  afterEach(async () => {
    await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  });
  return async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-connectors-'));
    dirs.push(dir);
    return dir;
  };
}

export function appendSchema(fields: readonly Field[]): StreamSchema {
  return { fields: [...fields], changelog: 'append' };
}

/** Every row of a bounded reader, in batches of `batch`, then closes it; fails on `idle`. */
export async function readAll(reader: SplitReader, batch = 1000): Promise<unknown[][]> {
  const rows: unknown[][] = [];
  try {
    for (;;) {
      const result = await reader.read(batch);
      rows.push(...result.rows);
      if (result.status === 'end') return rows;
      if (result.status === 'idle') throw new Error(`reader ${reader.splitId} went idle`);
    }
  } finally {
    await reader.close();
  }
}

import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll } from 'vitest';
import type { ScalarUdf } from '../../compiler/functions/registry.js';

/** Runs the tests of a file with worker threads on (SLUICE_WORKERS=1). */
export function useWorkers(): void {
  const saved = process.env['SLUICE_WORKERS'];
  beforeAll(() => {
    process.env['SLUICE_WORKERS'] = '1';
  });
  afterAll(() => {
    if (saved === undefined) delete process.env['SLUICE_WORKERS'];
    else process.env['SLUICE_WORKERS'] = saved;
  });
}

/** thread-functions.mjs: its path (for `functionModules`) and its definitions (for compile and the main thread). */
export const THREAD_FUNCTIONS = fileURLToPath(new URL('./support/thread-functions.mjs', import.meta.url));

export async function threadFunctions(): Promise<readonly ScalarUdf[]> {
  return ((await import(THREAD_FUNCTIONS)) as { functions: ScalarUdf[] }).functions;
}

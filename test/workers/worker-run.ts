import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll } from 'vitest';
import type { ScalarUdf } from '../../compiler/functions/registry.js';

/** Runs the tests of a file with worker threads on, through the test stand-in of the thread channel. */
export function useWorkers(): void {
  const saved = { workers: process.env['SLUICE_WORKERS'], module: process.env['SLUICE_THREAD_CHANNEL_MODULE'] };
  beforeAll(() => {
    process.env['SLUICE_WORKERS'] = '1';
    process.env['SLUICE_THREAD_CHANNEL_MODULE'] = new URL('./support/broadcast-thread-channel.ts', import.meta.url).href;
  });
  afterAll(() => {
    for (const [key, value] of [['SLUICE_WORKERS', saved.workers], ['SLUICE_THREAD_CHANNEL_MODULE', saved.module]] as const) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });
}

/** thread-functions.mjs: its path (for `functionModules`) and its definitions (for compile and the main thread). */
export const THREAD_FUNCTIONS = fileURLToPath(new URL('./support/thread-functions.mjs', import.meta.url));

export async function threadFunctions(): Promise<readonly ScalarUdf[]> {
  return ((await import(THREAD_FUNCTIONS)) as { functions: ScalarUdf[] }).functions;
}

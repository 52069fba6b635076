import { join } from 'node:path';
import { newToken, REGISTRY_FORMAT, type RegistryEntry } from '../../cli/control/job-registry.js';

/** A registry entry of a job named `pipelineName` with socket `<dir>/<name>.sock`; fields overridable. */
export function registryEntry(dir: string, name: string, overrides: Partial<RegistryEntry> = {}): RegistryEntry {
  return {
    format: REGISTRY_FORMAT,
    version: 1,
    jobId: `${name}-00000000`,
    pipelineName: name,
    pid: process.pid,
    socket: join(dir, `${name}.sock`),
    startedAt: 1_700_000_000_000,
    token: newToken(),
    savepointsDir: null,
    ...overrides,
  };
}

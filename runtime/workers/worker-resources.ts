import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { JobGraph } from '../../compiler/graph/job-graph.js';
import type { WorkerResources } from '../execution/execution-attempt.js';
import { planSlots } from './slot-plan.js';

/**
 * Whether jobs at parallelism above 1 run their subtasks in worker threads: yes, unless `SLUICE_WORKERS=0` keeps
 * every subtask on the main thread (docs/parallelism.md, "Turning worker threads off").
 */
export function workersEnabled(): boolean {
  return process.env['SLUICE_WORKERS'] !== '0';
}

/** What Job.start knows of the Node program's part in the job. */
export interface ProgramParts {
  readonly sourceFeeds: ReadonlyMap<string, unknown>;
  readonly sinkCallbacks: ReadonlyMap<string, unknown>;
  /** Modules exporting `functions` and `processes` (paths or URLs): workers import them. */
  readonly functionModules: readonly string[];
}

/**
 * The slot plan and what workers need, or undefined when the job runs in-process (workers off, or a plan without
 * slots: parallelism 1, or every chain calling into the program).
 */
export async function workerResources(graph: JobGraph, parts: ProgramParts): Promise<WorkerResources | undefined> {
  if (!workersEnabled()) return undefined;
  // Paths are relative to the working directory (a worker would resolve them against its own module).
  const functionModules = parts.functionModules.map((m) => (/^(file|data):/.test(m) ? m : pathToFileURL(resolve(m)).href));
  const importableFunctions = new Set<string>();
  for (const specifier of functionModules) {
    const exports = (await import(specifier)) as { functions?: readonly { name: string }[]; processes?: readonly { name: string }[] };
    for (const definition of [...(exports.functions ?? []), ...(exports.processes ?? [])]) importableFunctions.add(definition.name);
  }
  const plan = planSlots(graph, {
    fedSources: new Set(parts.sourceFeeds.keys()),
    callbackSinks: new Set(parts.sinkCallbacks.keys()),
    importableFunctions,
  });
  return plan.slots === 0 ? undefined : { plan, functionModules };
}

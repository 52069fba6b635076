import type { Operator } from '../../../compiler/graph/job-graph.js';
import type { ProcessFunction } from './process-function.js';

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object';
}

/**
 * The process function a `process` operator runs, from `JobOptions.processFunctions` by the step's function
 * name. Accepts the definition object itself or the CLI loader's `ProcessFunctionDefinition` (the signature plus
 * `implementation`: the module's object). Throws, naming the operator, when it is missing or not runnable: the
 * graph cannot run without it.
 */
export function registeredProcessFunction(operator: Operator, name: string, registered: ReadonlyMap<string, unknown>): ProcessFunction {
  const where = `operator '${operator.uid ?? operator.id}' runs process function '${name}'`;
  const entry = registered.get(name);
  if (entry === undefined) {
    const known = [...registered.keys()].map((k) => `'${k}'`).join(', ') || 'none';
    throw new Error(`${where}, which was not given to Job.start (registered: ${known}): pass it in options.processFunctions under that name`);
  }
  const candidate = isObject(entry) && !('processElement' in entry) && 'implementation' in entry ? entry['implementation'] : entry;
  if (!isObject(candidate) || typeof candidate['processElement'] !== 'function') {
    throw new Error(`${where}, whose registered definition has no processElement(row, ctx) method: register the definition object with its methods`);
  }
  for (const hook of ['open', 'onTimer', 'snapshotState', 'close']) {
    if (candidate[hook] !== undefined && typeof candidate[hook] !== 'function') {
      throw new Error(`${where}, whose '${hook}' is not a function: remove it or make it a method`);
    }
  }
  const rowFormat = candidate['rowFormat'];
  if (rowFormat !== undefined && rowFormat !== 'object' && rowFormat !== 'array') {
    throw new Error(`${where}, whose rowFormat is ${JSON.stringify(rowFormat)}: use 'object' (the default) or 'array'`);
  }
  return candidate as unknown as ProcessFunction;
}

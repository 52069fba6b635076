import type { ProcessFunctionSignatureInput, ScalarUdfSignatureInput } from '../../compiler/functions/signature-schema.js';
import type { UdfImplementation } from '../expressions/compile-expr.js';
import type { JobOptions } from './job-options.js';

/**
 * User functions as they are defined once and given to both sides: `compile(text, { functions })` reads their
 * signatures, `Job.start` runs them. A process function is its definition object (signature and methods), or
 * what `--functions` and `loadCreatedFunctions` load (the signature plus `implementation`). Types may be spelled
 * as strings (`'DECIMAL(10, 2)'`).
 */
export interface JobFunctions {
  readonly scalars?: readonly (ScalarUdfSignatureInput & { readonly fn: (...args: never[]) => unknown })[];
  readonly processes?: readonly ProcessFunctionSignatureInput[];
}

/**
 * The `udfs` and `processFunctions` options of `Job.start` for `functions`, keyed by each definition's own
 * `name`, so that the name the compiler checked a call against is the name the runtime finds it under:
 * `Job.start(graph, { ...jobFunctions(functions), sources, sinks })`.
 */
export function jobFunctions(functions: JobFunctions): Required<Pick<JobOptions, 'udfs' | 'processFunctions'>> {
  return {
    udfs: new Map<string, UdfImplementation>((functions.scalars ?? []).map((udf) => [udf.name, udf])),
    processFunctions: new Map<string, unknown>((functions.processes ?? []).map((definition) => [definition.name, definition])),
  };
}

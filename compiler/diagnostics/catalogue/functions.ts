import type { DiagnosticDefinition } from '../diagnostic.js';

/**
 * SLC923x: loading the modules that CREATE FUNCTION statements name (cli/load-created-functions.ts), each
 * pointing at the statement's module path or function name; and the options of user code given to `Job.start`.
 */
export const functionModuleDiagnostics = {
  CreatedFunctionModuleNotFound: {
    code: 'SLC9230',
    severity: 'error',
    message: "cannot find the module '{path}' of CREATE FUNCTION {name} (looked for {absolute})",
    help: 'the path is relative to the .pipe file; fix it or create the module',
  },
  CreatedFunctionModuleKind: {
    code: 'SLC9231',
    severity: 'error',
    message: "CREATE FUNCTION {name}: '{path}' is not a JavaScript ES module",
    help: 'give a .mjs file, or a .js file in a package with "type": "module"',
  },
  CreatedFunctionModuleLoadFailed: {
    code: 'SLC9232',
    severity: 'error',
    message: "CREATE FUNCTION {name}: cannot load the module '{path}': {reason}",
    help: 'the module must import without errors; run `node {path}` to see the problem',
  },
  CreatedFunctionNotExported: {
    code: 'SLC9233',
    severity: 'error',
    message: "the module '{path}' defines no function named '{name}'",
    help: 'it defines {defined}; CREATE FUNCTION names an entry of the module\'s `functions` (scalar UDFs) or `processes` (process functions) export',
  },
  CreatedFunctionInvalid: {
    code: 'SLC9234',
    severity: 'error',
    message: "'{name}' in the module '{path}' has an invalid definition: at {where}: {problem}",
    help: "a scalar UDF is { name, args, returns, fn } and a process function { name, args, output, state, processElement, ... }; types are written like 'BIGINT' or 'DECIMAL(10, 2)'",
  },
  SinkMaxInFlightInvalid: {
    code: 'SLC9235',
    severity: 'error',
    message: "sink '{uid}' is given maxInFlight {value}, not a whole number of at least 1",
    help: 'give `{ callback, maxInFlight: 1 }` for one call at a time, a larger number to let calls overlap, or leave it out',
  },
} as const satisfies Record<string, DiagnosticDefinition>;

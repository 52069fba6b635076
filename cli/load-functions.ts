import { stat } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as z from 'zod';
import { Diagnostics } from '../compiler/diagnostics/catalogue.js';
import { createDiagnostic, type Diagnostic, type DiagnosticArgs, type DiagnosticDefinition } from '../compiler/diagnostics/diagnostic.js';
import type { FunctionSignatures, ProcessFunctionSignature, ScalarUdf } from '../compiler/functions/registry.js';
import { ProcessSignatureSchema, scalarSignatureShape, toScalarSignature } from '../compiler/functions/signature-schema.js';
import { formatPath } from '../compiler/graph/validate-graph.js';

/** A process function as registered: its signature, plus the module's object itself for the runtime to drive. */
export interface ProcessFunctionDefinition extends ProcessFunctionSignature {
  /** The exported definition object; the runtime decides which of its methods it calls. */
  readonly implementation: unknown;
}

/** The user code of a `--functions` module; usable as `CompileOptions.functions` as it is. */
export interface LoadedFunctions extends FunctionSignatures {
  readonly scalars: readonly ScalarUdf[];
  readonly processes: readonly ProcessFunctionDefinition[];
  /** The modules (absolute paths) they come from, in load order: a job's worker threads import them too. */
  readonly modules?: readonly string[];
}

export interface LoadFunctionsResult {
  readonly value: LoadedFunctions | undefined;
  readonly diagnostics: Diagnostic[];
}

const FunctionValueSchema = z.custom<(...args: never[]) => unknown>((v) => typeof v === 'function', 'expected a function');

/** A scalar UDF: its signature plus `fn`, which only a loaded module must have (the compiler ignores it). */
export const ScalarUdfSchema = z
  .looseObject({ ...scalarSignatureShape, fn: FunctionValueSchema })
  .transform((input): ScalarUdf => ({ ...toScalarSignature(input), fn: input.fn }));

const ModuleSchema = z.object({
  functions: z.array(ScalarUdfSchema).optional(),
  processes: z.array(ProcessSignatureSchema).optional(),
});

/** A process function's validated signature with the module's object itself as its implementation. */
export function processDefinition(signature: ProcessFunctionSignature, original: unknown): ProcessFunctionDefinition {
  return { ...signature, implementation: original };
}

function duplicates(names: readonly string[]): string[] {
  return [...new Set(names.filter((name, i) => names.indexOf(name) !== i))];
}

const WHOLE_FILE = { offset: 0, length: 0 };

/**
 * Imports the ES module given with `--functions` and validates its `functions` (scalar UDFs) and `processes`
 * (process functions) exports. Every problem is a diagnostic naming the module and the bad export; nothing
 * the user wrote makes this throw.
 */
export async function loadFunctions(modulePath: string, cwd: string): Promise<LoadFunctionsResult> {
  const fail = (definition: DiagnosticDefinition, args: DiagnosticArgs): LoadFunctionsResult => ({
    value: undefined,
    diagnostics: [createDiagnostic(definition, modulePath, WHOLE_FILE, args)],
  });
  const extension = extname(modulePath);
  if (extension !== '.js' && extension !== '.mjs') {
    return fail(Diagnostics.InvalidFlagValue, { flag: '--functions', value: modulePath, accepted: 'a JavaScript ES module (.mjs or .js)' });
  }
  const absolute = resolve(cwd, modulePath);
  const found = await stat(absolute).catch(() => undefined);
  if (found === undefined) return fail(Diagnostics.FileNotFound, { path: modulePath, cwd });
  if (found.isDirectory()) return fail(Diagnostics.PathIsDirectory, { path: modulePath });

  let exports: Record<string, unknown>;
  try {
    exports = (await import(pathToFileURL(absolute).href)) as Record<string, unknown>;
  } catch (error) {
    return fail(Diagnostics.FunctionsModuleLoadFailed, { path: modulePath, reason: error instanceof Error ? error.message : String(error) });
  }
  if (exports['functions'] === undefined && exports['processes'] === undefined) {
    return fail(Diagnostics.FunctionsModuleEmpty, { path: modulePath });
  }
  const parsed = ModuleSchema.safeParse({ functions: exports['functions'], processes: exports['processes'] });
  if (!parsed.success) {
    const diagnostics = parsed.error.issues.map((issue) =>
      createDiagnostic(Diagnostics.FunctionsExportInvalid, modulePath, WHOLE_FILE, {
        path: modulePath,
        where: formatPath(issue.path),
        problem: issue.message,
      }),
    );
    return { value: undefined, diagnostics };
  }
  const scalars = parsed.data.functions ?? [];
  const originals = (exports['processes'] ?? []) as readonly unknown[];
  const processes = (parsed.data.processes ?? []).map((p, i) => processDefinition(p, originals[i]));
  const diagnostics = [
    ...duplicates(scalars.map((f) => f.name)).map((name) => ({ what: 'function', name })),
    ...duplicates(processes.map((p) => p.name)).map((name) => ({ what: 'process function', name })),
  ].map((args) => createDiagnostic(Diagnostics.DuplicateFunctionName, modulePath, WHOLE_FILE, { path: modulePath, ...args }));
  return diagnostics.length > 0 ? { value: undefined, diagnostics } : { value: { scalars, processes, modules: [absolute] }, diagnostics: [] };
}

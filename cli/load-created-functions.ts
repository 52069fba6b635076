import { stat } from 'node:fs/promises';
import { dirname, extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Diagnostics } from '../compiler/diagnostics/catalogue.js';
import { createDiagnostic, hasErrors, type Diagnostic } from '../compiler/diagnostics/diagnostic.js';
import { ProcessSignatureSchema } from '../compiler/functions/signature-schema.js';
import { formatPath } from '../compiler/graph/validate-graph.js';
import type { CreateFunction } from '../grammar/ast/index.js';
import { parse } from '../grammar/parse.js';
import { processDefinition, ScalarUdfSchema, type LoadedFunctions, type LoadFunctionsResult } from './load-functions.js';

export interface LoadCreatedFunctionsOptions {
  /** The `.pipe` file's path, as given to `compile()`: module paths are relative to its directory. */
  readonly file?: string;
  /** What `file` is relative to; the process's working directory by default. */
  readonly cwd?: string;
}

/**
 * Loads what the program's `CREATE FUNCTION name AS 'module.js'` statements name: the entry called `name` of
 * the module's `functions` (scalar UDFs) and `processes` (process functions) exports. The result is given to
 * `compile(text, { functions })` and `jobFunctions()` alike. The compiler stays free of module loading: it only
 * checks the signatures it is given. Problems are diagnostics at the statement (a syntax error is left to
 * `compile()`); nothing the user wrote makes this throw.
 */
export async function loadCreatedFunctions(text: string, options: LoadCreatedFunctionsOptions = {}): Promise<LoadFunctionsResult> {
  const file = options.file ?? '<input>';
  const cwd = options.cwd ?? process.cwd();
  const base = options.file === undefined ? cwd : dirname(resolve(cwd, options.file));
  const parsed = parse(text, file);
  // A program that does not parse loads nothing: `compile()` reports its syntax errors.
  if (hasErrors(parsed.diagnostics)) return { value: { scalars: [], processes: [] }, diagnostics: [] };
  const statements = parsed.value.statements.filter((s): s is CreateFunction => s.kind === 'CreateFunction');
  const created = new Set<string>();
  const loaded = { scalars: [] as LoadedFunctions['scalars'][number][], processes: [] as LoadedFunctions['processes'][number][], modules: [] as string[] };
  const diagnostics: Diagnostic[] = [];
  // A name created twice is the compiler's error (SLC2041); the first statement's definition is loaded.
  for (const statement of statements.filter((s) => !created.has(s.name.name) && created.add(s.name.name))) {
    const result = await loadOne(statement, base, file);
    if ('diagnostics' in result) diagnostics.push(...result.diagnostics);
    else {
      loaded.scalars.push(...result.scalars);
      loaded.processes.push(...result.processes);
      for (const module of result.modules ?? []) if (!loaded.modules.includes(module)) loaded.modules.push(module);
    }
  }
  return diagnostics.length > 0 ? { value: undefined, diagnostics } : { value: loaded, diagnostics: [] };
}

async function loadOne(statement: CreateFunction, base: string, file: string): Promise<LoadedFunctions | { readonly diagnostics: Diagnostic[] }> {
  const name = statement.name.name;
  const path = statement.module.value;
  const at = (definition: Parameters<typeof createDiagnostic>[0], args: Record<string, string>, span = statement.module.span) => ({
    diagnostics: [createDiagnostic(definition, file, span, { name, path, ...args })],
  });
  const absolute = resolve(base, path);
  const extension = extname(path);
  if (extension !== '.js' && extension !== '.mjs') return at(Diagnostics.CreatedFunctionModuleKind, {});
  const found = await stat(absolute).catch(() => undefined);
  if (found === undefined || found.isDirectory()) return at(Diagnostics.CreatedFunctionModuleNotFound, { absolute });

  let exports: Record<string, unknown>;
  try {
    exports = (await import(pathToFileURL(absolute).href)) as Record<string, unknown>;
  } catch (error) {
    return at(Diagnostics.CreatedFunctionModuleLoadFailed, { reason: error instanceof Error ? error.message : String(error) });
  }
  const entries = (exportName: string): { readonly entry: unknown; readonly where: string }[] => {
    const list = exports[exportName];
    if (!Array.isArray(list)) return [];
    return list.flatMap((entry: unknown, i) => (isNamed(entry) && entry.name === name ? [{ entry, where: `${exportName}[${i}]` }] : []));
  };
  const scalars = entries('functions');
  const processes = entries('processes');
  if (scalars.length + processes.length === 0) {
    return at(Diagnostics.CreatedFunctionNotExported, { defined: definedNames(exports) }, statement.name.span);
  }
  const problems: Diagnostic[] = [];
  const invalid = (where: string, issue: { readonly path: readonly PropertyKey[]; readonly message: string }) =>
    problems.push(...at(Diagnostics.CreatedFunctionInvalid, { where: formatPath([where, ...issue.path]), problem: issue.message }, statement.name.span).diagnostics);
  const result: LoadedFunctions = {
    modules: [absolute],
    scalars: scalars.flatMap(({ entry, where }) => {
      const parsed = ScalarUdfSchema.safeParse(entry);
      if (parsed.success) return [parsed.data];
      parsed.error.issues.forEach((issue) => invalid(where, issue));
      return [];
    }),
    processes: processes.flatMap(({ entry, where }) => {
      const parsed = ProcessSignatureSchema.safeParse(entry);
      if (parsed.success) return [processDefinition(parsed.data, entry)];
      parsed.error.issues.forEach((issue) => invalid(where, issue));
      return [];
    }),
  };
  return problems.length > 0 ? { diagnostics: problems } : result;
}

function isNamed(value: unknown): value is { readonly name: unknown } {
  return value !== null && typeof value === 'object' && 'name' in value;
}

/** `scalar functions 'a', 'b' and process functions 'c'`, or `no function`. */
function definedNames(exports: Record<string, unknown>): string {
  const names = (exportName: string, what: string): string[] => {
    const list = exports[exportName];
    const found = Array.isArray(list) ? list.filter(isNamed).map((e) => `'${String(e.name)}'`) : [];
    return found.length === 0 ? [] : [`${what} ${found.join(', ')}`];
  };
  const parts = [...names('functions', 'the scalar functions'), ...names('processes', 'the process functions')];
  return parts.length === 0 ? 'no function (it exports no `functions` or `processes` array)' : parts.join(' and ');
}

import { stat } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { Diagnostics } from '../compiler/diagnostics/catalogue.js';
import { createDiagnostic, type Diagnostic, type DiagnosticArgs, type DiagnosticDefinition } from '../compiler/diagnostics/diagnostic.js';
import type { FunctionSignatures, ProcessFunctionSignature, ProcessStateDeclaration, ScalarUdf } from '../compiler/functions/registry.js';
import { formatPath } from '../compiler/graph/validate-graph.js';
import { SqlTypeSchema, type Field, type SqlType } from '../compiler/types/sql-type.js';

/** A process function as registered: its signature, plus the module's object itself for the runtime to drive. */
export interface ProcessFunctionDefinition extends ProcessFunctionSignature {
  /** The exported definition object; the runtime decides which of its methods it calls. */
  readonly implementation: unknown;
}

/** The user code of a `--functions` module; usable as `CompileOptions.functions` as it is. */
export interface LoadedFunctions extends FunctionSignatures {
  readonly scalars: readonly ScalarUdf[];
  readonly processes: readonly ProcessFunctionDefinition[];
}

export interface LoadFunctionsResult {
  readonly value: LoadedFunctions | undefined;
  readonly diagnostics: Diagnostic[];
}

const SIMPLE_TYPES: Readonly<Record<string, SqlType>> = {
  BOOLEAN: { name: 'BOOLEAN' },
  INT: { name: 'INT' },
  INTEGER: { name: 'INT' },
  BIGINT: { name: 'BIGINT' },
  DOUBLE: { name: 'DOUBLE' },
  STRING: { name: 'STRING' },
  VARCHAR: { name: 'STRING' },
  DECIMAL: { name: 'DECIMAL', precision: 10, scale: 0 },
  TIMESTAMP: { name: 'TIMESTAMP', precision: 3 },
  'TIMESTAMP(3)': { name: 'TIMESTAMP', precision: 3 },
};

const DECIMAL = /^DECIMAL\s*\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\)$/;
const VARCHAR_N = /^VARCHAR\s*\(\s*\d+\s*\)$/;

/** `'BIGINT'`, `'decimal(10, 2)'`, `'VARCHAR(20)'`: the spellings of the language's type names. */
function parseTypeSpelling(text: string): SqlType | undefined {
  const spelled = text.trim().toUpperCase();
  if (VARCHAR_N.test(spelled)) return SIMPLE_TYPES['STRING'];
  const decimal = DECIMAL.exec(spelled);
  if (decimal === null) return SIMPLE_TYPES[spelled];
  const precision = Number(decimal[1]);
  const scale = Number(decimal[2] ?? 0);
  return precision >= 1 && precision <= 38 && scale <= precision ? { name: 'DECIMAL', precision, scale } : undefined;
}

/**
 * A type as a JavaScript author writes it: a spelling like `'DECIMAL(10, 2)'` or the job graph's `{ name: … }`
 * object. One schema rather than a union so that a bad type gets this message, not zod's "Invalid input".
 */
const TypeSchema = z.unknown().transform((value, ctx): SqlType => {
  const type = typeof value === 'string' ? parseTypeSpelling(value) : SqlTypeSchema.safeParse(value).data;
  if (type !== undefined) return type;
  ctx.addIssue({
    code: 'custom',
    message: `expected a type (BOOLEAN, INT, BIGINT, DOUBLE, DECIMAL(p, s) with 1 <= p <= 38 and s <= p, STRING or TIMESTAMP(3)), got ${JSON.stringify(value) ?? String(value)}`,
  });
  return z.NEVER;
});

const NameSchema = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an identifier: letters, digits and _, not starting with a digit');

const FieldInputSchema = z.object({ name: z.string().min(1), type: TypeSchema, nullable: z.boolean().default(true) });
type FieldInput = z.infer<typeof FieldInputSchema>;

const FunctionValueSchema = z.custom<(...args: never[]) => unknown>((v) => typeof v === 'function', 'expected a function');

const ScalarUdfInputSchema = z.object({
  name: NameSchema,
  args: z.array(TypeSchema),
  returns: TypeSchema,
  nullable: z.boolean().optional(),
  callOnNull: z.boolean().optional(),
  fn: FunctionValueSchema,
});

/** `'input'` or fields; not a zod union, whose error would hide which field is wrong behind "Invalid input". */
const OutputSchema = z.unknown().transform((value, ctx): 'input' | FieldInput[] => {
  if (value === 'input') return 'input';
  if (!Array.isArray(value)) {
    ctx.addIssue({ code: 'custom', message: "expected 'input' (the rows keep the input's columns) or an array of fields { name, type, nullable? }" });
    return z.NEVER;
  }
  const fields = z.array(FieldInputSchema).safeParse(value);
  if (fields.success) return fields.data;
  for (const issue of fields.error.issues) ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path });
  return z.NEVER;
});

const StateInputSchema = z.object({
  name: z.string().min(1),
  kind: z.enum(['value', 'list', 'map']),
  valueType: z.array(FieldInputSchema),
  mapKeyType: z.array(FieldInputSchema).optional(),
});

// Loose: the definition also carries the implementation's methods, whose shape the runtime checks.
const ProcessInputSchema = z.looseObject({
  name: NameSchema,
  args: z.array(TypeSchema),
  output: OutputSchema,
  state: z.array(StateInputSchema).default([]),
});

const ModuleSchema = z.object({
  functions: z.array(ScalarUdfInputSchema).optional(),
  processes: z.array(ProcessInputSchema).optional(),
});

function toFields(fields: readonly FieldInput[]): Field[] {
  return fields.map(({ name, type, nullable }) => ({ name, type, nullable }));
}

function toScalar(input: z.infer<typeof ScalarUdfInputSchema>): ScalarUdf {
  const { nullable, callOnNull, ...required } = input;
  return { ...required, ...(nullable === undefined ? {} : { nullable }), ...(callOnNull === undefined ? {} : { callOnNull }) };
}

function toProcess(input: z.infer<typeof ProcessInputSchema>, original: unknown): ProcessFunctionDefinition {
  const state = input.state.map(({ name, kind, valueType, mapKeyType }): ProcessStateDeclaration => ({
    name,
    kind,
    valueType: toFields(valueType),
    ...(mapKeyType === undefined ? {} : { mapKeyType: toFields(mapKeyType) }),
  }));
  const output = input.output === 'input' ? 'input' : toFields(input.output);
  return { name: input.name, args: input.args, output, state, implementation: original };
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
  const scalars = (parsed.data.functions ?? []).map(toScalar);
  const originals = (exports['processes'] ?? []) as readonly unknown[];
  const processes = (parsed.data.processes ?? []).map((p, i) => toProcess(p, originals[i]));
  const diagnostics = [
    ...duplicates(scalars.map((f) => f.name)).map((name) => ({ what: 'function', name })),
    ...duplicates(processes.map((p) => p.name)).map((name) => ({ what: 'process function', name })),
  ].map((args) => createDiagnostic(Diagnostics.DuplicateFunctionName, modulePath, WHOLE_FILE, { path: modulePath, ...args }));
  return diagnostics.length > 0 ? { value: undefined, diagnostics } : { value: { scalars, processes }, diagnostics: [] };
}

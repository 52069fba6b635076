import * as z from 'zod';
import { parseDuration } from '../config/durations.js';
import type { StateTtlConfig } from '../graph/job-graph.js';
import { parseType, TYPE_SPELLINGS } from '../types/parse-type.js';
import { SqlTypeSchema, type Field, type SqlType } from '../types/sql-type.js';
import type { FunctionSignatures, ProcessFunctionSignature, ProcessStateDeclaration, ScalarUdfSignature } from './registry.js';

/**
 * The signatures of user functions as JavaScript authors write them, for the Node API (`compile(text,
 * { functions })`), `--functions` and CREATE FUNCTION alike: types are spellings like `'DECIMAL(10, 2)'` or the
 * job graph's `{ name: … }` objects. Loose objects: definitions also carry their implementation (`fn`, methods),
 * which the runtime checks.
 */

/** One schema rather than a union, so that a bad type gets this message, not zod's "Invalid input". */
export const TypeSchema = z.unknown().transform((value, ctx): SqlType => {
  const type = typeof value === 'string' ? parseType(value) : SqlTypeSchema.safeParse(value).data;
  if (type !== undefined) return type;
  ctx.addIssue({ code: 'custom', message: `expected a type (${TYPE_SPELLINGS}), got ${JSON.stringify(value) ?? String(value)}` });
  return z.NEVER;
});

const NameSchema = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an identifier: letters, digits and _, not starting with a digit');

const FieldInputSchema = z
  .object({ name: z.string().min(1), type: TypeSchema, nullable: z.boolean().default(true) })
  .transform(({ name, type, nullable }): Field => ({ name, type, nullable }));

/** A scalar UDF's signature fields; a loader extends them with `fn`. */
export const scalarSignatureShape = {
  name: NameSchema,
  args: z.array(TypeSchema),
  returns: TypeSchema,
  nullable: z.boolean().optional(),
  callOnNull: z.boolean().optional(),
};

export function toScalarSignature(input: z.output<z.ZodObject<typeof scalarSignatureShape>>): ScalarUdfSignature {
  const { name, args, returns, nullable, callOnNull } = input;
  return { name, args, returns, ...(nullable === undefined ? {} : { nullable }), ...(callOnNull === undefined ? {} : { callOnNull }) };
}

export const ScalarSignatureSchema = z.looseObject(scalarSignatureShape).transform(toScalarSignature);

/** `'input'` or fields; not a zod union, whose error would hide which field is wrong behind "Invalid input". */
const OutputSchema = z.unknown().transform((value, ctx): 'input' | Field[] => {
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

const FunctionSchema = z.custom<(...args: never[]) => unknown>((v) => typeof v === 'function', 'expected a function');

/** Milliseconds (a number) or a duration as Flink writes one (`'1 h'`, `'30 min'`); more than 0. */
const TtlDurationSchema = z.unknown().transform((value, ctx): number => {
  const ms = typeof value === 'string' ? parseDuration(value) : typeof value === 'number' && Number.isSafeInteger(value) ? value : undefined;
  if (ms !== undefined && ms > 0) return ms;
  ctx.addIssue({ code: 'custom', message: `expected a TTL of more than 0: milliseconds or a duration such as '1 h', got ${JSON.stringify(value) ?? String(value)}` });
  return z.NEVER;
});

/** A state's `ttl`: Flink's StateTtlConfig, with its defaults (update on create and write, never return expired). */
const TtlInputSchema = z
  .object({
    ms: TtlDurationSchema,
    update: z.enum(['on-create-and-write', 'on-read-and-write']).default('on-create-and-write'),
    visibility: z.enum(['never-return-expired', 'return-expired-if-not-cleaned-up']).default('never-return-expired'),
  })
  .strict()
  .transform(({ ms, update, visibility }): StateTtlConfig => ({ ms, update, visibility }));

/**
 * A declared state. Reducing state carries its `reduce(stored, added)`, aggregating state its `aggregate`
 * functions; `valueType` is what is stored (the reduced value, the accumulator). Loose: the runtime reads the
 * functions from the definition itself.
 */
const StateInputSchema = z
  .looseObject({
    name: z.string().min(1),
    kind: z.enum(['value', 'list', 'map', 'reducing', 'aggregating', 'raw']),
    valueType: z.array(FieldInputSchema).optional(),
    mapKeyType: z.array(FieldInputSchema).optional(),
    redistribution: z.enum(['split', 'union']).optional(),
    ttl: TtlInputSchema.optional(),
    reduce: FunctionSchema.optional(),
    aggregate: z.looseObject({ createAccumulator: FunctionSchema, add: FunctionSchema, getResult: FunctionSchema }).optional(),
  })
  .superRefine((state, ctx) => {
    if (state.kind === 'raw') {
      // Bytes the function reads and writes itself: nothing for Sluice to type, expire or deal out by item.
      // An empty valueType is what a resolved raw declaration carries (loaders pass signatures through again).
      for (const field of ['valueType', 'mapKeyType', 'redistribution', 'ttl', 'reduce', 'aggregate'] as const) {
        if (state[field] !== undefined && !(field === 'valueType' && state.valueType?.length === 0)) ctx.addIssue({ code: 'custom', path: [field], message: `raw state is bytes per subtask, without ${field}: remove it` });
      }
      return;
    }
    if (state.valueType === undefined) ctx.addIssue({ code: 'custom', path: ['valueType'], message: `${state.kind} state needs valueType: the stored value's fields` });
    if (state.kind === 'reducing' && state.reduce === undefined) {
      ctx.addIssue({ code: 'custom', path: ['reduce'], message: 'reducing state needs reduce(stored, added), which returns the combined value' });
    }
    if (state.kind === 'aggregating' && state.aggregate === undefined) {
      ctx.addIssue({ code: 'custom', path: ['aggregate'], message: 'aggregating state needs aggregate: { createAccumulator(), add(accumulator, value), getResult(accumulator) }' });
    }
  })
  .transform(
    ({ name, kind, valueType, mapKeyType, redistribution, ttl }): ProcessStateDeclaration => ({
      name,
      kind,
      valueType: valueType ?? [],
      ...(mapKeyType === undefined ? {} : { mapKeyType }),
      ...(redistribution === undefined ? {} : { redistribution }),
      ...(ttl === undefined ? {} : { ttl }),
    }),
  );

export const ProcessSignatureSchema = z
  .looseObject({ name: NameSchema, args: z.array(TypeSchema), output: OutputSchema, state: z.array(StateInputSchema).default([]) })
  .transform(({ name, args, output, state }): ProcessFunctionSignature => ({ name, args, output, state }));

export const FunctionSignaturesSchema = z.object({
  scalars: z.array(ScalarSignatureSchema).optional(),
  processes: z.array(ProcessSignatureSchema).optional(),
});

/** A type as written in a signature: a spelling (`'DECIMAL(10, 2)'`) or a `{ name: … }` object. */
export type TypeInput = SqlType | string;

/** Signatures whose types may be spellings; what `compile()` and `jobFunctions()` accept. */
export interface FunctionSignaturesInput {
  readonly scalars?: readonly ScalarUdfSignatureInput[];
  readonly processes?: readonly ProcessFunctionSignatureInput[];
}

export interface FieldInput {
  readonly name: string;
  readonly type: TypeInput;
  readonly nullable?: boolean;
}

export interface ScalarUdfSignatureInput {
  readonly name: string;
  readonly args: readonly TypeInput[];
  readonly returns: TypeInput;
  readonly nullable?: boolean;
  readonly callOnNull?: boolean;
}

/** A declared state: managed (typed values Sluice stores) or raw (bytes per subtask). */
export type ProcessStateDeclarationInput = ManagedStateDeclarationInput | RawStateDeclarationInput;

/**
 * Raw state (Flink's raw operator state): bytes per subtask that the function writes (`ctx.state.raw(name)
 * .write(bytes)`, in `snapshotState`) and reads back after a restore. Opaque to Sluice: no schema, no TTL.
 */
export interface RawStateDeclarationInput {
  readonly name: string;
  readonly kind: 'raw';
}

export interface ManagedStateDeclarationInput {
  readonly name: string;
  readonly kind: Exclude<ProcessStateDeclaration['kind'], 'raw'>;
  readonly valueType: readonly FieldInput[];
  readonly mapKeyType?: readonly FieldInput[];
  /** Operator list state (no PARTITION BY): on rescale, `split` the lists (default) or give every subtask all (`union`). */
  readonly redistribution?: 'split' | 'union';
  /**
   * Keyed state (PARTITION BY) only: a key's entry expires `ms` (milliseconds, or `'1 h'`) of processing time after
   * its last write, or its last access with `update: 'on-read-and-write'`; expired entries are not returned unless
   * `visibility: 'return-expired-if-not-cleaned-up'`, and are removed from state by a cleanup timer.
   */
  readonly ttl?: {
    readonly ms: number | string;
    readonly update?: 'on-create-and-write' | 'on-read-and-write';
    readonly visibility?: 'never-return-expired' | 'return-expired-if-not-cleaned-up';
  };
  /** Reducing state: combines the stored value with an added one (must not modify either). */
  readonly reduce?: (stored: never, added: never) => unknown;
  /** Aggregating state: the accumulator's life; `add` may modify the accumulator and return it. */
  readonly aggregate?: {
    createAccumulator(): unknown;
    add(accumulator: never, value: never): unknown;
    getResult(accumulator: never): unknown;
  };
}

export interface ProcessFunctionSignatureInput {
  readonly name: string;
  readonly args: readonly TypeInput[];
  readonly output: 'input' | readonly FieldInput[];
  readonly state?: readonly ProcessStateDeclarationInput[];
}

export interface SignatureProblem {
  /** Where in the signatures, e.g. `processes[0].output[1].type`. */
  readonly path: readonly PropertyKey[];
  readonly problem: string;
}

/** Signatures with their types resolved, or every problem found. */
export function resolveSignatures(input: FunctionSignaturesInput): { readonly value: FunctionSignatures } | { readonly problems: SignatureProblem[] } {
  const parsed = FunctionSignaturesSchema.safeParse(input);
  if (parsed.success) {
    const { scalars, processes } = parsed.data;
    return { value: { ...(scalars === undefined ? {} : { scalars }), ...(processes === undefined ? {} : { processes }) } };
  }
  return { problems: parsed.error.issues.map((issue) => ({ path: issue.path, problem: issue.message })) };
}

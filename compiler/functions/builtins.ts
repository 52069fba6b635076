import type { Builtin } from './builtins/builtin.js';
import { castFunctions } from './builtins/cast.js';
import { caseOperator, conditionalFunctions } from './builtins/conditional.js';
import { mathAliases, mathFunctions } from './builtins/math.js';
import { modFunction, operators } from './builtins/operators.js';
import { likeOperators, stringAliases, stringFunctions } from './builtins/string.js';
import { timeAliases, timeFunctions } from './builtins/time.js';

export type { Builtin, CallExpr, CodeGen, TypeCheckContext, TypeResult } from './builtins/builtin.js';

/**
 * The built-in function catalogue: every `fn` a TypedExpr call may name, with its type rule and runtime
 * semantics (compiler/functions/builtins/<family>.ts). Operators and special forms (`+`, `=`, `AND`, `IS_NULL`,
 * `IN`, `LIKE`, `CASE`, `CAST`, …) are entries too, but only functions can be called by name.
 */
const FUNCTIONS: readonly Builtin[] = [...stringFunctions, ...mathFunctions, modFunction, ...timeFunctions, ...conditionalFunctions];
const SYNTAX: readonly Builtin[] = [...operators, ...likeOperators, caseOperator, ...castFunctions];

const BY_FN: ReadonlyMap<string, Builtin> = new Map([...FUNCTIONS, ...SYNTAX].map((b) => [b.name, b]));
const ALIASES: ReadonlyMap<string, string> = new Map([...stringAliases, ...mathAliases, ...timeAliases]);
const CALLABLE: ReadonlyMap<string, Builtin> = new Map([
  ...FUNCTIONS.map((b) => [b.name, b] as const),
  ...[...ALIASES].map(([alias, name]) => [alias, BY_FN.get(name)!] as const),
]);

/** The entry a TypedExpr call's `fn` names, for the code generator. */
export function builtinByFn(fn: string): Builtin | undefined {
  return BY_FN.get(fn);
}

/** The function called by `name` as written (any case, Flink's aliases such as LENGTH or CEILING included). */
export function lookupFunction(name: string): Builtin | undefined {
  return CALLABLE.get(name.toUpperCase());
}

/** The canonical name of every built-in function (not operator), as a TypedExpr call's `fn` holds it. */
export function builtinFunctionNames(): readonly string[] {
  return FUNCTIONS.map((b) => b.name);
}

/** Every name a function can be called by, for "did you mean …?" hints. */
export function functionNames(): readonly string[] {
  return [...CALLABLE.keys()];
}

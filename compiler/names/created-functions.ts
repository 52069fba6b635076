import type { CreateFunction, Script } from '../../grammar/ast/index.js';
import { Diagnostics } from '../diagnostics/catalogue.js';
import type { DiagnosticBag } from '../diagnostics/diagnostic.js';
import { aggregateFunction } from '../functions/aggregates.js';
import { lookupFunction } from '../functions/builtins.js';
import type { FunctionSignatures } from '../functions/registry.js';

/**
 * Checks the CREATE FUNCTION statements against the built-ins, each other, and the signatures the compiler was
 * given (which `loadCreatedFunctions` loads from the named modules, or the Node program passes itself).
 */
export function checkCreatedFunctions(script: Script, functions: FunctionSignatures, bag: DiagnosticBag): void {
  const first = new Map<string, CreateFunction>();
  const given = new Set([...(functions.scalars ?? []), ...(functions.processes ?? [])].map((f) => f.name));
  for (const statement of script.statements) {
    if (statement.kind !== 'CreateFunction') continue;
    const { name } = statement;
    const earlier = first.get(name.name);
    if (earlier !== undefined) {
      bag.report(Diagnostics.DuplicateCreatedFunction, name.span, { name: name.name }, [
        { message: `'${name.name}' is first created here`, file: bag.file, span: earlier.name.span },
      ]);
      continue;
    }
    first.set(name.name, statement);
    const builtin = lookupFunction(name.name) !== undefined ? 'function' : aggregateFunction(name.name) !== undefined ? 'aggregate function' : undefined;
    if (builtin !== undefined) bag.report(Diagnostics.CreatedFunctionIsBuiltin, name.span, { name: name.name, what: builtin });
    else if (!given.has(name.name)) bag.report(Diagnostics.CreatedFunctionNotLoaded, name.span, { name: name.name });
  }
}

import type { PrimaryKeyDef } from '../../grammar/ast/statements.js';
import { Diagnostics } from '../diagnostics/catalogue.js';
import type { DiagnosticBag } from '../diagnostics/diagnostic.js';
import type { Field } from '../types/sql-type.js';

/**
 * The column names of a source's or sink's `PRIMARY KEY (…) NOT ENFORCED`, checked against its columns `fields`
 * (declared, or for a sink without declared columns those inserted); undefined when absent or wrong (reported).
 */
export function primaryKeyOf(def: PrimaryKeyDef | undefined, fields: readonly Field[], stream: string, bag: DiagnosticBag): string[] | undefined {
  if (def === undefined) return undefined;
  const names = new Set<string>();
  let valid = true;
  for (const column of def.columns) {
    if (!fields.some((f) => f.name === column.name)) {
      bag.report(Diagnostics.UnknownKeyColumn, column.span, { name: column.name, stream, columns: fields.map((f) => f.name).join(', ') });
      valid = false;
    } else if (names.has(column.name)) {
      bag.report(Diagnostics.DuplicateKeyColumn, column.span, { name: column.name });
      valid = false;
    }
    names.add(column.name);
  }
  return valid ? [...names] : undefined;
}

import type { Expr, Identifier, Span } from '../../grammar/ast/index.js';
import { Diagnostics } from '../diagnostics/catalogue.js';
import type { DiagnosticBag } from '../diagnostics/diagnostic.js';

/** An output column's name: its alias, else a bare column's own name, else Flink's `EXPR$<position>`. */
export function outputName(expr: Expr, alias: Identifier | undefined, position: number): string {
  return alias?.name ?? (expr.kind === 'ColumnRef' ? expr.name.name : `EXPR$${position}`);
}

/** `name`, else `name0`, `name1`, …: how Flink names the second `id` that `SELECT *` gets from a join. */
export function freshName(name: string, taken: ReadonlySet<string>): string {
  if (!taken.has(name)) return name;
  let n = 0;
  while (taken.has(`${name}${n}`)) n++;
  return `${name}${n}`;
}

/** The names with every repeated one made fresh, e.g. the columns a sink takes from a join's output. */
export function distinctNames(names: readonly string[]): string[] {
  const taken = new Set<string>();
  return names.map((name) => {
    const fresh = freshName(name, taken);
    taken.add(fresh);
    return fresh;
  });
}

/** Reports every output name already taken by an earlier column; true when all are distinct. */
export function checkDistinctNames(columns: readonly { readonly name: string; readonly span: Span }[], bag: DiagnosticBag): boolean {
  const first = new Map<string, Span>();
  let distinct = true;
  for (const { name, span } of columns) {
    const earlier = first.get(name);
    if (earlier === undefined) {
      first.set(name, span);
      continue;
    }
    distinct = false;
    bag.report(Diagnostics.DuplicateOutputName, span, { name }, [{ message: `'${name}' is first produced here`, file: bag.file, span: earlier }]);
  }
  return distinct;
}

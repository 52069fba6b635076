import type { CreateSink, CreateSource, CreateView, Identifier, Script } from '../../grammar/ast/index.js';
import { Diagnostics } from '../diagnostics/catalogue.js';
import type { DiagnosticBag } from '../diagnostics/diagnostic.js';

/** A named definition of the program. Sources, sinks and views share one namespace, as tables and views do in SQL. */
export type CatalogEntry =
  | { readonly kind: 'source'; readonly statement: CreateSource; readonly index: number }
  | { readonly kind: 'sink'; readonly statement: CreateSink; readonly index: number }
  | { readonly kind: 'view'; readonly statement: CreateView; readonly index: number };

export type EntryKind = CatalogEntry['kind'];

/** Every source, sink and view by name (case-sensitive, as Flink SQL identifiers); `index` is the statement's position. */
export type Catalog = ReadonlyMap<string, CatalogEntry>;

export function entryName(entry: CatalogEntry): Identifier {
  return entry.statement.name;
}

/** Collects the definitions; a second definition of a name is reported and left out, so the first one wins. */
export function buildCatalog(script: Script, bag: DiagnosticBag): Catalog {
  const catalog = new Map<string, CatalogEntry>();
  script.statements.forEach((statement, index) => {
    let entry: CatalogEntry;
    switch (statement.kind) {
      case 'CreateSource':
        entry = { kind: 'source', statement, index };
        break;
      case 'CreateSink':
        entry = { kind: 'sink', statement, index };
        break;
      case 'CreateView':
        entry = { kind: 'view', statement, index };
        break;
      default:
        return;
    }
    const name = statement.name;
    const first = catalog.get(name.name);
    if (first === undefined) {
      catalog.set(name.name, entry);
      return;
    }
    bag.report(Diagnostics.DuplicateStreamName, name.span, { name: name.name, kind: first.kind }, [
      { message: `'${name.name}' is first defined here`, file: bag.file, span: entryName(first).span },
    ]);
  });
  return catalog;
}

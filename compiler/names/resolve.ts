import type { Identifier } from '../../grammar/ast/index.js';
import { closestMatch } from '../config/closest-match.js';
import { Diagnostics } from '../diagnostics/catalogue.js';
import type { DiagnosticBag } from '../diagnostics/diagnostic.js';
import { entryName, type Catalog, type CatalogEntry } from './catalog.js';

export type StreamEntry = Extract<CatalogEntry, { kind: 'source' | 'view' }>;
export type SinkEntry = Extract<CatalogEntry, { kind: 'sink' }>;

const KEYWORD: Record<CatalogEntry['kind'], string> = { source: 'SOURCE', sink: 'SINK', view: 'VIEW' };

function namesOf(catalog: Catalog, kinds: readonly CatalogEntry['kind'][]): string[] {
  return [...catalog.values()].filter((e) => kinds.includes(e.kind)).map((e) => e.statement.name.name);
}

/** Reports a definition that comes after the statement at `at` (definitions come before use, as in SQL). */
function definedLater(entry: CatalogEntry, name: Identifier, at: number, bag: DiagnosticBag): boolean {
  if (entry.index <= at) return false;
  bag.report(Diagnostics.UsedBeforeDefinition, name.span, { kind: entry.kind, name: name.name, keyword: KEYWORD[entry.kind] }, [
    { message: `'${name.name}' is defined here`, file: bag.file, span: entryName(entry).span },
  ]);
  return true;
}

/**
 * The source or view a FROM, JOIN or UNION ALL reads, as seen from the statement at position `at`;
 * undefined (and reported) when the name is unknown, a sink, defined later, or the view being defined itself.
 */
export function resolveStream(name: Identifier, at: number, catalog: Catalog, bag: DiagnosticBag): StreamEntry | undefined {
  const entry = catalog.get(name.name);
  if (entry === undefined) {
    const suggestion = closestMatch(name.name, namesOf(catalog, ['source', 'view']));
    if (suggestion === undefined) bag.report(Diagnostics.UnknownStream, name.span, { name: name.name });
    else bag.report(Diagnostics.UnknownStreamDidYouMean, name.span, { name: name.name, suggestion });
    return undefined;
  }
  if (entry.kind === 'sink') {
    bag.report(Diagnostics.SinkReadAsStream, name.span, { name: name.name });
    return undefined;
  }
  if (entry.kind === 'view' && entry.index === at) {
    bag.report(Diagnostics.ViewRefersToItself, name.span, { name: name.name });
    return undefined;
  }
  return definedLater(entry, name, at, bag) ? undefined : entry;
}

/** The sink an INSERT INTO at position `at` writes to; undefined (and reported) otherwise. */
export function resolveSink(name: Identifier, at: number, catalog: Catalog, bag: DiagnosticBag): SinkEntry | undefined {
  const entry = catalog.get(name.name);
  if (entry === undefined) {
    const suggestion = closestMatch(name.name, namesOf(catalog, ['sink']));
    if (suggestion === undefined) bag.report(Diagnostics.UnknownSink, name.span, { name: name.name });
    else bag.report(Diagnostics.UnknownSinkDidYouMean, name.span, { name: name.name, suggestion });
    return undefined;
  }
  if (entry.kind !== 'sink') {
    bag.report(Diagnostics.InsertIntoNonSink, name.span, { name: name.name, kind: entry.kind });
    return undefined;
  }
  return definedLater(entry, name, at, bag) ? undefined : entry;
}

import type { Script } from '../../grammar/ast/index.js';
import { Diagnostics } from '../diagnostics/catalogue.js';
import type { DiagnosticBag } from '../diagnostics/diagnostic.js';
import type { Catalog } from './catalog.js';
import { pipelinesOf } from './pipelines.js';

/** Warns about sources and views no pipeline reads and sinks no INSERT INTO writes to. */
export function reportUnused(script: Script, catalog: Catalog, bag: DiagnosticBag): void {
  const read = new Set<string>();
  for (const { pipeline } of pipelinesOf(script)) {
    read.add(pipeline.from.name.name);
    for (const step of pipeline.steps) {
      if (step.kind === 'JoinStep') read.add(step.right.name.name);
      if (step.kind === 'UnionStep') read.add(step.other.name.name);
    }
  }
  const written = new Set(script.statements.flatMap((s) => (s.kind === 'InsertInto' ? [s.sink.name] : [])));

  for (const entry of catalog.values()) {
    const name = entry.statement.name;
    if (entry.kind === 'sink') {
      if (!written.has(name.name)) bag.report(Diagnostics.UnusedSink, name.span, { name: name.name });
    } else if (!read.has(name.name)) {
      bag.report(Diagnostics.UnusedStream, name.span, { kind: entry.kind, name: name.name });
    }
  }
}

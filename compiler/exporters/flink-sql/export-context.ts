import type { Diagnostic, DiagnosticArgs, DiagnosticDefinition } from '../../diagnostics/diagnostic.js';
import { createDiagnostic } from '../../diagnostics/diagnostic.js';
import type { Operator } from '../../graph/job-graph.js';
import { flinkIdentifier } from './flink-dialect.js';

/** A table or view of the emitted script and the Flink names of its columns, already quoted where needed. */
export interface Relation {
  readonly name: string;
  readonly columns: readonly string[];
}

/** What the per-concern translators share: the diagnostics found so far, blamed on an operator's origin. */
export class ExportContext {
  readonly diagnostics: Diagnostic[] = [];

  report(op: Operator, definition: DiagnosticDefinition, args: DiagnosticArgs): void {
    const { file, offset, length } = op.origin;
    this.diagnostics.push(createDiagnostic(definition, file, { offset, length }, { step: stepName(op), ...args }));
  }

  /** A finding about the whole job (its configuration), which the graph does not place in the file. */
  reportJob(file: string, definition: DiagnosticDefinition, args: DiagnosticArgs): void {
    this.diagnostics.push(createDiagnostic(definition, file, { offset: 0, length: 0 }, args));
  }
}

/** How a diagnostic names a step: its uid, else its generated id with the place in the file. */
export function stepName(op: Operator): string {
  return op.uid ?? `${op.id} at ${op.origin.file}:${op.origin.line}:${op.origin.column}`;
}

/**
 * Flink names for a stream's columns. A join's output may repeat a name (`date_time` of both sides), which a
 * Flink view cannot: later occurrences get a number, as Flink itself names them (`date_time0`).
 */
export function uniqueColumnNames(names: readonly string[]): string[] {
  const taken = new Set<string>();
  return names.map((name) => {
    let candidate = name;
    for (let n = 0; taken.has(candidate.toLowerCase()); n++) candidate = `${name}${n}`;
    taken.add(candidate.toLowerCase());
    return flinkIdentifier(candidate);
  });
}

/** A name not among `taken` (case-insensitively, as Flink resolves), for helper columns such as `row_num`. */
export function freshName(base: string, taken: readonly string[]): string {
  const lower = new Set(taken.map((t) => t.replaceAll('`', '').toLowerCase()));
  let candidate = base;
  for (let n = 0; lower.has(candidate.toLowerCase()); n++) candidate = `${base}${n}`;
  return candidate;
}

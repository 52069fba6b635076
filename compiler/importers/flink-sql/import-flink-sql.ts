import { printScript } from '../../../grammar/print.js';
import { DiagnosticBag, hasErrors, type Diagnostic } from '../../diagnostics/diagnostic.js';
import { parseFlinkSql } from './parse-flink-sql.js';
import { PipeTranslator, type GeneratedUid } from './to-pipe.js';

export interface ImportResult {
  /** The `.pipe` text, only when there is no error. */
  readonly pipe: string | undefined;
  /** The uids generated for sources, sinks and stateful steps, in the order of the `.pipe` file. */
  readonly uids: readonly GeneratedUid[];
  /** Errors and warnings, with spans in the Flink SQL script. */
  readonly diagnostics: readonly Diagnostic[];
}

/**
 * `sluice import`: a Flink SQL script of the subset in docs/flink.md ("Importing Flink SQL") as a `.pipe`
 * file. UIDs are generated from the names of the tables and views and the order of the steps, so importing
 * the same script again gives the same uids; the user keeps them from then on (they are what savepoints match).
 */
export function importFlinkSql(text: string, file: string): ImportResult {
  const parsed = parseFlinkSql(text, file);
  if (hasErrors(parsed.diagnostics)) return { pipe: undefined, uids: [], diagnostics: parsed.diagnostics };
  const bag = new DiagnosticBag(file);
  bag.items.push(...parsed.diagnostics);
  const translator = new PipeTranslator(bag);
  const script = translator.translate(parsed.value);
  const diagnostics = [...bag.items].sort((a, b) => a.span.offset - b.span.offset);
  if (hasErrors(diagnostics)) return { pipe: undefined, uids: [], diagnostics };
  const header = `-- Imported from ${file} by \`sluice import\`. The UIDs were generated: keep them as they are, they are\n-- what a savepoint's state is matched by.\n\n`;
  return { pipe: header + printScript(script), uids: translator.uids, diagnostics };
}

import { resolve } from 'node:path';
import { compile } from '../../compiler/compile.js';
import { Diagnostics } from '../../compiler/diagnostics/catalogue.js';
import { hasErrors } from '../../compiler/diagnostics/diagnostic.js';
import { formatDiagnostics, formatSummary, type SummaryWording } from '../../compiler/diagnostics/format.js';
import { SourceText } from '../../compiler/diagnostics/source-text.js';
import { importFlinkSql } from '../../compiler/importers/flink-sql/import-flink-sql.js';
import type { CommandOutcome } from '../exit-codes.js';
import { describeFsError, useColor, writeFileAtomic, type CliIO } from '../output.js';
import { readSource } from '../read-source.js';
import { printUsageErrors, usageError } from '../usage-errors.js';

/** The options as commander hands them over. */
export interface ImportFlags {
  readonly output?: string;
  readonly color: boolean;
}

const IMPORTED: SummaryWording = {
  failed: (file) => `could not import ${file}`,
  succeeded: (file) => `imported ${file}`,
};

/**
 * `sluice import job.sql [--output job.pipe]`: the `.pipe` file to standard output or `--output`, the generated
 * uids to standard error for the user to keep. Constructs outside the importable subset are errors at their
 * place in the script (exit code 1, nothing written). The `.pipe` file is then compiled as `sluice compile`
 * would: if it does not compile (a function Sluice lacks, a connector option it does not know), the file is
 * still written, so the errors printed against it can be fixed there, and the exit code is 1.
 */
export async function runImport(file: string, flags: ImportFlags, io: CliIO): Promise<CommandOutcome> {
  const source = await readSource(file, io.cwd);
  if (source.text === undefined) return printUsageErrors([source.error], io);
  const color = useColor(io.stderr, io.env, flags.color);
  const imported = importFlinkSql(source.text, file);
  if (imported.diagnostics.length > 0) {
    const sources = new Map([[file, new SourceText(file, source.text)]]);
    io.stderr.write(formatDiagnostics(imported.diagnostics, sources, { color }) + formatSummary(imported.diagnostics, file, { color }, IMPORTED));
  }
  if (imported.pipe === undefined || hasErrors(imported.diagnostics)) return { kind: 'completed', diagnostics: [...imported.diagnostics] };

  const pipeFile = flags.output ?? `${file.replace(/\.sql$/i, '')}.pipe`;
  if (flags.output === undefined) io.stdout.write(imported.pipe);
  else {
    try {
      await writeFileAtomic(resolve(io.cwd, flags.output), imported.pipe);
    } catch (error) {
      return printUsageErrors([usageError(Diagnostics.WriteFailed, { path: flags.output, reason: describeFsError(error) })], io);
    }
  }
  io.stderr.write(`generated uids (keep them: a savepoint's state is matched by uid):\n${uidLines(imported, file, source.text)}`);

  const compiled = compile(imported.pipe, { file: pipeFile });
  const errors = compiled.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) {
    const sources = new Map([[pipeFile, new SourceText(pipeFile, imported.pipe)]]);
    io.stderr.write(formatDiagnostics(errors, sources, { color }) + formatSummary(errors, pipeFile, { color }));
  }
  return { kind: 'completed', diagnostics: [...imported.diagnostics, ...errors] };
}

function uidLines(imported: ReturnType<typeof importFlinkSql>, file: string, text: string): string {
  const lines = new SourceText(file, text);
  const width = Math.max(...imported.uids.map((u) => u.uid.length));
  return imported.uids
    .map((u) => {
      const { line, column } = lines.positionAt(u.span.offset);
      return `  ${u.uid.padEnd(width)}  ${u.what} (${file}:${line}:${column})\n`;
    })
    .join('');
}

import { compile } from '../../compiler/compile.js';
import { hasErrors } from '../../compiler/diagnostics/diagnostic.js';
import { formatDiagnostics, formatSummary } from '../../compiler/diagnostics/format.js';
import { SourceText } from '../../compiler/diagnostics/source-text.js';
import { ConnectorRuntimes } from '../../connectors/runtime-registry.js';
import { DiagnosticError } from '../../runtime/diagnostic-error.js';
import type { CommandOutcome } from '../exit-codes.js';
import { useColor, type CliIO } from '../output.js';
import { readSource } from '../read-source.js';
import { printUsageErrors } from '../usage-errors.js';

/** The options as commander hands them over. */
export interface ConnectorCleanupFlags {
  readonly color: boolean;
}

/**
 * `sluice connector cleanup job.pipe`: compiles the job and runs the cleanup of each of its connectors that keeps
 * something between runs (ConnectorRuntime.cleanup), printing one line per thing removed to standard output.
 * Program errors exit 1; a refusal or an unreachable server (a DiagnosticError, SLC9xxx) exits 2.
 */
export async function runConnectorCleanup(file: string, flags: ConnectorCleanupFlags, io: CliIO): Promise<CommandOutcome> {
  const source = await readSource(file, io.cwd);
  if (source.text === undefined) return printUsageErrors([source.error], io);
  const result = compile(source.text, { file });
  if (hasErrors(result.diagnostics) || result.value === undefined) {
    const sources = new Map([[file, new SourceText(file, source.text)]]);
    const color = useColor(io.stderr, io.env, flags.color);
    io.stderr.write(formatDiagnostics(result.diagnostics, sources, { color }) + formatSummary(result.diagnostics, file, { color }));
    return { kind: 'completed', diagnostics: result.diagnostics };
  }
  try {
    const done = await ConnectorRuntimes.cleanup(result.value, result.value.name);
    io.stdout.write(done.length === 0 ? `${file}: no connector keeps anything between runs\n` : done.map((line) => `${line}\n`).join(''));
    return { kind: 'completed', diagnostics: [] };
  } catch (error) {
    if (error instanceof DiagnosticError) return printUsageErrors([error.diagnostic], io);
    throw error;
  }
}

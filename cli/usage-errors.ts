import { createDiagnostic, type Diagnostic, type DiagnosticArgs, type DiagnosticDefinition } from '../compiler/diagnostics/diagnostic.js';
import type { CommandOutcome } from './exit-codes.js';
import { formatUsageError, type CliIO } from './output.js';

/**
 * Usage errors (SLC9xxx) of every command. Kept apart from the commands so that the control commands do not
 * load the compiler to report a bad argument.
 */

const COMMAND_LINE = '<command line>';
const NO_SPAN = { offset: 0, length: 0 };

export function usageError(definition: DiagnosticDefinition, args: DiagnosticArgs): Diagnostic {
  return createDiagnostic(definition, COMMAND_LINE, NO_SPAN, args);
}

export function printUsageErrors(errors: readonly Diagnostic[], io: CliIO): CommandOutcome {
  for (const error of errors) io.stderr.write(formatUsageError(error));
  return { kind: 'completed', diagnostics: errors };
}

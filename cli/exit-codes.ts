import type { Diagnostic } from '../compiler/diagnostics/diagnostic.js';
import type { StopSignal } from './signals.js';

/**
 * Exit codes of every `sluice` command: 0 success (warnings allowed), 1 errors in the program (the .pipe file)
 * or a job that failed while running, 2 usage errors (bad flags, unreadable or unwritable files: the SLC9xxx
 * codes), 3 an internal error (a bug), and 128 + the signal's number for a job stopped by a signal, as shells
 * report it: 130 for SIGINT (Ctrl-C), 143 for SIGTERM.
 */
export const ExitCode = {
  Success: 0,
  ProgramErrors: 1,
  UsageError: 2,
  InternalError: 3,
  StoppedBySigint: 130,
  StoppedBySigterm: 143,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** How a command invocation ended, as far as the exit code is concerned. */
export type CommandOutcome =
  /** The command ran; its diagnostics decide the code. */
  | { readonly kind: 'completed'; readonly diagnostics: readonly Diagnostic[] }
  /** `--help`, `--version`, `sluice help`. */
  | { readonly kind: 'help-shown' }
  /** The argument parser rejected the command line (unknown option or command, missing argument). */
  | { readonly kind: 'bad-arguments' }
  /** `sluice run`: the job failed at run time (user code, a connector); the failure was reported. */
  | { readonly kind: 'job-failed' }
  /** `sluice run`: a signal stopped the job, which was cancelled cleanly. */
  | { readonly kind: 'stopped'; readonly signal: StopSignal }
  | { readonly kind: 'internal-error' };

const USAGE_CODE = /^SLC9\d{3}$/;

export function exitCodeFor(outcome: CommandOutcome): ExitCode {
  switch (outcome.kind) {
    case 'completed': {
      const errors = outcome.diagnostics.filter((d) => d.severity === 'error');
      if (errors.some((d) => USAGE_CODE.test(d.code))) return ExitCode.UsageError;
      return errors.length > 0 ? ExitCode.ProgramErrors : ExitCode.Success;
    }
    case 'help-shown':
      return ExitCode.Success;
    case 'bad-arguments':
      return ExitCode.UsageError;
    case 'job-failed':
      return ExitCode.ProgramErrors;
    case 'stopped':
      return outcome.signal === 'SIGINT' ? ExitCode.StoppedBySigint : ExitCode.StoppedBySigterm;
    case 'internal-error':
      return ExitCode.InternalError;
  }
}

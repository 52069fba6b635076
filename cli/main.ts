import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { registerCheckpointsCommand } from './register/checkpoints.js';
import { registerCompileCommand } from './register/compile.js';
import { registerConnectorCommand } from './register/connector.js';
import { registerImportCommand } from './register/import.js';
import { registerListCommand } from './register/list.js';
import { registerRunCommand } from './register/run.js';
import { registerSavepointCommand } from './register/savepoint.js';
import { registerStopCommand } from './register/stop.js';
import { registerUiCommand } from './register/ui.js';
import { exitCodeFor, type CommandOutcome } from './exit-codes.js';
import { processIO, type CliIO } from './output.js';

/**
 * The `sluice` command line: a thin client of the library. Each command lives in its own file under
 * cli/commands/; cli/register/ declares its options and help and imports the implementation only when the
 * command runs, so that `--help` or `sluice list` load neither the compiler nor the runtime. A command reports
 * how it ended through `finish`, and the exit code is a pure function of that outcome (cli/exit-codes.ts).
 */
type RegisterCommand = (program: Command, io: CliIO, finish: (outcome: CommandOutcome) => void) => void;

const COMMANDS: readonly RegisterCommand[] = [registerCompileCommand, registerImportCommand, registerRunCommand, registerListCommand, registerCheckpointsCommand, registerSavepointCommand, registerStopCommand, registerUiCommand, registerConnectorCommand];

/** The package's version, from the package.json above this file (cli/ when run from source, dist/cli/ when built). */
function packageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) return 'unknown';
    dir = parent;
  }
  return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version?: string }).version ?? 'unknown';
}

/** A bug, not a user error: say so, and show the stack only to whoever asked for it with SLUICE_DEBUG=1. */
function reportInternalError(error: unknown, io: CliIO): void {
  const message = error instanceof Error ? error.message : String(error);
  io.stderr.write(`internal error: ${message}\nThis is a bug in Sluice; please report it with the command and the .pipe file.\n`);
  if (io.env['SLUICE_DEBUG'] === '1' && error instanceof Error && error.stack !== undefined) io.stderr.write(`${error.stack}\n`);
  else io.stderr.write('Run again with SLUICE_DEBUG=1 to include the stack trace in the report.\n');
}

export async function runCli(argv: readonly string[], io: CliIO): Promise<number> {
  let outcome: CommandOutcome = { kind: 'help-shown' };
  const program = new Command('sluice')
    .description('Declarative streaming pipelines (.pipe files) with Flink-style checkpoints and savepoints')
    .version(packageVersion(), '-v, --version', 'print the version')
    .helpCommand('help [command]', 'show help for a command')
    .showSuggestionAfterError()
    .exitOverride()
    .configureOutput({ writeOut: (text) => io.stdout.write(text), writeErr: (text) => io.stderr.write(text) });
  for (const register of COMMANDS) {
    register(program, io, (result) => {
      outcome = result;
    });
  }
  // Commands registered after exitOverride/configureOutput inherit both, so every command shares this handling.
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      outcome = error.exitCode === 0 ? { kind: 'help-shown' } : { kind: 'bad-arguments' };
    } else {
      reportInternalError(error, io);
      outcome = { kind: 'internal-error' };
    }
  }
  return exitCodeFor(outcome);
}

process.exitCode = await runCli(process.argv.slice(2), processIO());

import type { Command } from 'commander';
import type { ImportFlags } from '../commands/import.js';
import type { CommandOutcome } from '../exit-codes.js';
import type { CliIO } from '../output.js';

/** Loaded when the command runs, not when it is registered: other commands never load the importer. */
const implementation = () => import('../commands/import.js');

/** Registers `import` on the program; `finish` receives the outcome that decides the exit code. */
export function registerImportCommand(program: Command, io: CliIO, finish: (outcome: CommandOutcome) => void): void {
  program
    .command('import')
    .description('turn a Flink SQL script into a .pipe file with generated uids (the reverse of --emit flink-sql)')
    .argument('<file>', 'the Flink SQL script (.sql) to import')
    .option('-o, --output <file>', 'write the .pipe file here (atomically) instead of to standard output')
    .option('--no-color', 'never color diagnostics')
    .addHelpText(
      'after',
      [
        '',
        'The generated uids are printed to standard error: keep them in the .pipe file, savepoints match state by them.',
        'What can be imported: docs/flink.md, section "Importing Flink SQL".',
        '',
        'Examples:',
        '  sluice import job.sql --output job.pipe',
        '  sluice import job.sql > job.pipe',
      ].join('\n'),
    )
    .action(async (file: string, options: ImportFlags) => {
      finish(await (await implementation()).runImport(file, options, io));
    });
}

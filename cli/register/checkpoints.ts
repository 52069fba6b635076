import type { Command } from 'commander';
import { collect } from './compile.js';
import type { CommandOutcome } from '../exit-codes.js';
import type { CliIO } from '../output.js';

/** Loaded when the command runs, not when it is registered: `sluice --help` and other commands skip the compiler. */
const implementation = () => import('../commands/checkpoints.js');

export function registerCheckpointsCommand(program: Command, io: CliIO, finish: (outcome: CommandOutcome) => void): void {
  program
    .command('checkpoints')
    .description("list a pipeline's retained checkpoints and known savepoints: id, completed at and age, size, duration, type")
    .argument('<target>', "the job's .pipe file, or its checkpoint directory <state.checkpoints.dir>/<pipeline.name>")
    .option('--set <key=value>', "override a setting of the file's SET statements (where its checkpoints are); repeatable", collect, [])
    .option('--json', 'print one JSON document (schema: cli/checkpoints-json.ts) instead of the table')
    .option('--no-color', 'never color diagnostics')
    .addHelpText(
      'after',
      [
        '',
        'Oldest first. How many checkpoints are kept is `state.checkpoints.num-retained`; any of them, or a savepoint,',
        "can be restored with `sluice run job.pipe --resume --before '<time>'` or `--from <path>`.",
        '',
        'Examples:',
        '  sluice checkpoints job.pipe',
        '  sluice checkpoints /var/sluice/checkpoints/nightly --json',
      ].join('\n'),
    )
    .action(async (target: string, options: { set: string[]; json?: boolean; color: boolean }) => {
      finish(await (await implementation()).runCheckpoints(target, { set: options.set, json: options.json === true, color: options.color }, io));
    });
}

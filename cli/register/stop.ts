import type { Command } from 'commander';
import type { CommandOutcome } from '../exit-codes.js';
import type { CliIO } from '../output.js';

/** Loaded when the command runs, not when it is registered: `sluice --help` and other commands skip the control client. */
const implementation = () => import('../commands/stop.js');

export function registerStopCommand(program: Command, io: CliIO, finish: (outcome: CommandOutcome) => void): void {
  program
    .command('stop')
    .description('stop a running job gracefully, optionally with a savepoint to resume it from')
    .argument('<job>', 'the job id or pipeline.name of a running job (`sluice list` shows them)')
    .option('--savepoint [target-dir]', "take a savepoint as the job stops, in a new directory inside target-dir (default: the pipeline's state.savepoints.dir)")
    .option('--drain', 'first advance event time to the end so that every window fires: for a final shutdown, not to resume')
    .addHelpText(
      'after',
      [
        '',
        'Sources stop, the savepoint is taken, sinks commit, then the job ends; the savepoint path is printed on',
        'standard output. If the savepoint fails, the job keeps running.',
        '',
        'Exit codes: 0 stopped, 1 the stop or its savepoint failed (the message says why), 2 usage errors',
        '(unknown job, bad target directory).',
        '',
        'Examples:',
        '  sluice stop orders-revenue --savepoint /backups/savepoints',
        '  sluice run orders-revenue.pipe --from "$(sluice stop orders-revenue --savepoint)"',
      ].join('\n'),
    )
    .action(async (reference: string, options: { savepoint?: string | true; drain?: boolean }) => {
      finish(await (await implementation()).runStop(reference, { drain: options.drain === true, ...(options.savepoint === undefined ? {} : { savepoint: options.savepoint }) }, io));
    });
}

import type { Command } from 'commander';
import type { CommandOutcome } from '../exit-codes.js';
import type { CliIO } from '../output.js';

/** Loaded when the command runs, not when it is registered: `sluice --help` and other commands skip the control client and the checkpoint reader. */
const implementation = () => import('../commands/savepoint.js');

export function registerSavepointCommand(program: Command, io: CliIO, finish: (outcome: CommandOutcome) => void): void {
  const savepoint = program
    .command('savepoint')
    .description('take a savepoint of a running job (it keeps running); `savepoint inspect` and `savepoint dispose` handle savepoints')
    .argument('<job>', 'the job id or pipeline.name of a running job (`sluice list` shows them)')
    .argument('[target-dir]', "where to create the savepoint directory (default: the pipeline's state.savepoints.dir)")
    .addHelpText(
      'after',
      [
        '',
        'The savepoint is a new directory savepoint-<job>-<random>/ inside the target; its path is printed on',
        'standard output. Sluice never deletes savepoints: `sluice savepoint dispose <dir>` does, when asked.',
        '',
        'Exit codes: 0 written, 1 the savepoint failed (the message says why; the job keeps running), 2 usage',
        'errors (unknown job, no or bad target directory, not a savepoint).',
        '',
        'Examples:',
        '  sluice savepoint orders-revenue /backups/savepoints',
        '  sluice run orders-revenue.pipe --from /backups/savepoints/savepoint-orders-revenue-1a2b3c',
        '  sluice savepoint inspect /backups/savepoints/savepoint-orders-revenue-1a2b3c --dump revenue-per-category',
      ].join('\n'),
    )
    .action(async (reference: string, targetDir: string | undefined) => finish(await (await implementation()).runSavepoint(reference, targetDir, io)));
  savepoint
    .command('inspect')
    .description('list the operators, state and sizes of a savepoint (or retained checkpoint) and the job it came from')
    .argument('<dir>', 'the savepoint directory, or its _metadata file')
    .option('--dump <uid>', "print this operator's state as JSON lines instead")
    .action(async (dir: string, options: { dump?: string }) => finish(await (await implementation()).runInspect(dir, options.dump, io)));
  savepoint
    .command('dispose')
    .description('delete a savepoint directory, after checking that it is one')
    .argument('<dir>', 'the savepoint directory')
    .action(async (dir: string) => finish(await (await implementation()).runDispose(dir, io)));
}

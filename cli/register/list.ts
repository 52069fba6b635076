import type { Command } from 'commander';
import type { CommandOutcome } from '../exit-codes.js';
import type { CliIO } from '../output.js';

/** Loaded when the command runs, not when it is registered: `sluice --help` and other commands skip the job registry. */
const implementation = () => import('../commands/list.js');

export function registerListCommand(program: Command, io: CliIO, finish: (outcome: CommandOutcome) => void): void {
  program
    .command('list')
    .description('list the running jobs of this user (started with `sluice run`): id, pipeline name, pid, uptime, control socket')
    .action(async () => finish(await (await implementation()).runList(io)));
}

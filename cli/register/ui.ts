import type { Command } from 'commander';
import type { CommandOutcome } from '../exit-codes.js';
import type { CliIO } from '../output.js';

/** Loaded when the command runs: `sluice --help` and other commands skip the web server. */
const implementation = () => import('../commands/ui.js');

export function registerUiCommand(program: Command, io: CliIO, finish: (outcome: CommandOutcome) => void): void {
  program
    .command('ui')
    .description('serve one web dashboard for every job of this user running on this machine, until Ctrl-C')
    .option('--port <n>', 'the port (0: any free one)', '8081')
    .option('--host <host>', 'the interface; other than 127.0.0.1 lets other machines reach it', '127.0.0.1')
    .action(async (options: { port: string; host: string }) => finish(await (await implementation()).runUi(options, io)));
}

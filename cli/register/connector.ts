import type { Command } from 'commander';
import type { ConnectorCleanupFlags } from '../commands/connector.js';
import type { CommandOutcome } from '../exit-codes.js';
import type { CliIO } from '../output.js';

/** Loaded when the command runs: it compiles the file and loads the connectors' drivers. */
const implementation = () => import('../commands/connector.js');

/** Registers `connector cleanup` on the program; `finish` receives the outcome that decides the exit code. */
export function registerConnectorCommand(program: Command, io: CliIO, finish: (outcome: CommandOutcome) => void): void {
  const connector = program.command('connector').description("manage what a job's connectors keep on external systems");
  connector
    .command('cleanup')
    .description("drop what the job's connectors keep between runs: a postgres-cdc source's replication slot and publication")
    .argument('<file>', 'the job (.pipe file) whose connectors to clean up')
    .option('--no-color', 'never color diagnostics')
    .addHelpText(
      'after',
      [
        '',
        "A replication slot keeps the server's WAL until it is read: drop the slot of a job you no longer run. Refused",
        'while the job runs (SLC9204). The next start of the job (without --resume) creates the slot anew and reads the',
        'table from its start; --resume from a checkpoint taken before the cleanup fails with SLC9205.',
        '',
        'Example:',
        '  sluice connector cleanup examples/postgres/orders-revenue-cdc.pipe',
      ].join('\n'),
    )
    .action(async (file: string, options: ConnectorCleanupFlags) => {
      finish(await (await implementation()).runConnectorCleanup(file, options, io));
    });
}

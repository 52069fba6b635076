import type { Command } from 'commander';
import type { CompileFlags } from '../commands/compile.js';
import type { CommandOutcome } from '../exit-codes.js';
import type { CliIO } from '../output.js';

/** Loaded when the command runs, not when it is registered: `sluice --help` and other commands skip the compiler. */
const implementation = () => import('../commands/compile.js');

/** Commander's accumulator for a repeatable option. */
export function collect(value: string, previous: readonly string[]): string[] {
  return [...previous, value];
}

/** Registers `compile` on the program; `finish` receives the outcome that decides the exit code. */
export function registerCompileCommand(program: Command, io: CliIO, finish: (outcome: CommandOutcome) => void): void {
  program
    .command('compile')
    .description('check a .pipe file and print a summary of its job graph, or the graph itself with --graph')
    .argument('<file>', 'the .pipe file to compile')
    .option('--graph <format>', 'print the job graph instead of the summary: json, dot (Graphviz) or mermaid')
    .option('-o, --output <file>', 'write the graph (or the summary) to this file instead of standard output')
    .option('--set <key=value>', "override a setting of the file's SET statements; repeatable", collect, [])
    .option('-p, --parallelism <n>', 'short for --set parallelism.default=<n>')
    .option('--functions <module>', 'an ES module (.mjs/.js) exporting `functions` (scalar UDFs) and `processes`')
    .option('--no-color', 'never color diagnostics')
    .option('-q, --quiet', 'print nothing on success, not even warnings')
    .option('--check-savepoint <dir>', 'check that the job can start from this savepoint or retained checkpoint (its directory or _metadata); exit 1 if not')
    .option('--json', 'with --check-savepoint: print the compatibility report as JSON')
    .option('-n, --allow-non-restored-state', 'with --check-savepoint: state of uids the job no longer has is dropped instead of failing the check')
    .option('--emit <target>', 'translate the job instead: flink-sql (a script for the Flink SQL client, see docs/flink.md)')
    .option('--check', 'with --emit flink-sql: write nothing, list every construct that will not translate; exit 1 if any')
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  sluice compile job.pipe',
        '  sluice compile job.pipe --graph dot --output job.dot',
        "  sluice compile job.pipe --set 'execution.checkpointing.interval=10 s' -p 4",
        '  sluice compile job.pipe --check-savepoint savepoints/savepoint-orders-1a2b3c --json',
        '  sluice compile job.pipe --emit flink-sql --output job.sql',
        '  sluice compile job.pipe --emit flink-sql --check',
      ].join('\n'),
    )
    .action(async (file: string, options: Omit<CompileFlags, 'quiet'> & { quiet?: boolean }) => {
      finish(await (await implementation()).runCompile(file, { ...options, quiet: options.quiet === true }, io));
    });
}

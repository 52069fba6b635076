import type { Command } from 'commander';
import type { RunFlags } from '../commands/run.js';
import { collect } from './compile.js';
import type { CommandOutcome } from '../exit-codes.js';
import type { CliIO } from '../output.js';

/** Loaded when the command runs, not when it is registered: `sluice --help` and other commands skip the compiler and the runtime. */
const implementation = () => import('../commands/run.js');

/** Registers `run` on the program; `finish` receives the outcome that decides the exit code. */
export function registerRunCommand(program: Command, io: CliIO, finish: (outcome: CommandOutcome) => void): void {
  program
    .command('run')
    .description('compile a .pipe file and run it until its bounded input ends or it is stopped with Ctrl-C')
    .argument('<file>', 'the .pipe file to run')
    .option('--set <key=value>', "override a setting of the file's SET statements; repeatable", collect, [])
    .option('-p, --parallelism <n>', 'short for --set parallelism.default=<n>')
    .option('--functions <module>', 'an ES module (.mjs/.js) exporting `functions` (scalar UDFs) and `processes`')
    .option('-s, --from <dir>', 'restore from this checkpoint or savepoint directory (or its _metadata file)')
    .option('--resume', "restore from the pipeline's latest completed checkpoint; start from scratch when there is none")
    .option('--before <time>', "with --resume: the newest retained checkpoint or savepoint completed at or before <time> ('4 hours ago', or ISO 8601)")
    .option(
      '--rewind-sinks',
      'with --resume/--from: move file sink output committed after the restored checkpoint into <sink>/_rewound-after-chk-<n>-<time>/ instead of refusing',
    )
    .option('-n, --allow-non-restored-state', 'drop saved state whose operator uid is no longer in the job instead of refusing to start')
    .option('--web-ui [address]', 'serve the job\'s web dashboard on [host:]port (default 127.0.0.1:8081); the URL with its token is printed')
    .option('--metrics-json <path>', 'write metrics as JSON lines, every second and at the end, to a file or to standard output (-)')
    .option('--no-color', 'never color diagnostics and errors')
    .option('-q, --quiet', 'no status line, no summary and no compiler warnings; errors are still reported')
    .addHelpText(
      'after',
      [
        '',
        'Rows of print sinks go to standard output; the status line (on a terminal), the summary and errors go to',
        'standard error. SIGINT (Ctrl-C) or SIGTERM cancels the job cleanly; a second one exits at once.',
        '',
        'Exit codes: 0 the input ended and all output was written, 1 errors in the program or a failed job,',
        '2 usage errors, 130 stopped by SIGINT, 143 stopped by SIGTERM.',
        '',
        'Examples:',
        '  sluice run examples/quickstart.pipe',
        '  sluice run job.pipe -p 4 --set pipeline.name=nightly > rows.txt',
        '  sluice run job.pipe --functions udfs.mjs --quiet --metrics-json metrics.jsonl',
        '  sluice run job.pipe --resume',
        '  sluice run job.pipe --web-ui 8082',
        "  sluice run job.pipe --resume --before '4 hours ago'",
      ].join('\n'),
    )
    .action(async (file: string, options: Omit<RunFlags, 'quiet' | 'resume' | 'allowNonRestoredState'> & { quiet?: boolean; resume?: boolean; allowNonRestoredState?: boolean }) => {
      const switches = {
        quiet: options.quiet === true,
        resume: options.resume === true,
        rewindSinks: options.rewindSinks === true,
        allowNonRestoredState: options.allowNonRestoredState === true,
      };
      finish(await (await implementation()).runRun(file, { ...options, ...switches }, io));
    });
}

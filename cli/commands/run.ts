import { resolve } from 'node:path';
import { Diagnostics } from '../../compiler/diagnostics/catalogue.js';
import type { Diagnostic } from '../../compiler/diagnostics/diagnostic.js';
import type { JobGraph } from '../../compiler/graph/job-graph.js';
import type { SinkEnvironment, TextOutput } from '../../runtime/connectors/sink-connector.js';
import { Job } from '../../runtime/execution/job.js';
import { jobFunctions } from '../../runtime/execution/job-functions.js';
import type { JobMetrics, JobOptions, JobResult } from '../../runtime/execution/job-options.js';
import { startJobControl } from '../control/job-control.js';
import { DiagnosticError } from '../../runtime/diagnostic-error.js';
import { exitCodeFor, type CommandOutcome } from '../exit-codes.js';
import { MetricsWriter, metricsLine, type MetricsLine } from '../metrics-json.js';
import { describeFsError, useColor, type CliIO, type OutputStream } from '../output.js';
import { reportJobEvents } from '../run-events.js';
import { RunMonitor } from '../run-monitor.js';
import { formatJobFailure, formatRunSummary, type RunEnding } from '../run-summary.js';
import { watchStopSignals, type SignalSource, type StopSignal } from '../signals.js';
import { formatStatus, StatusLine } from '../status-line.js';
import { compileFile, validateFlags, type CompiledFile } from './compile.js';
import { printUsageErrors, usageError } from '../usage-errors.js';
import { JobDashboard } from '../../web/server/job-dashboard.js';
import { serveDashboards, type DashboardServer } from '../../web/server/serve-web-ui.js';
import { isLoopback, parseWebUiAddress } from '../../web/server/web-ui-address.js';
import { parsePointInTime, POINT_IN_TIME_FORMS } from '../point-in-time.js';

/** The options as commander hands them over, before any validation. */
export interface RunFlags {
  readonly set: readonly string[];
  readonly parallelism?: string;
  readonly functions?: string;
  /** A file path, or `-` for standard output. */
  readonly metricsJson?: string;
  /** A checkpoint or savepoint directory (or its `_metadata`) to restore. */
  readonly from?: string;
  readonly resume: boolean;
  /** With `resume`: the newest retained checkpoint or savepoint completed at or before this time (cli/point-in-time.ts). */
  readonly before?: string;
  /** Move file sink output committed after the restored checkpoint aside instead of refusing (SLC9122, SLC9123). */
  readonly rewindSinks?: boolean;
  readonly allowNonRestoredState: boolean;
  readonly color: boolean;
  readonly quiet: boolean;
  /** `--web-ui [host:]port`: serve the job's dashboard; true for the flag alone (127.0.0.1:8081). */
  readonly webUi?: string | true;
}

/** What `sluice run` uses of its process besides CliIO; injected so that tests drive signals and timing. */
export interface RunEnvironment {
  readonly signals: SignalSource;
  /** Ends the process at once (a second Ctrl-C). */
  readonly forceExit: (code: number) => void;
  /** Wall-clock time, for watermark lag and the metrics' timestamps. */
  readonly now: () => number;
  readonly statusIntervalMs: number;
  readonly metricsIntervalMs: number;
}

export function processRunEnvironment(): RunEnvironment {
  return {
    signals: process,
    forceExit: (code) => process.exit(code),
    now: Date.now,
    statusIntervalMs: 250,
    metricsIntervalMs: 1000,
  };
}

/** Flags, file, functions module and program, as `sluice compile` checks them; prints what is wrong. */
async function compileJob(file: string, flags: RunFlags, io: CliIO, before: number | undefined): Promise<CompiledFile | CommandOutcome> {
  const { request, errors } = validateFlags(flags);
  if (flags.before !== undefined && !flags.resume) errors.push(usageError(Diagnostics.BeforeWithoutResume, {}));
  else if (flags.before !== undefined && before === undefined) errors.push(usageError(Diagnostics.InvalidFlagValue, { flag: '--before', value: flags.before, accepted: POINT_IN_TIME_FORMS }));
  if (flags.metricsJson === '') {
    errors.push(usageError(Diagnostics.InvalidFlagValue, { flag: '--metrics-json', value: '', accepted: 'a file path, or - for standard output' }));
  }
  if (flags.from !== undefined && flags.resume) {
    const reason = '--from restores the snapshot it names, --resume the latest checkpoint of the pipeline';
    errors.push(usageError(Diagnostics.ConflictingFlags, { first: '--from', second: '--resume', reason }));
  }
  if (flags.rewindSinks === true && flags.from === undefined && !flags.resume) errors.push(usageError(Diagnostics.RewindWithoutRestore, {}));
  if (typeof flags.webUi === 'string' && parseWebUiAddress(flags.webUi) === undefined) errors.push(usageError(Diagnostics.WebUiBadAddress, { value: flags.webUi }));
  if (errors.length > 0) return printUsageErrors(errors, io);

  return compileFile(file, request.settings, flags, io);
}

/** `--metrics-json -` next to a print sink on standard output would interleave rows with JSON lines. */
function metricsOutputConflict(graph: JobGraph, metricsJson: string | undefined): Diagnostic | undefined {
  if (metricsJson !== '-') return undefined;
  const printer = graph.operators.find((op) => op.spec.kind === 'sink' && op.spec.connector === 'print' && op.spec.options['standard-error'] !== 'true');
  if (printer === undefined) return undefined;
  return usageError(Diagnostics.ConflictingFlags, {
    first: '--metrics-json -',
    second: `the print sink '${printer.uid ?? printer.id}'`,
    reason: "both write to standard output; give --metrics-json a file path, or set 'standard-error' = 'true' on the sink",
  });
}

type ErrorListener = (error: NodeJS.ErrnoException) => void;

/** What `sluice run` uses of a Node stream beyond `write`, when the command's stream is one (not in tests). */
interface NodeWritable extends OutputStream {
  on(event: 'error', listener: ErrorListener): unknown;
  once(event: 'drain' | 'close', listener: () => void): unknown;
  off(event: 'drain' | 'close' | 'error', listener: ErrorListener): unknown;
  readonly destroyed: boolean;
}

function isNodeWritable(stream: OutputStream): stream is NodeWritable {
  const candidate = stream as Partial<NodeWritable>;
  return typeof candidate.on === 'function' && typeof candidate.once === 'function' && typeof candidate.off === 'function' && typeof candidate.destroyed === 'boolean';
}

/**
 * A console sink's output on one of the command's streams. Writing clears the status line first, so rows never
 * land in the middle of it (stdout and stderr are usually the same terminal). On a Node stream, a full buffer
 * makes the sink wait for `drain`, so a slow reader back-pressures the job; a stream that broke (its reader went
 * away) never drains, so its `close` wakes the sink too, and later rows are dropped while the job stops.
 */
function consoleOutput(stream: OutputStream, status: StatusLine | undefined): TextOutput {
  if (!isNodeWritable(stream)) {
    return {
      write: (chunk) => {
        status?.clear();
        return stream.write(chunk) !== false;
      },
    };
  }
  return {
    write: (chunk) => {
      status?.clear();
      return stream.destroyed || stream.write(chunk) !== false;
    },
    once: (_event, listener) => {
      const wake = () => {
        stream.off('drain', wake);
        stream.off('close', wake);
        listener();
      };
      stream.once('drain', wake);
      stream.once('close', wake);
    },
  };
}

function consoleSinks(io: CliIO, status: StatusLine | undefined): SinkEnvironment {
  return { stdout: consoleOutput(io.stdout, status), stderr: consoleOutput(io.stderr, status) };
}

const STATUS_OF_ENDING: Readonly<Record<RunEnding['kind'], MetricsLine['status']>> = {
  finished: 'finished',
  stopped: 'cancelled',
  'stopped-on-request': 'stopped',
  'output-closed': 'cancelled',
  failed: 'failed',
};

/**
 * Calls `onError` when writing to `stream` fails (a Node stream reports write errors as events, which would
 * otherwise crash the process). Returns the function that stops listening.
 */
function watchWriteErrors(stream: OutputStream, onError: ErrorListener): () => void {
  if (!isNodeWritable(stream)) return () => undefined;
  stream.on('error', onError);
  return () => stream.off('error', onError);
}

/** Where the job's state comes from, as `Job.start` takes it. */
function restoreOptions(flags: RunFlags, cwd: string, before: number | undefined): Pick<JobOptions, 'restoreFrom' | 'resume' | 'resumeBefore' | 'rewindSinks' | 'allowNonRestoredState'> {
  return {
    ...(flags.from === undefined ? {} : { restoreFrom: resolve(cwd, flags.from) }),
    ...(flags.resume ? { resume: true } : {}),
    ...(before === undefined ? {} : { resumeBefore: new Date(before) }),
    ...(flags.rewindSinks === true ? { rewindSinks: true } : {}),
    ...(flags.allowNonRestoredState ? { allowNonRestoredState: true } : {}),
  };
}

/**
 * How a job whose `done` resolved ended. Standard output failing loses rows, so it fails the run, except when
 * its reader went away (EPIPE: `| head` had enough), which ends the run like a stop. Otherwise `sluice stop` stopped
 * it, a signal cancelled it, or its input ended.
 */
function endingOf(status: JobResult['status'], stoppedBy: StopSignal | undefined, outputFailure: NodeJS.ErrnoException | undefined): RunEnding {
  if (outputFailure !== undefined && outputFailure.code !== 'EPIPE') return { kind: 'failed' };
  if (status === 'finished') return { kind: 'finished' };
  if (status === 'stopped') return { kind: 'stopped-on-request' };
  if (stoppedBy !== undefined) return { kind: 'stopped', signal: stoppedBy };
  return outputFailure === undefined ? { kind: 'finished' } : { kind: 'output-closed' };
}

interface RunContext {
  readonly graph: JobGraph;
  readonly flags: RunFlags;
  readonly io: CliIO;
  readonly env: RunEnvironment;
  readonly status: StatusLine | undefined;
  readonly metrics: MetricsWriter | undefined;
  /** The figures `sluice ui` and `--web-ui` show, fed by the run's timer. */
  readonly dashboard: JobDashboard;
  readonly webUi: DashboardServer | undefined;
  readonly color: boolean;
}

/**
 * Runs a started job to its end: stops it cleanly on SIGINT/SIGTERM, refreshes the status line and writes metrics
 * lines on a timer (one `job.metrics()` reading feeds both), then reports how it ended.
 */
async function supervise(job: Job, context: RunContext): Promise<CommandOutcome> {
  const { graph, flags, io, env, status, metrics, dashboard, webUi } = context;
  const monitor = new RunMonitor(graph);
  const write = (line: string) => {
    status?.clear();
    io.stderr.write(`${line}\n`);
  };
  const stopReporting = reportJobEvents(job, { resumeRequested: flags.resume, quiet: flags.quiet, write });
  const lineContext = (type: MetricsLine['type'], jobStatus: MetricsLine['status']) => ({ type, status: jobStatus, jobId: job.jobId, pipeline: graph.name, wallNow: env.now() });
  let stoppedBy: StopSignal | undefined;
  let outputFailure: NodeJS.ErrnoException | undefined;
  const unwatchOutput = watchWriteErrors(io.stdout, (error) => {
    if (outputFailure !== undefined) return;
    outputFailure = error;
    void job.cancel();
  });
  const unwatch = watchStopSignals(env.signals, {
    stop: (signal) => {
      stoppedBy = signal;
      write(`${signal} received: stopping the job (send it again to exit at once, without cleaning up)`);
      void job.cancel();
    },
    force: (signal) => {
      write(`${signal} received again: exiting without a clean stop; uncommitted output may be left behind`);
      env.forceExit(exitCodeFor({ kind: 'stopped', signal }));
    },
  });

  const tickMs = status === undefined ? env.metricsIntervalMs : env.statusIntervalMs;
  const metricsEvery = Math.max(1, Math.round(env.metricsIntervalMs / tickMs));
  let ticks = 0;
  // Always on: the dashboard's figures (for `sluice ui` and --web-ui) come from the same reading as the status line's.
  const timer = setInterval(() => {
    const reading = job.metrics();
    const snapshot = monitor.observe(reading);
    status?.show(formatStatus(snapshot, env.now()));
    if (++ticks % metricsEvery !== 0) return;
    metrics?.write(metricsLine(snapshot, reading, lineContext('progress', 'running')));
    dashboard.observe(reading);
  }, tickMs);

  // Handled from now on: `done` may reject while the control endpoint is being set up.
  const settled = job.done.then(
    (result) => ({ result }),
    (error: unknown) => ({ error }),
  );
  // `sluice savepoint`, `sluice stop` and `sluice list` reach the job through its control socket while it runs.
  // Set up after the listeners and the timer above, which must not miss the job's first events, output errors
  // or seconds while it awaits.
  const control = await startJobControl(job, { pipelineName: graph.config.pipelineName, savepointsDir: graph.config.state.savepointsDir, io, log: write, dashboard });
  const end = await settled;
  clearInterval(timer);
  unwatch();
  stopReporting();
  status?.clear();
  await control.close();
  await webUi?.close();
  dashboard.dispose();

  let ending: RunEnding;
  let finalReading: JobMetrics;
  let failure: unknown;
  if ('error' in end) {
    failure = end.error;
    finalReading = job.metrics();
    ending = { kind: 'failed' };
  } else {
    finalReading = end.result.metrics;
    ending = endingOf(end.result.status, stoppedBy, outputFailure);
    if (ending.kind === 'failed') failure = new Error(`cannot write to standard output: ${describeFsError(outputFailure)}`);
  }

  monitor.observe(finalReading);
  const overall = monitor.overall();
  if (ending.kind === 'failed') io.stderr.write(formatJobFailure(failure, { debug: io.env['SLUICE_DEBUG'] === '1', color: context.color, starting: false }));
  if (metrics !== undefined) {
    metrics.write(metricsLine(overall, finalReading, lineContext('final', STATUS_OF_ENDING[ending.kind])));
    const writeError = await metrics.close();
    if (writeError !== undefined) io.stderr.write(`warning: some metrics could not be written to '${flags.metricsJson}': ${describeFsError(writeError)}\n`);
  }
  if (!flags.quiet) io.stderr.write(formatRunSummary(graph.name, ending, overall));
  else if (ending.kind === 'stopped') io.stderr.write(`stopped by ${ending.signal}\n`);
  // Standard output is watched to the end: the final metrics line may be written to it.
  unwatchOutput();

  switch (ending.kind) {
    case 'finished':
    case 'stopped-on-request':
    case 'output-closed':
      return { kind: 'completed', diagnostics: [] };
    case 'stopped':
      return { kind: 'stopped', signal: ending.signal };
    case 'failed':
      return { kind: 'job-failed' };
  }
}

/**
 * `sluice run <file>`: compiles a .pipe file (diagnostics as `sluice compile` prints them) and runs the job until
 * its bounded input ends or a signal stops it. Output of print sinks goes to standard output, everything else
 * (status line, summary, errors) to standard error.
 */
export async function runRun(file: string, flags: RunFlags, io: CliIO, env: RunEnvironment = processRunEnvironment()): Promise<CommandOutcome> {
  const before = flags.before === undefined ? undefined : parsePointInTime(flags.before, env.now());
  const compiled = await compileJob(file, flags, io, before);
  if (!('graph' in compiled)) return compiled;
  const { graph, functions } = compiled;

  const conflict = metricsOutputConflict(graph, flags.metricsJson);
  if (conflict !== undefined) return printUsageErrors([conflict], io);
  let metrics: MetricsWriter | undefined;
  if (flags.metricsJson !== undefined) {
    const target = flags.metricsJson === '-' ? '-' : resolve(io.cwd, flags.metricsJson);
    try {
      metrics = await MetricsWriter.open(target, io.stdout);
    } catch (error) {
      return printUsageErrors([usageError(Diagnostics.WriteFailed, { path: flags.metricsJson, reason: describeFsError(error) })], io);
    }
  }

  const color = useColor(io.stderr, io.env, flags.color);
  const status = flags.quiet || io.stderr.isTTY !== true ? undefined : new StatusLine(io.stderr);
  let job: Job;
  try {
    job = await Job.start(graph, { ...jobFunctions(functions ?? {}), functionModules: functions?.modules ?? [], ...restoreOptions(flags, io.cwd, before), sinkEnvironment: consoleSinks(io, status) });
  } catch (error) {
    await metrics?.close();
    // A refusal with a catalogue code (another job holds the directory, …) is not a failure of the job.
    if (error instanceof DiagnosticError) return printUsageErrors([error.diagnostic], io);
    io.stderr.write(formatJobFailure(error, { debug: io.env['SLUICE_DEBUG'] === '1', color, starting: true }));
    return { kind: 'job-failed' };
  }
  if (!flags.quiet) io.stderr.write(`running '${graph.name}' as job ${job.jobId}; Ctrl-C stops it\n`);
  // The run's timer reads the metrics and hands them over: one reader of `job.metrics()`.
  const dashboard = new JobDashboard(job, { file: resolve(io.cwd, file), text: compiled.text });
  let webUi: DashboardServer | undefined;
  if (flags.webUi !== undefined) {
    const address = parseWebUiAddress(flags.webUi === true ? '' : flags.webUi)!;
    try {
      webUi = await serveDashboards({ list: async () => [dashboard] }, address);
    } catch (error) {
      dashboard.dispose();
      await job.cancel();
      await metrics?.close();
      if (error instanceof DiagnosticError) return printUsageErrors([error.diagnostic], io);
      throw error;
    }
    const reach = isLoopback(address.host) ? 'only this machine can reach it' : `listening on ${address.host}: other machines can reach it, and anyone with the URL can stop the job`;
    io.stderr.write(`web dashboard: ${webUi.url} (${reach})\n`);
  }
  return supervise(job, { graph, flags, io, env, status, metrics, dashboard, webUi, color });
}

import { resolve } from 'node:path';
import { compile } from '../../compiler/compile.js';
import { Diagnostics } from '../../compiler/diagnostics/catalogue.js';
import { hasErrors, type Diagnostic } from '../../compiler/diagnostics/diagnostic.js';
import { formatDiagnostics, formatSummary, type SummaryWording } from '../../compiler/diagnostics/format.js';
import { SourceText } from '../../compiler/diagnostics/source-text.js';
import { toDot } from '../../compiler/exporters/dot.js';
import { toJson } from '../../compiler/exporters/json.js';
import { toMermaid } from '../../compiler/exporters/mermaid.js';
import { summarize } from '../../compiler/exporters/summary.js';
import type { JobGraph } from '../../compiler/graph/job-graph.js';
import type { LoadedCheckpoint } from '../../runtime/checkpoint/restore/load-checkpoint.js';
import type { CommandOutcome } from '../exit-codes.js';
import { loadCreatedFunctions } from '../load-created-functions.js';
import { calledFunctions, describeSlotPlan, planSlots } from '../../runtime/workers/slot-plan.js';
import { workersEnabled } from '../../runtime/workers/worker-resources.js';
import { loadFunctions, type LoadedFunctions } from '../load-functions.js';
import { describeFsError, formatUsageError, useColor, writeFileAtomic, type CliIO } from '../output.js';
import { readSource } from '../read-source.js';
import { printUsageErrors, usageError } from '../usage-errors.js';

const GRAPH_FORMATS = {
  json: toJson,
  dot: toDot,
  mermaid: toMermaid,
} as const satisfies Record<string, (graph: JobGraph) => string>;
type GraphFormat = keyof typeof GRAPH_FORMATS;

/** The options as commander hands them over, before any validation. */
export interface CompileFlags {
  readonly graph?: string;
  readonly output?: string;
  readonly set: readonly string[];
  readonly parallelism?: string;
  readonly functions?: string;
  readonly color: boolean;
  readonly quiet: boolean;
  /** A savepoint or retained checkpoint (directory or `_metadata`) to check the job against. */
  readonly checkSavepoint?: string;
  readonly json?: boolean;
  readonly allowNonRestoredState?: boolean;
  /** `flink-sql`: translate the job into a Flink SQL script. */
  readonly emit?: string;
  /** With `--emit flink-sql`: only list what will not translate. */
  readonly check?: boolean;
}

interface CompileRequest {
  readonly graph: GraphFormat | undefined;
  readonly emit: 'flink-sql' | undefined;
  readonly settings: Record<string, string>;
}

/** Checks the flags up front, so that no file is read for a command line that cannot work. */
export function validateFlags(flags: CompileFlags): { request: CompileRequest; errors: Diagnostic[] } {
  const errors: Diagnostic[] = [];
  let graph: GraphFormat | undefined;
  if (flags.graph !== undefined) {
    if (Object.hasOwn(GRAPH_FORMATS, flags.graph)) graph = flags.graph as GraphFormat;
    else errors.push(usageError(Diagnostics.InvalidFlagValue, { flag: '--graph', value: flags.graph, accepted: 'json, dot or mermaid' }));
  }
  let emit: 'flink-sql' | undefined;
  if (flags.emit !== undefined) {
    if (flags.emit === 'flink-sql') emit = 'flink-sql';
    else errors.push(usageError(Diagnostics.InvalidFlagValue, { flag: '--emit', value: flags.emit, accepted: 'flink-sql' }));
    for (const [flag, given] of [['--graph', flags.graph], ['--check-savepoint', flags.checkSavepoint]] as const) {
      if (given !== undefined) errors.push(usageError(Diagnostics.ConflictingFlags, { first: '--emit', second: flag, reason: 'each writes its own output' }));
    }
  } else if (flags.check === true) {
    errors.push(usageError(Diagnostics.CheckWithoutEmit, {}));
  }
  const settings: Record<string, string> = {};
  for (const text of flags.set) {
    const eq = text.indexOf('=');
    const key = text.slice(0, eq).trim();
    if (eq <= 0 || key === '') errors.push(usageError(Diagnostics.MalformedSetFlag, { text }));
    else settings[key] = text.slice(eq + 1).trim();
  }
  if (flags.parallelism !== undefined) {
    if (!/^[1-9]\d*$/.test(flags.parallelism)) {
      errors.push(usageError(Diagnostics.InvalidFlagValue, { flag: '--parallelism', value: flags.parallelism, accepted: 'a whole number of at least 1, e.g. 4' }));
    } else if ('parallelism.default' in settings) {
      const reason = '--parallelism N is short for --set parallelism.default=N';
      errors.push(usageError(Diagnostics.ConflictingFlags, { first: '--parallelism', second: '--set parallelism.default', reason }));
    } else {
      settings['parallelism.default'] = flags.parallelism;
    }
  }
  if (flags.checkSavepoint === undefined) {
    if (flags.json === true) errors.push(usageError(Diagnostics.CheckSavepointFlagAlone, { flag: '--json' }));
    if (flags.allowNonRestoredState === true) errors.push(usageError(Diagnostics.CheckSavepointFlagAlone, { flag: '--allow-non-restored-state' }));
  } else if (flags.graph !== undefined) {
    const reason = '--check-savepoint prints the compatibility report where the graph would go';
    errors.push(usageError(Diagnostics.ConflictingFlags, { first: '--check-savepoint', second: '--graph', reason }));
  }
  if (flags.quiet && flags.output !== undefined && flags.graph === undefined && flags.emit === undefined) {
    const reason = 'without --graph, --output receives the summary, which --quiet suppresses';
    errors.push(usageError(Diagnostics.ConflictingFlags, { first: '--quiet', second: '--output', reason }));
  }
  return { request: { graph, emit, settings }, errors };
}

/**
 * `sluice compile <file>`: compiles a .pipe file and prints the job graph's summary, or the graph itself with
 * `--graph`, to standard output or `--output`. Program diagnostics go to standard error with their source line;
 * usage errors (flags, files) as one line each.
 */
export async function runCompile(file: string, flags: CompileFlags, io: CliIO): Promise<CommandOutcome> {
  const { request, errors } = validateFlags(flags);
  if (errors.length > 0) return printUsageErrors(errors, io);

  const compiled = await compileFile(file, request.settings, flags, io);
  if ('kind' in compiled) return compiled;
  const { graph, diagnostics } = compiled;
  if (flags.checkSavepoint !== undefined) {
    const check = await checkSavepoint(graph, flags.checkSavepoint, flags, io);
    return 'error' in check ? printUsageErrors([check.error], io) : { kind: 'completed', diagnostics: [...diagnostics, ...check.diagnostics] };
  }

  if (request.emit === 'flink-sql') return emitFlinkSql(file, compiled, flags, io);

  const writeError = await writeResult(graph, request.graph, flags, io);
  return writeError === undefined ? { kind: 'completed', diagnostics } : printUsageErrors([writeError], io);
}

export interface CompiledFile {
  readonly graph: JobGraph;
  /** Warnings and notes of the compilation. */
  readonly diagnostics: readonly Diagnostic[];
  readonly functions: LoadedFunctions | undefined;
  /** The file's text, for diagnostics found after compiling (the Flink SQL export's). */
  readonly text: string;
}

/**
 * Reads `file`, loads the modules of its CREATE FUNCTION statements and `--functions` (whose definitions win
 * over same-named ones) and compiles, printing diagnostics with their source lines (warnings only
 * without `--quiet`): the graph, or the outcome to end the command with. Shared by `compile` and `run`.
 */
export async function compileFile(
  file: string,
  settings: Readonly<Record<string, string>>,
  flags: { readonly functions?: string; readonly quiet: boolean; readonly color: boolean },
  io: CliIO,
): Promise<CompiledFile | CommandOutcome> {
  const source = await readSource(file, io.cwd);
  if (source.text === undefined) return printUsageErrors([source.error], io);

  const flagged = flags.functions === undefined ? undefined : await loadFunctions(flags.functions, io.cwd);
  if (flagged !== undefined && flagged.value === undefined) return printUsageErrors(flagged.diagnostics, io);
  const created = await loadCreatedFunctions(source.text, { file, cwd: io.cwd });
  const functions = created.value === undefined ? undefined : overriddenBy(created.value, flagged?.value);

  const result =
    functions === undefined
      ? { value: undefined, diagnostics: created.diagnostics }
      : compile(source.text, { file, settings, functions });
  const failed = hasErrors(result.diagnostics);
  const shown = failed || !flags.quiet ? result.diagnostics : [];
  if (shown.length > 0) {
    const sources = new Map([[file, new SourceText(file, source.text)]]);
    const color = useColor(io.stderr, io.env, flags.color);
    io.stderr.write(formatDiagnostics(shown, sources, { color }) + formatSummary(shown, file, { color }));
  }
  if (failed) return { kind: 'completed', diagnostics: result.diagnostics };
  if (result.value === undefined) throw new Error('compile() returned neither a job graph nor an error');
  return { graph: result.value, diagnostics: result.diagnostics, functions, text: source.text };
}

/** The CREATE FUNCTION definitions, with those of `--functions` added and winning over same-named ones. */
function overriddenBy(created: LoadedFunctions, flagged: LoadedFunctions | undefined): LoadedFunctions {
  if (flagged === undefined) return created;
  const scalarNames = new Set(flagged.scalars.map((f) => f.name));
  const processNames = new Set(flagged.processes.map((f) => f.name));
  return {
    modules: [...(created.modules ?? []), ...(flagged.modules ?? [])],
    scalars: [...created.scalars.filter((f) => !scalarNames.has(f.name)), ...flagged.scalars],
    processes: [...created.processes.filter((f) => !processNames.has(f.name)), ...flagged.processes],
  };
}

/**
 * With worker threads on: where `sluice run` would run the subtasks (its functions all come from modules, which
 * workers import; nothing is fed or read by callback from the command line).
 */
function threadsLine(graph: JobGraph): string {
  if (!workersEnabled()) return '';
  const called = new Set(graph.operators.flatMap((op) => calledFunctions(op.spec)));
  return `${describeSlotPlan(graph, planSlots(graph, { fedSources: new Set(), callbackSinks: new Set(), importableFunctions: called }))}\n`;
}

/**
 * The graph in the asked format, else the summary, goes to standard output or to `--output`; when the graph
 * goes to a file, the summary still goes to standard output. `--quiet` silences summaries only.
 */
async function writeResult(graph: JobGraph, format: GraphFormat | undefined, flags: CompileFlags, io: CliIO): Promise<Diagnostic | undefined> {
  const text = format === undefined ? summarize(graph) + threadsLine(graph) : GRAPH_FORMATS[format](graph);
  if (flags.output === undefined) {
    if (format !== undefined || !flags.quiet) io.stdout.write(text);
    return undefined;
  }
  try {
    await writeFileAtomic(resolve(io.cwd, flags.output), text);
  } catch (error) {
    return usageError(Diagnostics.WriteFailed, { path: flags.output, reason: describeFsError(error) });
  }
  if (format !== undefined && !flags.quiet) io.stdout.write(summarize(graph) + threadsLine(graph));
  return undefined;
}

const TRANSLATED: SummaryWording = {
  failed: (file) => `cannot translate ${file} to Flink SQL`,
  succeeded: (file) => `${file} translates to Flink SQL`,
};

/**
 * `--emit flink-sql`: the Flink SQL script to standard output or `--output`, unless something does not
 * translate; every such construct is printed like a compile error (exit code 1). `--check` writes no script
 * and only reports, so a user learns before trying what stands in the way.
 */
async function emitFlinkSql(file: string, compiled: CompiledFile, flags: CompileFlags, io: CliIO): Promise<CommandOutcome> {
  // Loaded here, not at start-up: a plain `sluice compile` never needs the exporter (issue 9, start-up).
  const { toFlinkSql } = await import('../../compiler/exporters/flink-sql/export-flink-sql.js');
  const exported = toFlinkSql(compiled.graph);
  const diagnostics = [...compiled.diagnostics, ...exported.diagnostics];
  const failed = hasErrors(exported.diagnostics);
  const shown = failed || !flags.quiet ? exported.diagnostics.filter((d) => failed || d.severity !== 'error') : [];
  if (shown.length > 0) {
    const sources = new Map([[file, new SourceText(file, compiled.text)]]);
    const color = useColor(io.stderr, io.env, flags.color);
    io.stderr.write(formatDiagnostics(shown, sources, { color }) + formatSummary(shown, file, { color }, TRANSLATED));
  }
  if (failed || flags.check === true) {
    if (!failed && !flags.quiet) io.stdout.write(`${file} translates to Flink SQL\n`);
    return { kind: 'completed', diagnostics };
  }
  if (flags.output === undefined) {
    io.stdout.write(exported.text);
    return { kind: 'completed', diagnostics };
  }
  try {
    await writeFileAtomic(resolve(io.cwd, flags.output), exported.text);
  } catch (error) {
    return printUsageErrors([usageError(Diagnostics.WriteFailed, { path: flags.output, reason: describeFsError(error) })], io);
  }
  return { kind: 'completed', diagnostics };
}

/**
 * `--check-savepoint`: reads the snapshot (every state file verified, as a restore would) and prints the
 * compatibility report (or `--json`) to standard output or `--output`; an unrestorable verdict is an SLC6090
 * error (exit code 1), a snapshot that cannot be read a usage error naming the file (exit code 2).
 */
async function checkSavepoint(graph: JobGraph, path: string, flags: CompileFlags, io: CliIO): Promise<{ readonly diagnostics: Diagnostic[] } | { readonly error: Diagnostic }> {
  // Loaded here, not at start-up: a plain `sluice compile` never reads a snapshot (issue 9, start-up).
  const [{ openSnapshot }, { CheckpointReadError, loadCheckpoint }, { checkLoadedSnapshot }, { renderReport }, { exitCodeOf }] = await Promise.all([
    import('../control/open-snapshot.js'),
    import('../../runtime/checkpoint/restore/load-checkpoint.js'),
    import('../../runtime/checkpoint/restore/snapshot-summary.js'),
    import('../../compiler/savepoint-compat/render.js'),
    import('../../compiler/savepoint-compat/report.js'),
  ]);
  const expected = 'savepoint or checkpoint';
  const opened = await openSnapshot(path, io.cwd, expected);
  if ('error' in opened) return opened;
  let loaded: LoadedCheckpoint;
  try {
    loaded = await loadCheckpoint(opened.stored);
  } catch (error) {
    if (!(error instanceof CheckpointReadError)) throw error;
    // Its metadata read: a damaged snapshot rather than none.
    return { error: usageError(Diagnostics.NotASavepoint, { path, expected: `usable ${expected}`, reason: error.message }) };
  }
  const report = checkLoadedSnapshot(loaded, graph, flags.allowNonRestoredState === true);
  if (report === undefined) return { error: usageError(Diagnostics.SnapshotWithoutJobGraph, { path }) };
  const text = flags.json === true ? `${JSON.stringify(report, null, 2)}\n` : renderReport(report);
  if (flags.output === undefined) io.stdout.write(text);
  else {
    try {
      await writeFileAtomic(resolve(io.cwd, flags.output), text);
    } catch (error) {
      return { error: usageError(Diagnostics.WriteFailed, { path: flags.output, reason: describeFsError(error) }) };
    }
  }
  if (exitCodeOf(report) === 0) return { diagnostics: [] };
  const blocking = report.operators.filter((op) => op.findings.some((f) => f.severity === 'error') || op.states.some((s) => s.blocking));
  const reasons = `${blocking.length} operator uid(s) block it (${blocking.map((op) => `'${op.uid}'`).join(', ')})`;
  const verdict = usageError(Diagnostics.SavepointNotRestorable, { path, reasons });
  if (flags.json !== true) io.stderr.write(formatUsageError(verdict));
  return { diagnostics: [verdict] };
}

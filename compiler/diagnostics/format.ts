import type { Span } from '../../grammar/ast/span.js';
import type { Diagnostic, Severity } from './diagnostic.js';
import type { SourceText } from './source-text.js';

/**
 * Renders diagnostics like rustc: a header, the location, the source line with carets under the span, the help,
 * and related locations as `note:` blocks. Each rendered diagnostic ends with a blank line. Colors (ANSI) only
 * when asked for.
 */
export interface FormatOptions {
  readonly color?: boolean;
}

type Lookup = (file: string) => SourceText | undefined;

export function formatDiagnostic(d: Diagnostic, source: SourceText | undefined, options: FormatOptions = {}): string {
  return render(d, (file) => (source?.file === file ? source : undefined), painter(options));
}

/** All of `ds` in source order (by file, then offset); a file missing from `sources` gets no source lines. */
export function formatDiagnostics(ds: readonly Diagnostic[], sources: ReadonlyMap<string, SourceText>, options: FormatOptions = {}): string {
  const paint = painter(options);
  const ordered = [...ds].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.span.offset - b.span.offset));
  return ordered.map((d) => render(d, (file) => sources.get(file), paint)).join('');
}

/** `error: could not compile job.pipe (2 errors, 1 warning)`; '' when there is nothing to report. */
/** What the summary line says was done to the file: compiled, or (the Flink SQL export) translated. */
export interface SummaryWording {
  readonly failed: (file: string) => string;
  readonly succeeded: (file: string) => string;
}

const COMPILED: SummaryWording = { failed: (file) => `could not compile ${file}`, succeeded: (file) => `${file} compiled` };

export function formatSummary(ds: readonly Diagnostic[], file: string, options: FormatOptions = {}, wording: SummaryWording = COMPILED): string {
  const paint = painter(options);
  const errors = ds.filter((d) => d.severity === 'error').length;
  const warnings = ds.filter((d) => d.severity === 'warning').length;
  if (errors > 0) {
    const counts = [plural(errors, 'error'), ...(warnings > 0 ? [plural(warnings, 'warning')] : [])].join(', ');
    return `${paint.severity('error')}${paint.bold(`: ${wording.failed(file)} (${counts})`)}\n`;
  }
  return warnings > 0 ? `${paint.severity('warning')}${paint.bold(`: ${wording.succeeded(file)} with ${plural(warnings, 'warning')}`)}\n` : '';
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

interface Location {
  readonly file: string;
  readonly span: Span;
  readonly source: SourceText | undefined;
}

function render(d: Diagnostic, lookup: Lookup, paint: Painter): string {
  const primary: Location = { file: d.file, span: d.span, source: lookup(d.file) };
  const related = d.related.map((r): Location & { message: string } => ({ ...r, source: lookup(r.file) }));
  const width = Math.max(1, ...[primary, ...related].map(lineNumberWidth));
  const lines = [
    `${paint.severity(d.severity)}${paint.bold(`[${d.code}]: ${d.message}`)}`,
    ...snippet(primary, width, d.severity, paint),
  ];
  if (d.help !== undefined) lines.push(`${' '.repeat(width)} ${paint.gutter('=')} ${paint.bold('help')}: ${d.help}`);
  for (const r of related) {
    lines.push(`${paint.severity('note')}${paint.bold(`: ${r.message}`)}`, ...snippet(r, width, 'note', paint));
  }
  return `${lines.join('\n')}\n\n`;
}

function lineNumberWidth(location: Location): number {
  return location.source === undefined ? 0 : String(location.source.positionAt(location.span.offset).line).length;
}

/** The `-->` line and, when the source is known, the source line with carets under the span's first line. */
function snippet(location: Location, width: number, severity: Severity, paint: Painter): string[] {
  const pad = ' '.repeat(width);
  const { source, span } = location;
  if (source === undefined) return [`${pad}${paint.gutter('-->')} ${location.file}`];
  const { line, column } = source.positionAt(span.offset);
  const text = source.lineText(line);
  // Keep the line's tabs in the caret line so that the carets line up however the terminal expands tabs.
  const indent = text.slice(0, column - 1).replace(/[^\t]/g, ' ');
  const carets = Math.max(1, Math.min(span.length, text.length - (column - 1)));
  const bar = paint.gutter('|');
  return [
    `${pad}${paint.gutter('-->')} ${location.file}:${line}:${column}`,
    `${pad} ${bar}`,
    `${paint.gutter(String(line).padStart(width))} ${bar} ${text}`,
    `${pad} ${bar} ${indent}${paint.caret(severity, '^'.repeat(carets))}`,
  ];
}

interface Painter {
  severity(severity: Severity): string;
  caret(severity: Severity, text: string): string;
  bold(text: string): string;
  gutter(text: string): string;
}

const RESET = '\x1b[0m';
const BOLD = '\x1b[1m';
const SEVERITY_COLOR: Readonly<Record<Severity, string>> = { error: '\x1b[31m', warning: '\x1b[33m', note: '\x1b[32m' };
const GUTTER_COLOR = '\x1b[34m';

function painter(options: FormatOptions): Painter {
  if (options.color !== true) {
    return { severity: (s) => s, caret: (_, text) => text, bold: (text) => text, gutter: (text) => text };
  }
  return {
    severity: (s) => `${BOLD}${SEVERITY_COLOR[s]}${s}${RESET}`,
    caret: (s, text) => `${BOLD}${SEVERITY_COLOR[s]}${text}${RESET}`,
    bold: (text) => `${BOLD}${text}${RESET}`,
    gutter: (text) => `${BOLD}${GUTTER_COLOR}${text}${RESET}`,
  };
}

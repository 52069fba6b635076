import type { CompatibilityReport, Finding, OperatorReport, StateVerdict, Step } from './report.js';
import { formatStateSize } from './snapshot-contents.js';

const VERDICT_WORDS: Readonly<Record<StateVerdict, string>> = {
  compatible: 'compatible',
  'starts-empty': 'starts empty',
  skipped: 'skipped (empty)',
  'compatible-after-migration': 'compatible after migration',
  dropped: 'dropped',
  incompatible: 'incompatible',
};

const HEADER = ['UID', 'STATUS', 'STATE', 'SIZE', 'VERDICT'] as const;
type Row = readonly [string, string, string, string, string];

/** A reason, with where its step is (in the new file, or the old one for a dropped step) when it needs acting on. */
function findingLines(finding: Finding, indent: string, at: Step | undefined): string[] {
  const lines = [`${indent}${finding.severity}[${finding.code}]: ${finding.message}`];
  if (finding.severity !== 'note' && at !== undefined) lines.push(`${indent}  --> ${at.origin.file}:${at.origin.line}:${at.origin.column}`);
  if (finding.help !== undefined) lines.push(`${indent}  help: ${finding.help}`);
  return lines;
}

/** An operator's rows, each followed by the reasons it concerns: its states', then the whole step's. */
function operatorBlock(op: OperatorReport): { row: Row; notes: string[] }[] {
  const { status } = op;
  const at = op.next ?? op.previous;
  const block = op.states.map((state, i) => ({
    row: [i === 0 ? op.uid : '', i === 0 ? status : '', state.description, state.size === undefined ? '' : formatStateSize(state.size), VERDICT_WORDS[state.verdict]] as Row,
    notes: state.reasons.flatMap((f) => findingLines(f, '    ', at)),
  }));
  if (block.length === 0) block.push({ row: [op.uid, status, '(no state)', '', ''], notes: [] });
  block.at(-1)!.notes.push(...op.findings.flatMap((f) => findingLines(f, '  ', at)));
  return block;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function countWhere<T>(items: readonly T[], test: (item: T) => boolean): number {
  return items.filter(test).length;
}

/**
 * The one-line verdict, e.g. `restorable: 3 steps restored, 1 new; 1 state migrated, 1 starts empty` or
 * `not restorable: 1 incompatible state, 1 dropped state (pass --allow-non-restored-state to drop it)`.
 */
export function renderVerdict(report: CompatibilityReport): string {
  const states = report.operators.flatMap((op) => op.states);
  if (!report.restorable) {
    const incompatible = countWhere(states, (s) => s.blocking && s.verdict === 'incompatible');
    const dropped = countWhere(states, (s) => s.blocking && s.verdict === 'dropped');
    const parts = [
      incompatible === 0 ? '' : plural(incompatible, 'incompatible state'),
      dropped === 0 ? '' : `${plural(dropped, 'dropped state')} (pass --allow-non-restored-state to drop ${dropped === 1 ? 'it' : 'them'})`,
    ].filter((p) => p !== '');
    return `not restorable: ${parts.length === 0 ? 'see the errors above' : parts.join(', ')}`;
  }
  const steps = (['restored', 'new', 'dropped'] as const)
    .map((status) => [countWhere(report.operators, (op) => op.status === status), status] as const)
    .filter(([n]) => n > 0)
    .map(([n, status], i) => (i === 0 ? `${plural(n, 'step')} ${status}` : `${n} ${status}`));
  const stateParts = (['compatible-after-migration', 'starts-empty', 'dropped', 'skipped'] as const)
    .map((verdict) => [countWhere(states, (s) => s.verdict === verdict), verdict] as const)
    .filter(([n]) => n > 0)
    .map(([n, verdict], i) => `${i === 0 ? plural(n, 'state') : n} ${verdict === 'compatible-after-migration' ? 'migrated' : VERDICT_WORDS[verdict]}`);
  return `restorable: ${[steps.join(', '), stateParts.join(', ')].filter((p) => p !== '').join('; ') || 'nothing to restore'}`;
}

/**
 * The report for people, like a compiler's: which savepoint and job, a table of every uid and state with its
 * verdict, each followed by its reasons and what to do, and the one-line verdict.
 */
export function renderReport(report: CompatibilityReport): string {
  const { savepoint, job } = report;
  const parallelism =
    savepoint.maxParallelism === job.maxParallelism
      ? `max parallelism ${job.maxParallelism}`
      : `max parallelism ${savepoint.maxParallelism} → ${job.maxParallelism}`;
  const title = `savepoint of '${savepoint.pipelineName}' (${savepoint.file}) → '${job.pipelineName}' (${job.file}), ${parallelism}`;
  const blocks = report.operators.flatMap(operatorBlock);
  const widths = HEADER.map((h, c) => Math.max(h.length, ...blocks.map((b) => b.row[c]!.length)));
  const line = (cells: readonly string[]): string => cells.map((cell, c) => cell.padEnd(widths[c]!)).join('  ').trimEnd();
  const lines = [title, '', line(HEADER), ...blocks.flatMap((b) => [line(b.row), ...b.notes]), '', renderVerdict(report)];
  return `${lines.join('\n')}\n`;
}

import type { Operator } from '../../compiler/graph/job-graph.js';
import { DiagnosticError } from '../diagnostic-error.js';
import { describeRow, RowFailure } from '../operators/row-failure.js';

/**
 * Why a job failed: which operator (uid, or its generated id), which subtask, where it is in the `.pipe` file,
 * and, where known, the row being processed and where the rows came from (a source split and position).
 * `cause` is the original error.
 */
export class OperatorFailure extends Error {
  readonly operatorId: string;
  readonly uid: string | null;
  readonly row: readonly unknown[] | undefined;

  constructor(
    operator: Operator,
    readonly subtask: number,
    readonly parallelism: number,
    override readonly cause: unknown,
    readonly recordOrigin: string | undefined,
  ) {
    const row = cause instanceof RowFailure ? cause.row : undefined;
    const root = cause instanceof RowFailure ? cause.cause : cause;
    // A refusal with a catalogue code keeps its code (to look it up) and its help line.
    const coded = root instanceof DiagnosticError ? root.diagnostic : undefined;
    const reason = coded !== undefined ? `[${coded.code}] ${coded.message}` : root instanceof Error ? root.message : String(root);
    const { file, line, column } = operator.origin;
    const lines = [
      `operator '${operator.uid ?? operator.id}' (${operator.name}) subtask ${subtask + 1}/${parallelism} failed at ${file}:${line}:${column}: ${reason}`,
    ];
    if (row !== undefined) lines.push(`  row: ${describeRow(row)}`);
    if (recordOrigin !== undefined) lines.push(`  rows from: ${recordOrigin}`);
    if (coded?.help !== undefined) lines.push(`  = help: ${coded.help}`);
    super(lines.join('\n'));
    this.name = 'OperatorFailure';
    this.operatorId = operator.id;
    this.uid = operator.uid;
    this.row = row;
  }
}

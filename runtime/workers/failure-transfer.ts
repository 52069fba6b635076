import type { JobGraph } from '../../compiler/graph/job-graph.js';
import { DiagnosticError } from '../diagnostic-error.js';
import { OperatorFailure } from '../execution/operator-failure.js';
import { RowFailure } from '../operators/row-failure.js';
import type { SerializedFailure } from './worker-protocol.js';

/** A worker's failure as plain data: what OperatorFailure's message is made of, so the main thread says the same. */
export function serializeFailure(error: unknown): SerializedFailure {
  if (error instanceof OperatorFailure) {
    const root = error.cause instanceof RowFailure ? error.cause.cause : error.cause;
    return {
      kind: 'operator',
      operatorId: error.operatorId,
      subtask: error.subtask,
      parallelism: error.parallelism,
      recordOrigin: error.recordOrigin,
      row: error.row,
      reason: root instanceof Error ? root.message : String(root),
      diagnostic: root instanceof DiagnosticError ? root.diagnostic : undefined,
    };
  }
  return { kind: 'error', message: error instanceof Error ? error.message : String(error), diagnostic: error instanceof DiagnosticError ? error.diagnostic : undefined };
}

/** The error `serializeFailure` described, rebuilt on the main thread (an OperatorFailure with the same message). */
export function reviveFailure(failure: SerializedFailure, graph: JobGraph): Error {
  const root = failure.diagnostic !== undefined ? DiagnosticError.revive(failure.diagnostic) : new Error(failure.kind === 'operator' ? failure.reason : failure.message);
  if (failure.kind === 'error') return root;
  const operator = graph.operators.find((op) => op.id === failure.operatorId)!;
  const cause = failure.row === undefined ? root : new RowFailure(failure.row, root);
  return new OperatorFailure(operator, failure.subtask, failure.parallelism, cause, failure.recordOrigin);
}


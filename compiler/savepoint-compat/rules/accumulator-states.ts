import type { Operator } from '../../graph/job-graph.js';

/**
 * The state holding an aggregate step's accumulators. Its columns follow the AGGREGATE list, so the aggregate
 * rule, which knows what each column accumulates, judges its changes rather than the generic value-schema rule.
 */
export function accumulatorStateOf(op: Operator): string | undefined {
  switch (op.spec.kind) {
    case 'group_aggregate':
      return 'accumulators';
    case 'window_aggregate':
      return 'windows';
    default:
      return undefined;
  }
}
